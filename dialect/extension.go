package dialect

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/pgerror"
)

// planExtension plans CREATE, DROP and COMMENT ON EXTENSION on an engine
// with no PostgreSQL extensions: plpgsql, which every PostgreSQL database
// has (pg_dump scripts and migrations create it "if not exists"), already
// exists; any other extension is not available (0A000, naming it), where
// PostgreSQL reports a missing control file. ok is false for other
// statements.
func planExtension(n *pg_query.Node) (p *Plan, ok bool, err error) {
	switch x := n.Node.(type) {
	case *pg_query.Node_CreateExtensionStmt:
		name := x.CreateExtensionStmt.Extname
		if name != "plpgsql" {
			return nil, true, pgerror.New(pgerror.FeatureNotSupported, "extension \"%s\" is not available on this backend", name)
		}
		if !x.CreateExtensionStmt.IfNotExists {
			return nil, true, pgerror.New(pgerror.DuplicateObject, "extension \"%s\" already exists", name)
		}
		return &Plan{NoOp: true, Notices: []Notice{{Code: pgerror.DuplicateObject, Message: "extension \"" + name + "\" already exists, skipping"}}}, true, nil
	case *pg_query.Node_CommentStmt:
		if x.CommentStmt.Objtype != pg_query.ObjectType_OBJECT_EXTENSION {
			return nil, false, nil
		}
		name := x.CommentStmt.Object.GetString_().GetSval()
		if name != "plpgsql" {
			return nil, true, pgerror.New(pgerror.UndefinedObject, "extension \"%s\" does not exist", name)
		}
		return &Plan{NoOp: true}, true, nil
	case *pg_query.Node_DropStmt:
		d := x.DropStmt
		if d.RemoveType != pg_query.ObjectType_OBJECT_EXTENSION {
			return nil, false, nil
		}
		p := &Plan{NoOp: true}
		for _, o := range d.Objects {
			name := o.GetString_().GetSval()
			if name == "plpgsql" {
				return nil, true, pgerror.New(pgerror.FeatureNotSupported, "extension \"plpgsql\" cannot be dropped on this backend")
			}
			if !d.MissingOk {
				return nil, true, pgerror.New(pgerror.UndefinedObject, "extension \"%s\" does not exist", name)
			}
			p.Notices = append(p.Notices, Notice{Code: "00000", Message: "extension \"" + name + "\" does not exist, skipping"})
		}
		return p, true, nil
	}
	return nil, false, nil
}
