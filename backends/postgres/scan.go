package postgres

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/quiverdb/quiver/backends"
	"github.com/quiverdb/quiver/pgerror"
)

// Reading a table in parts
//
// A query that scans one table (see shapeOf) can be read in parts, each on
// a connection of its own, all under one snapshot, so that the parts
// together return exactly the rows the query would:
//
//   - PlanScan, on the session that prepared the query, decides from the
//     parse tree, the catalog and EXPLAIN whether the query qualifies, and
//     captures the session's settings (search_path, TimeZone, ...).
//   - BeginScan, on a second, idle session (the coordinator), begins a
//     REPEATABLE READ, READ ONLY transaction, locks the table in ACCESS
//     SHARE mode (so that VACUUM FULL, CLUSTER or REFRESH MATERIALIZED VIEW
//     cannot move tuples between the parts), exports its snapshot with pg_export_snapshot() and splits
//     the table's pages into ranges, one part each:
//     WHERE (condition) AND ctid >= '(a,0)' AND ctid < '(b,0)', which
//     PostgreSQL 14 and later run as a TID range scan. The first part has
//     no lower bound and the last no upper bound, so every tuple is in
//     exactly one part whatever the table's size.
//   - ReadScanPart reads one part: on the coordinator within its
//     transaction, on any other idle session after importing the snapshot
//     (SET TRANSACTION SNAPSHOT) and the settings. When it returns, the
//     part's transaction has the snapshot and the table's lock, so the
//     coordinator may end once every part has started.
//   - EndScan ends a session's part of it (ROLLBACK: nothing was written).
//
// Plans and parts are opaque strings (JSON), so that a frontend can carry
// them in tickets without importing this package.

// scanPlan is what PlanScan found.
type scanPlan struct {
	SQL      string          `json:"sql"`      // the client's query
	Rel      string          `json:"rel"`      // the table, quoted and schema-qualified
	Parts    int             `json:"parts"`    // how many parts to make
	User     string          `json:"user"`     // session_user
	Settings json.RawMessage `json:"settings"` // [[name, value], ...] set in the session
}

// scanPart is one part of a scan.
type scanPart struct {
	Snapshot string          `json:"snapshot"`
	Settings json.RawMessage `json:"settings"`
	SQL      string          `json:"sql"`
}

// minScanVersion is the first PostgreSQL major version with TID range
// scans; older servers would read the whole table for every part.
const minScanVersion = 14

const scanCatalogQuery = `SELECT c.relkind, c.relpersistence, c.relhassubclass,
	pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::int8,
	n.nspname, c.relname,
	(SELECT pg_catalog.bool_and(ok) FROM (
		SELECT COALESCE(pg_catalog.bool_and(p.provolatile = 'i' AND p.prokind = 'f'), false) AS ok
		FROM pg_catalog.json_array_elements_text($2::pg_catalog.json) f(name)
		LEFT JOIN pg_catalog.pg_proc p ON p.proname = f.name GROUP BY f.name) x),
	(SELECT pg_catalog.bool_and(p.provolatile <> 'v') FROM pg_catalog.pg_operator o
		JOIN pg_catalog.pg_proc p ON p.oid = o.oprcode
		WHERE o.oprname IN (SELECT pg_catalog.json_array_elements_text($3::pg_catalog.json))),
	session_user = current_user, session_user,
	(SELECT COALESCE(pg_catalog.json_agg(pg_catalog.json_build_array(s.name, s.setting)), '[]')
		FROM pg_catalog.pg_settings s
		WHERE s.source = 'session' AND s.name NOT LIKE 'transaction%' AND s.name NOT LIKE 'default_transaction%')
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.to_regclass($1)`

