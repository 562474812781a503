package dispatch

import (
	"errors"
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/stmt"
)

// missingRelation words an engine's `relation "t" does not exist` as
// PostgreSQL words it for the client's statement st: DROP names the kind of
// object (`table "t" does not exist`); a name the client qualified is given
// qualified; a query, INSERT, UPDATE, DELETE or MERGE points at the name,
// and a utility statement (COPY, TRUNCATE, ALTER, CREATE INDEX, COMMENT),
// which PostgreSQL does not analyse, does not.
func missingRelation(err error, st *stmt.Statement) error {
	var pe *pgerror.Error
	if st == nil || st.Node == nil || !errors.As(err, &pe) || pe.Code != pgerror.UndefinedTable {
		return err
	}
	name, ok := strings.CutPrefix(pe.Message, `relation "`)
	if name, ok = strings.CutSuffix(name, `" does not exist`); !ok || strings.Contains(name, `"`) {
		return err
	}
	c := *pe
	if d := st.Node.GetDropStmt(); d != nil {
		noun, ok := dropNouns[d.RemoveType]
		if !ok {
			return err
		}
		c.Message, c.Position = noun+` "`+name+`" does not exist`, 0
		if d.RemoveType == pg_query.ObjectType_OBJECT_INDEX {
			c.Code = pgerror.UndefinedObject
		}
		return &c
	}
	var found *pg_query.RangeVar
	stmt.Walk(st.Node.ProtoReflect(), func(m protoreflect.Message) {
		if rv, ok := m.Interface().(*pg_query.RangeVar); ok && found == nil && rv.Relname == name {
			found = rv
		}
	})
	if found == nil {
		return err
	}
	written := name
	if found.Schemaname != "" {
		written = found.Schemaname + "." + written
		if found.Catalogname != "" {
			written = found.Catalogname + "." + written
		}
	}
	c.Message = `relation "` + written + `" does not exist`
	switch {
	case !analysed(st.Node):
		c.Position = 0
	case c.Position == 0 && found.Location >= 0 && int(found.Location) <= len(st.SQL):
		c.Position = int32(utf8.RuneCountInString(st.SQL[:found.Location]) + 1)
	}
	return &c
}

// dropNouns name the objects of DROP as PostgreSQL's messages do.
var dropNouns = map[pg_query.ObjectType]string{
	pg_query.ObjectType_OBJECT_TABLE:         "table",
	pg_query.ObjectType_OBJECT_VIEW:          "view",
	pg_query.ObjectType_OBJECT_MATVIEW:       "materialized view",
	pg_query.ObjectType_OBJECT_INDEX:         "index",
	pg_query.ObjectType_OBJECT_SEQUENCE:      "sequence",
	pg_query.ObjectType_OBJECT_FOREIGN_TABLE: "foreign table",
}

// analysed reports whether PostgreSQL runs parse analysis on n, which gives
// an error at a relation the position of its name.
func analysed(n *pg_query.Node) bool {
	switch x := n.Node.(type) {
	case *pg_query.Node_SelectStmt, *pg_query.Node_InsertStmt, *pg_query.Node_UpdateStmt,
		*pg_query.Node_DeleteStmt, *pg_query.Node_MergeStmt, *pg_query.Node_ExplainStmt,
		*pg_query.Node_CreateTableAsStmt, *pg_query.Node_ViewStmt, *pg_query.Node_DeclareCursorStmt:
		return true
	case *pg_query.Node_CopyStmt:
		return x.CopyStmt.Query != nil
	}
	return false
}
