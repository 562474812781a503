package flightsrv

import (
	"context"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
)

// ServerName is the FLIGHT_SQL_SERVER_NAME reported by GetSqlInfo.
const ServerName = "quiver"

// sqlInfo holds what GetSqlInfo and GetXdbcTypeInfo learn from the backend
// on first use. Until done, answers wait for the probe; after, they only
// read.
type sqlInfo struct {
	mu    sync.Mutex
	done  bool
	types []xdbcType // the types the backend accepts, for GetXdbcTypeInfo
}

// registerStatic registers the SqlInfo values that do not depend on the
// backend.
func (h *sqlServer) registerStatic() {
	for id, v := range map[flightsql.SqlInfo]any{
		flightsql.SqlInfoFlightSqlServerName:         ServerName,
		flightsql.SqlInfoFlightSqlServerVersion:      h.srv.cfg.Version,
		flightsql.SqlInfoFlightSqlServerArrowVersion: arrow.PkgVersion,
		flightsql.SqlInfoFlightSqlServerReadOnly:     false,
		flightsql.SqlInfoFlightSqlServerSql:          true,
		flightsql.SqlInfoFlightSqlServerSubstrait:    false,
		flightsql.SqlInfoFlightSqlServerCancel:       true,
		// Statements and transactions have no timeout of their own.
		flightsql.SqlInfoFlightSqlServerStatementTimeout:            int32(0),
		flightsql.SqlInfoFlightSqlServerTransactionTimeout:          int32(0),
		flightsql.SqlInfoFlightSqlServerBulkIngestion:               true,
		flightsql.SqlInfoFlightSqlServerIngestTransactionsSupported: true,
		flightsql.SqlInfoTransactionsSupported:                      true,
		flightsql.SqlInfoDDLCatalog:                                 false,
		flightsql.SqlInfoDDLSchema:                                  true,
		flightsql.SqlInfoDDLTable:                                   true,
		flightsql.SqlInfoIdentifierQuoteChar:                        `"`,
		flightsql.SqlInfoSearchStringEscape:                         `\`,
		flightsql.SqlInfoExtraNameChars:                             "",
		flightsql.SqlInfoSupportsColumnAliasing:                     true,
		flightsql.SqlInfoNullPlusNullIsNull:                         true,
		flightsql.SqlInfoSupportsTableCorrelationNames:              true,
		flightsql.SqlInfoSupportsDifferentTableCorrelationNames:     false,
		flightsql.SqlInfoSupportsExpressionsInOrderBy:               true,
		flightsql.SqlInfoSupportsOrderByUnrelated:                   true,
		flightsql.SqlInfoSupportsLikeEscapeClause:                   true,
		flightsql.SqlInfoSupportsNonNullableColumns:                 true,
		flightsql.SqlInfoSupportsIntegrityEnhancementFacility:       true,
		// SQL_CORE_GRAMMAR and SQL_MINIMUM_GRAMMAR; ANSI-92 entry and
		// intermediate levels; full outer joins.
		flightsql.SqlInfoSupportedGrammar:                      int32(0b011),
		flightsql.SqlInfoANSI92SupportedLevel:                  int32(0b011),
		flightsql.SqlInfoOuterJoinsSupportLevel:                int32(2),
		flightsql.SqlInfoSchemaTerm:                            "schema",
		flightsql.SqlInfoProcedureTerm:                         "function",
		flightsql.SqlInfoCatalogTerm:                           "database",
		flightsql.SqlInfoCatalogAtStart:                        true,
		flightsql.SqlInfoSelectForUpdateSupported:              false,
		flightsql.SqlInfoStoredProceduresSupported:             false,
		flightsql.SqlInfoCorrelatedSubqueriesSupported:         true,
		flightsql.SqlInfoBatchUpdatesSupported:                 true,
		flightsql.SqlInfoNamedParametersSupported:              false,
		flightsql.SqlInfoDataDefinitionCausesTransactionCommit: false,
		flightsql.SqlInfoDataDefinitionsInTransactionsIgnored:  false,
		// Results are read forward only.
		flightsql.SqlInfoSupportedResultSetTypes: int32(1 << 1),
		flightsql.SqlInfoNumericFunctions: []string{"abs", "acos", "asin", "atan", "atan2", "cbrt", "ceil", "ceiling",
			"cos", "cot", "degrees", "exp", "floor", "ln", "log", "mod", "pi", "power", "radians", "random",
			"round", "sign", "sin", "sqrt", "tan", "trunc"},
		flightsql.SqlInfoStringFunctions: []string{"ascii", "btrim", "chr", "concat", "concat_ws", "left", "length",
			"lower", "lpad", "ltrim", "md5", "position", "repeat", "replace", "reverse", "right", "rpad",
			"rtrim", "split_part", "strpos", "substr", "substring", "translate", "trim", "upper"},
		flightsql.SqlInfoDateTimeFunctions: []string{"age", "current_date", "current_time", "current_timestamp",
			"date_part", "date_trunc", "extract", "localtime", "localtimestamp", "make_date", "now", "to_timestamp"},
		flightsql.SqlInfoSystemFunctions: []string{"coalesce", "current_database", "current_schema", "current_user",
			"greatest", "least", "nullif", "version"},
	} {
		if err := h.RegisterSqlInfo(id, v); err != nil {
			panic(err) // a value of a type RegisterSqlInfo refuses: a bug here
		}
	}
}

// probe learns the backend-dependent SqlInfo values and the accepted
// types, on a connection of its own so that the probes (a transaction
// among them) cannot disturb the client's.
func (h *sqlServer) probe(ctx context.Context, ss *session) error {
	h.inf.mu.Lock()
	defer h.inf.mu.Unlock()
	if h.inf.done {
		return nil
	}
	cn, err := ss.open(ctx)
	if err != nil {
		return err
	}
	defer cn.close()
	ok := func(sql string) bool {
		_, err := cn.exec(ctx, sql)
		return err == nil
	}

	// Savepoints: DuckDB has none.
	txn := flightsql.SqlTransactionTransaction
	if ok("BEGIN") {
		savepoints := ok("SAVEPOINT quiver_probe")
		ok("ROLLBACK")
		if savepoints {
			txn = flightsql.SqlTransactionSavepoint
		}
	}
	register := func(id flightsql.SqlInfo, v any) {
		if err == nil {
			err = h.RegisterSqlInfo(id, v)
		}
	}
	register(flightsql.SqlInfoFlightSqlServerTransaction, int32(txn))
	register(flightsql.SqlInfoSavePointsSupported, txn == flightsql.SqlTransactionSavepoint)

	// Nulls: PostgreSQL sorts them as larger than any value (first when
	// descending), and so does quiver's DuckDB; DuckDB's own default puts
	// them last either way.
	nulls := flightsql.SqlNullOrderingSortHigh
	if row, qerr := cn.queryRow(ctx, "SELECT x IS NULL FROM (VALUES (1), (NULL)) t(x) ORDER BY x DESC LIMIT 1"); qerr == nil && len(row) == 1 && row[0] == "false" {
		nulls = flightsql.SqlNullOrderingSortAtEnd
	}
	register(flightsql.SqlInfoNullOrdering, int32(nulls))

	// Identifiers: PostgreSQL folds unquoted ones to lower case and keeps
	// quoted ones as written (case-sensitive, which Flight SQL's enum
	// cannot say: UNKNOWN); DuckDB keeps both and matches them without
	// regard to case.
	idCase, quotedCase := flightsql.SqlCaseSensitivityLowerCase, flightsql.SqlCaseSensitivityUnknown
	if row, qerr := cn.queryRow(ctx, `SELECT "X" FROM (SELECT 1 AS x) t`); qerr == nil && len(row) == 1 {
		idCase, quotedCase = flightsql.SqlCaseSensitivityCaseInsensitive, flightsql.SqlCaseSensitivityCaseInsensitive
	}
	register(flightsql.SqlInfoIdentifierCase, int32(idCase))
	register(flightsql.SqlInfoQuotedIdentifierCase, int32(quotedCase))

	// Isolation: PostgreSQL reports its level and offers all four; DuckDB
	// gives snapshot isolation, which is REPEATABLE READ in ANSI terms.
	level, levels := int32(3), int32(1<<3)
	if row, qerr := cn.queryRow(ctx, "SHOW transaction_isolation"); qerr == nil && len(row) == 1 {
		level, levels = isolationLevel(row[0]), 1<<1|1<<2|1<<3|1<<4
	}
	register(flightsql.SqlInfoDefaultTransactionIsolation, level)
	register(flightsql.SqlInfoSupportedTransactionsIsolationlevels, levels)

	register(flightsql.SqlInfoKeywords, keywords(ctx, cn))
	if err != nil {
		return err
	}
	if h.inf.types, err = probeTypes(ctx, cn); err != nil {
		return err
	}
	h.inf.done = true
	return nil
}

// isolationLevel numbers a PostgreSQL isolation level name as Flight SQL's
// SqlTransactionIsolationLevel does.
func isolationLevel(name string) int32 {
	switch strings.ToLower(name) {
	case "read uncommitted":
		return 1
	case "read committed":
		return 2
	case "repeatable read":
		return 3
	case "serializable":
		return 4
	}
	return 0
}

// keywords lists the backend's SQL keywords.
func keywords(ctx context.Context, cn *conn) []string {
	for _, sql := range []string{
		"SELECT word FROM pg_get_keywords() ORDER BY word",
		"SELECT keyword_name FROM duckdb_keywords() ORDER BY keyword_name",
	} {
		if words, err := cn.queryColumn(ctx, sql); err == nil && len(words) > 0 {
			return words
		}
	}
	return []string{}
}

// ensureProbed probes the backend once, on the call's session.
func (h *sqlServer) ensureProbed(ctx context.Context) error {
	h.inf.mu.Lock()
	done := h.inf.done
	h.inf.mu.Unlock()
	if done {
		return nil
	}
	ss, err := callFrom(ctx).session(ctx)
	if err != nil {
		return err
	}
	return h.probe(ctx, ss)
}

// GetFlightInfoSqlInfo returns a ticket for DoGetSqlInfo.
func (h *sqlServer) GetFlightInfoSqlInfo(ctx context.Context, cmd flightsql.GetSqlInfo, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	if err := h.ensureProbed(ctx); err != nil {
		return nil, toStatus(err)
	}
	return h.BaseServer.GetFlightInfoSqlInfo(ctx, cmd, desc)
}

// DoGetSqlInfo returns the SqlInfo values asked for, or all of them.
func (h *sqlServer) DoGetSqlInfo(ctx context.Context, cmd flightsql.GetSqlInfo) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	if err := h.ensureProbed(ctx); err != nil {
		return nil, nil, toStatus(err)
	}
	return h.BaseServer.DoGetSqlInfo(ctx, cmd)
}