// PlanScan decides whether sql, which the session has accepted, can be
// read in parts (see above) and returns the plan for BeginScan, or "" when
// it cannot: the query is not a plain scan of one ordinary table or
// materialized view (temporary tables are not visible to other sessions),
// the session is in a transaction or has SET ROLE, the server is older
// than PostgreSQL 14, the planner does not choose a sequential scan (an
// index would read less), or the table has fewer than minPages pages per
// part (minPages <= 0: any size). parts is the most parts to make, at
// least 2.
func (s *Session) PlanScan(ctx context.Context, sql string, parts int, minPages int64) (string, error) {
	if parts < 2 || serverMajor(s.conn.ParameterStatus("server_version")) < minScanVersion {
		return "", nil
	}
	if err := s.ready(); err != nil {
		return "", err
	}
	if s.conn.TxStatus() != 'I' || s.scanSnap != "" {
		return "", nil
	}
	sql = sql[:s.scan(sql).end]
	sh, ok := shapeOf(sql)
	if !ok {
		return "", nil
	}
	name := quoteIdent(sh.table)
	if sh.schema != "" {
		name = quoteIdent(sh.schema) + "." + name
	}
	funcs, _ := json.Marshal(append([]string{}, sh.funcs...))
	ops, _ := json.Marshal(append([]string{}, sh.ops...))
	res := s.conn.ExecParams(ctx, scanCatalogQuery, [][]byte{[]byte(name), funcs, ops}, nil, nil, nil).Read()
	if res.Err != nil {
		return "", mapError(res.Err)
	}
	if len(res.Rows) != 1 {
		return "", nil
	}
	r := res.Rows[0]
	pages, _ := strconv.ParseInt(string(r[3]), 10, 64)
	relkind, persistence, children := string(r[0]), string(r[1]), string(r[2]) == "t"
	if relkind != "r" && relkind != "m" || persistence == "t" || children && !sh.only ||
		string(r[6]) == "f" || string(r[7]) == "f" || string(r[8]) != "t" {
		return "", nil
	}
	if minPages > 0 {
		if n := pages / minPages; n < int64(parts) {
			parts = int(n)
		}
		if parts < 2 {
			return "", nil
		}
	}
	schema, table := string(r[4]), string(r[5])
	if ok, err := s.seqScan(ctx, sql, schema, table); !ok || err != nil {
		return "", err
	}
	plan, err := json.Marshal(scanPlan{
		SQL: sql, Rel: quoteIdent(schema) + "." + quoteIdent(table), Parts: parts,
		User: string(r[9]), Settings: json.RawMessage(r[10]),
	})
	return string(plan), err
}

// seqScan reports whether PostgreSQL plans sql as a sequential scan of
// schema.table and nothing else (a Gather of a parallel one counts, and so
// does a TID range scan, when the query has its own bounds on ctid).
func (s *Session) seqScan(ctx context.Context, sql, schema, table string) (bool, error) {
	res := s.conn.ExecParams(ctx, "EXPLAIN (VERBOSE, FORMAT JSON)\n"+sql, nil, nil, nil, nil).Read()
	if res.Err != nil {
		return false, mapError(res.Err)
	}
	if len(res.Rows) != 1 {
		return false, nil
	}
	type node struct {
		Type     string `json:"Node Type"`
		Relation string `json:"Relation Name"`
		Schema   string `json:"Schema"`
		Plans    []node `json:"Plans"`
	}
	var out []struct {
		Plan node `json:"Plan"`
	}
	if err := json.Unmarshal(res.Rows[0][0], &out); err != nil || len(out) != 1 {
		return false, nil
	}
	n := out[0].Plan
	if n.Type == "Gather" && len(n.Plans) == 1 {
		n = n.Plans[0]
	}
	scan := n.Type == "Seq Scan" || n.Type == "Tid Range Scan"
	return scan && len(n.Plans) == 0 && n.Relation == table && n.Schema == schema, nil
}

// serverMajor returns the major version of a server_version string
// ("15.8 (Debian 15.8-1)"), or 0.
func serverMajor(v string) int {
	end := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(v)
	}
	n, _ := strconv.Atoi(v[:end])
	return n
}

// BeginScan makes the session, which must be idle, the coordinator of the
// scan plan describes (from PlanScan on another session of the same
// backend): it begins the snapshot transaction and returns the parts, for
// ReadScanPart on this or other sessions. It returns no parts, and leaves
// the session as it was, if the plan's user is not this session's. The
// transaction lasts until EndScan; the parts must start before it ends.
func (s *Session) BeginScan(ctx context.Context, plan string) ([]string, error) {
	var p scanPlan
	if err := json.Unmarshal([]byte(plan), &p); err != nil || p.Parts < 1 {
		return nil, pgerror.New(pgerror.InvalidParameterValue, "invalid scan plan")
	}
	if err := s.ready(); err != nil {
		return nil, err
	}
	if s.conn.TxStatus() != 'I' || s.scanSnap != "" {
		return nil, pgerror.New(pgerror.ActiveSQLTransaction, "cannot begin a scan in a transaction")
	}
	parts, err := s.beginScan(ctx, p)
	if err != nil || parts == nil {
		s.rollbackScan()
	}
	return parts, err
}

func (s *Session) beginScan(ctx context.Context, p scanPlan) ([]string, error) {
	// The SELECT takes the ACCESS SHARE lock, kept to the transaction's
	// end, as LOCK TABLE would; it also works on materialized views.
	begin := "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT FROM ONLY " + p.Rel + " LIMIT 0"
	if _, err := s.conn.Exec(ctx, begin).ReadAll(); err != nil {
		return nil, mapError(err)
	}
	res := s.conn.ExecParams(ctx, `SELECT pg_catalog.pg_export_snapshot(),
		pg_catalog.pg_relation_size($1::pg_catalog.regclass) / pg_catalog.current_setting('block_size')::int8, session_user`,
		[][]byte{[]byte(p.Rel)}, nil, nil, nil).Read()
	if res.Err != nil {
		return nil, mapError(res.Err)
	}
	snap := string(res.Rows[0][0])
	pages, _ := strconv.ParseInt(string(res.Rows[0][1]), 10, 64)
	if string(res.Rows[0][2]) != p.User {
		return nil, nil
	}
	s.scanSnap = snap
	if err := s.setLocal(ctx, p.Settings); err != nil {
		return nil, err
	}
	parts := make([]string, p.Parts)
	for i := range parts {
		from, to := pages*int64(i)/int64(p.Parts), pages*int64(i+1)/int64(p.Parts)
		if i == len(parts)-1 {
			to = -1
		}
		sql, err := partSQL(p.SQL, from, to)
		if err != nil {
			return nil, pgerror.Wrap(err, pgerror.InternalError)
		}
		b, err := json.Marshal(scanPart{Snapshot: snap, Settings: p.Settings, SQL: sql})
		if err != nil {
			return nil, err
		}
		parts[i] = string(b)
	}
	return parts, nil
}

// setLocal applies [[name, value], ...] settings for the rest of the
// transaction.
func (s *Session) setLocal(ctx context.Context, settings json.RawMessage) error {
	if len(settings) == 0 || string(settings) == "[]" {
		return nil
	}
	res := s.conn.ExecParams(ctx, `SELECT pg_catalog.set_config(e->>0, e->>1, true)
		FROM pg_catalog.json_array_elements($1::pg_catalog.json) e`, [][]byte{settings}, nil, nil, nil).Read()
	return mapError(res.Err)
}

// ReadScanPart reads one part that BeginScan made, on this session or
// another of the same backend. A session other than the coordinator must be
// idle: it begins a transaction with the scan's snapshot, which lasts until
// EndScan. The rows come as from Query.
func (s *Session) ReadScanPart(ctx context.Context, part string) (*backends.Result, error) {
	var p scanPart
	if err := json.Unmarshal([]byte(part), &p); err != nil || p.Snapshot == "" {
		return nil, pgerror.New(pgerror.InvalidParameterValue, "invalid scan part")
	}
	if err := s.ready(); err != nil {
		return nil, err
	}
	if s.scanSnap != p.Snapshot {
		if s.conn.TxStatus() != 'I' || s.scanSnap != "" {
			return nil, pgerror.New(pgerror.ActiveSQLTransaction, "cannot read a scan part in another transaction")
		}
		if err := s.importSnapshot(ctx, p); err != nil {
			s.rollbackScan()
			return nil, err
		}
	}
	return s.Query(ctx, p.SQL)
}

func (s *Session) importSnapshot(ctx context.Context, p scanPart) error {
	sql := "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION SNAPSHOT " + quoteLiteral(p.Snapshot)
	if _, err := s.conn.Exec(ctx, sql).ReadAll(); err != nil {
		return mapError(err)
	}
	s.scanSnap = p.Snapshot
	return s.setLocal(ctx, p.Settings)
}

// EndScan ends the scan transaction BeginScan or ReadScanPart began on the
// session, if any. Open results are read to their end first.
func (s *Session) EndScan(ctx context.Context) error {
	if s.scanSnap == "" {
		return nil
	}
	if err := s.ready(); err != nil {
		return err
	}
	_, err := s.conn.Exec(ctx, "ROLLBACK").ReadAll()
	s.scanSnap = ""
	return mapError(err)
}

// rollbackScan ends a scan transaction that failed to start.
func (s *Session) rollbackScan() {
	s.scanSnap = ""
	if s.conn.IsClosed() || s.conn.TxStatus() == 'I' {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cancelTimeout)
	defer cancel()
	_, _ = s.conn.Exec(ctx, "ROLLBACK").ReadAll()
}

// quoteLiteral quotes an SQL string literal (standard-conforming strings).
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
