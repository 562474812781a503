package stmt

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// objectNames gives the words PostgreSQL's command tags use for object
// types (src/backend/tcop/cmdtaglist.h).
var objectNames = map[pg_query.ObjectType]string{
	pg_query.ObjectType_OBJECT_ACCESS_METHOD:   "ACCESS METHOD",
	pg_query.ObjectType_OBJECT_AGGREGATE:       "AGGREGATE",
	pg_query.ObjectType_OBJECT_CAST:            "CAST",
	pg_query.ObjectType_OBJECT_COLLATION:       "COLLATION",
	pg_query.ObjectType_OBJECT_CONVERSION:      "CONVERSION",
	pg_query.ObjectType_OBJECT_DATABASE:        "DATABASE",
	pg_query.ObjectType_OBJECT_DOMAIN:          "DOMAIN",
	pg_query.ObjectType_OBJECT_EVENT_TRIGGER:   "EVENT TRIGGER",
	pg_query.ObjectType_OBJECT_EXTENSION:       "EXTENSION",
	pg_query.ObjectType_OBJECT_FDW:             "FOREIGN DATA WRAPPER",
	pg_query.ObjectType_OBJECT_FOREIGN_SERVER:  "SERVER",
	pg_query.ObjectType_OBJECT_FOREIGN_TABLE:   "FOREIGN TABLE",
	pg_query.ObjectType_OBJECT_FUNCTION:        "FUNCTION",
	pg_query.ObjectType_OBJECT_INDEX:           "INDEX",
	pg_query.ObjectType_OBJECT_LANGUAGE:        "LANGUAGE",
	pg_query.ObjectType_OBJECT_MATVIEW:         "MATERIALIZED VIEW",
	pg_query.ObjectType_OBJECT_OPCLASS:         "OPERATOR CLASS",
	pg_query.ObjectType_OBJECT_OPERATOR:        "OPERATOR",
	pg_query.ObjectType_OBJECT_OPFAMILY:        "OPERATOR FAMILY",
	pg_query.ObjectType_OBJECT_POLICY:          "POLICY",
	pg_query.ObjectType_OBJECT_PROCEDURE:       "PROCEDURE",
	pg_query.ObjectType_OBJECT_PUBLICATION:     "PUBLICATION",
	pg_query.ObjectType_OBJECT_ROLE:            "ROLE",
	pg_query.ObjectType_OBJECT_ROUTINE:         "ROUTINE",
	pg_query.ObjectType_OBJECT_RULE:            "RULE",
	pg_query.ObjectType_OBJECT_SCHEMA:          "SCHEMA",
	pg_query.ObjectType_OBJECT_SEQUENCE:        "SEQUENCE",
	pg_query.ObjectType_OBJECT_SUBSCRIPTION:    "SUBSCRIPTION",
	pg_query.ObjectType_OBJECT_STATISTIC_EXT:   "STATISTICS",
	pg_query.ObjectType_OBJECT_TABLE:           "TABLE",
	pg_query.ObjectType_OBJECT_TABLESPACE:      "TABLESPACE",
	pg_query.ObjectType_OBJECT_TRANSFORM:       "TRANSFORM",
	pg_query.ObjectType_OBJECT_TRIGGER:         "TRIGGER",
	pg_query.ObjectType_OBJECT_TSCONFIGURATION: "TEXT SEARCH CONFIGURATION",
	pg_query.ObjectType_OBJECT_TSDICTIONARY:    "TEXT SEARCH DICTIONARY",
	pg_query.ObjectType_OBJECT_TSPARSER:        "TEXT SEARCH PARSER",
	pg_query.ObjectType_OBJECT_TSTEMPLATE:      "TEXT SEARCH TEMPLATE",
	pg_query.ObjectType_OBJECT_TYPE:            "TYPE",
	pg_query.ObjectType_OBJECT_USER_MAPPING:    "USER MAPPING",
	pg_query.ObjectType_OBJECT_VIEW:            "VIEW",
}

func objectName(t pg_query.ObjectType) string {
	if n, ok := objectNames[t]; ok {
		return n
	}
	return "TABLE"
}

// Classify decides a parsed statement's kind and command tag, following
// PostgreSQL's CreateCommandTag (src/backend/tcop/utility.c).
func Classify(n *pg_query.Node) Statement {
	s := Statement{Node: n, Kind: KindUtility}
	switch x := n.Node.(type) {
	case *pg_query.Node_SelectStmt:
		s.Kind, s.Tag = KindQuery, "SELECT"
		if x.SelectStmt.IntoClause != nil {
			s.Kind = KindDDL
		}
	case *pg_query.Node_InsertStmt:
		s.Kind, s.Tag, s.Returning = KindDML, "INSERT", len(x.InsertStmt.ReturningList) > 0
	case *pg_query.Node_UpdateStmt:
		s.Kind, s.Tag, s.Returning = KindDML, "UPDATE", len(x.UpdateStmt.ReturningList) > 0
	case *pg_query.Node_DeleteStmt:
		s.Kind, s.Tag, s.Returning = KindDML, "DELETE", len(x.DeleteStmt.ReturningList) > 0
	case *pg_query.Node_MergeStmt:
		s.Kind, s.Tag = KindDML, "MERGE"
	case *pg_query.Node_ExplainStmt:
		s.Kind, s.Tag = KindQuery, "EXPLAIN"
	case *pg_query.Node_VariableShowStmt:
		s.Kind, s.Tag = KindShow, "SHOW"
	case *pg_query.Node_VariableSetStmt:
		s.Kind, s.Tag = KindSet, "SET"
		switch x.VariableSetStmt.Kind {
		case pg_query.VariableSetKind_VAR_RESET, pg_query.VariableSetKind_VAR_RESET_ALL:
			s.Tag = "RESET"
		}
	case *pg_query.Node_TransactionStmt:
		s.Kind = KindTransaction
		switch x.TransactionStmt.Kind {
		case pg_query.TransactionStmtKind_TRANS_STMT_BEGIN:
			s.Tag, s.Tx = "BEGIN", TxBegin
		case pg_query.TransactionStmtKind_TRANS_STMT_START:
			s.Tag, s.Tx = "START TRANSACTION", TxBegin
		case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT:
			s.Tag, s.Tx = "COMMIT", TxCommit
		case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK:
			s.Tag, s.Tx = "ROLLBACK", TxRollback
		case pg_query.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
			s.Tag, s.Tx = "SAVEPOINT", TxSavepoint
		case pg_query.TransactionStmtKind_TRANS_STMT_RELEASE:
			s.Tag, s.Tx = "RELEASE", TxRelease
		case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
			s.Tag, s.Tx = "ROLLBACK", TxRollbackTo
		case pg_query.TransactionStmtKind_TRANS_STMT_PREPARE:
			s.Tag, s.Tx = "PREPARE TRANSACTION", TxPrepare
		case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT_PREPARED:
			s.Tag, s.Tx = "COMMIT PREPARED", TxCommitPrepared
		case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_PREPARED:
			s.Tag, s.Tx = "ROLLBACK PREPARED", TxRollbackPrepared
		}
	case *pg_query.Node_CopyStmt:
		s.Kind, s.Tag = KindCopy, "COPY"
	case *pg_query.Node_CreateStmt:
		s.Kind, s.Tag = KindDDL, "CREATE TABLE"
		if x.CreateStmt.Relation != nil && x.CreateStmt.Relation.Relpersistence == "f" {
			s.Tag = "CREATE FOREIGN TABLE"
		}
	case *pg_query.Node_CreateForeignTableStmt:
		s.Kind, s.Tag = KindDDL, "CREATE FOREIGN TABLE"
	case *pg_query.Node_CreateTableAsStmt:
		s.Kind = KindDDL
		switch x.CreateTableAsStmt.Objtype {
		case pg_query.ObjectType_OBJECT_MATVIEW:
			s.Tag = "SELECT" // PostgreSQL 15 reports "SELECT n" for CREATE MATERIALIZED VIEW
		default:
			s.Tag = "SELECT"
		}
	case *pg_query.Node_ViewStmt:
		s.Kind, s.Tag = KindDDL, "CREATE VIEW"
	case *pg_query.Node_IndexStmt:
		s.Kind, s.Tag = KindDDL, "CREATE INDEX"
	case *pg_query.Node_CreateSchemaStmt:
		s.Kind, s.Tag = KindDDL, "CREATE SCHEMA"
	case *pg_query.Node_CreateSeqStmt:
		s.Kind, s.Tag = KindDDL, "CREATE SEQUENCE"
	case *pg_query.Node_AlterSeqStmt:
		s.Kind, s.Tag = KindDDL, "ALTER SEQUENCE"
	case *pg_query.Node_CreateFunctionStmt:
		s.Kind, s.Tag = KindDDL, "CREATE FUNCTION"
		if x.CreateFunctionStmt.IsProcedure {
			s.Tag = "CREATE PROCEDURE"
		}
	case *pg_query.Node_CreateExtensionStmt:
		s.Kind, s.Tag = KindDDL, "CREATE EXTENSION"
	case *pg_query.Node_CreatedbStmt:
		s.Kind, s.Tag = KindDDL, "CREATE DATABASE"
	case *pg_query.Node_DropdbStmt:
		s.Kind, s.Tag = KindDDL, "DROP DATABASE"
	case *pg_query.Node_CreateRoleStmt:
		s.Kind, s.Tag = KindDDL, "CREATE ROLE"
		if x.CreateRoleStmt.StmtType == pg_query.RoleStmtType_ROLESTMT_USER {
			s.Tag = "CREATE USER"
		} else if x.CreateRoleStmt.StmtType == pg_query.RoleStmtType_ROLESTMT_GROUP {
			s.Tag = "CREATE GROUP"
		}
	case *pg_query.Node_DropRoleStmt:
		s.Kind, s.Tag = KindDDL, "DROP ROLE"
	case *pg_query.Node_CreateEnumStmt, *pg_query.Node_CompositeTypeStmt, *pg_query.Node_CreateRangeStmt:
		s.Kind, s.Tag = KindDDL, "CREATE TYPE"
	case *pg_query.Node_CreateDomainStmt:
		s.Kind, s.Tag = KindDDL, "CREATE DOMAIN"
	case *pg_query.Node_CreateTrigStmt:
		s.Kind, s.Tag = KindDDL, "CREATE TRIGGER"
	case *pg_query.Node_RuleStmt:
		s.Kind, s.Tag = KindDDL, "CREATE RULE"
	case *pg_query.Node_DefineStmt:
		s.Kind, s.Tag = KindDDL, "CREATE "+objectName(x.DefineStmt.Kind)
	case *pg_query.Node_DropStmt:
		s.Kind, s.Tag = KindDDL, "DROP "+objectName(x.DropStmt.RemoveType)
	case *pg_query.Node_AlterTableStmt:
		s.Kind, s.Tag = KindDDL, "ALTER "+objectName(x.AlterTableStmt.Objtype)
	case *pg_query.Node_RenameStmt:
		t := x.RenameStmt.RenameType
		if t == pg_query.ObjectType_OBJECT_COLUMN || t == pg_query.ObjectType_OBJECT_TABCONSTRAINT ||
			t == pg_query.ObjectType_OBJECT_ATTRIBUTE {
			t = x.RenameStmt.RelationType
		}
		s.Kind, s.Tag = KindDDL, "ALTER "+objectName(t)
	case *pg_query.Node_AlterObjectSchemaStmt:
		s.Kind, s.Tag = KindDDL, "ALTER "+objectName(x.AlterObjectSchemaStmt.ObjectType)
	case *pg_query.Node_AlterOwnerStmt:
		s.Kind, s.Tag = KindDDL, "ALTER "+objectName(x.AlterOwnerStmt.ObjectType)
	case *pg_query.Node_AlterRoleStmt:
		s.Kind, s.Tag = KindDDL, "ALTER ROLE"
	case *pg_query.Node_AlterFunctionStmt:
		s.Kind, s.Tag = KindDDL, "ALTER FUNCTION"
	case *pg_query.Node_CommentStmt:
		s.Kind, s.Tag = KindDDL, "COMMENT"
	case *pg_query.Node_GrantStmt:
		s.Kind, s.Tag = KindDDL, "GRANT"
		if !x.GrantStmt.IsGrant {
			s.Tag = "REVOKE"
		}
	case *pg_query.Node_GrantRoleStmt:
		s.Kind, s.Tag = KindDDL, "GRANT ROLE"
		if !x.GrantRoleStmt.IsGrant {
			s.Tag = "REVOKE ROLE"
		}
	case *pg_query.Node_TruncateStmt:
		s.Kind, s.Tag = KindDDL, "TRUNCATE TABLE"
	case *pg_query.Node_VacuumStmt:
		s.Tag = "VACUUM"
		if !x.VacuumStmt.IsVacuumcmd {
			s.Tag = "ANALYZE"
		}
	case *pg_query.Node_DiscardStmt:
		switch x.DiscardStmt.Target {
		case pg_query.DiscardMode_DISCARD_PLANS:
			s.Tag = "DISCARD PLANS"
		case pg_query.DiscardMode_DISCARD_SEQUENCES:
			s.Tag = "DISCARD SEQUENCES"
		case pg_query.DiscardMode_DISCARD_TEMP:
			s.Tag = "DISCARD TEMP"
		default:
			s.Tag = "DISCARD ALL"
		}
	case *pg_query.Node_DeclareCursorStmt:
		s.Tag = "DECLARE CURSOR"
	case *pg_query.Node_FetchStmt:
		s.Tag = "FETCH"
		if x.FetchStmt.Ismove {
			s.Tag = "MOVE"
		}
	case *pg_query.Node_ClosePortalStmt:
		s.Tag = "CLOSE CURSOR"
		if x.ClosePortalStmt.Portalname == "" {
			s.Tag = "CLOSE CURSOR ALL"
		}
	case *pg_query.Node_PrepareStmt:
		s.Tag = "PREPARE"
	case *pg_query.Node_ExecuteStmt:
		s.Tag = "EXECUTE"
	case *pg_query.Node_DeallocateStmt:
		s.Tag = "DEALLOCATE"
		if x.DeallocateStmt.Isall {
			s.Tag = "DEALLOCATE ALL"
		}
	case *pg_query.Node_DoStmt:
		s.Tag = "DO"
	case *pg_query.Node_CallStmt:
		s.Tag = "CALL"
	case *pg_query.Node_CheckPointStmt:
		s.Tag = "CHECKPOINT"
	case *pg_query.Node_LockStmt:
		s.Tag = "LOCK TABLE"
	case *pg_query.Node_ListenStmt:
		s.Tag = "LISTEN"
	case *pg_query.Node_UnlistenStmt:
		s.Tag = "UNLISTEN"
	case *pg_query.Node_NotifyStmt:
		s.Tag = "NOTIFY"
	case *pg_query.Node_LoadStmt:
		s.Tag = "LOAD"
	case *pg_query.Node_ReindexStmt:
		s.Tag = "REINDEX"
	case *pg_query.Node_ClusterStmt:
		s.Tag = "CLUSTER"
	case *pg_query.Node_RefreshMatViewStmt:
		s.Kind, s.Tag = KindDDL, "REFRESH MATERIALIZED VIEW"
	case *pg_query.Node_ConstraintsSetStmt:
		s.Tag = "SET CONSTRAINTS"
	default:
		// Fall back to the node's name: "CreatePolicyStmt" -> "CREATE POLICY".
		s.Tag = tagFromNodeName(n)
	}
	return s
}

func tagFromNodeName(n *pg_query.Node) string {
	name := string(n.ProtoReflect().WhichOneof(n.ProtoReflect().Descriptor().Oneofs().Get(0)).Message().Name())
	name = strings.TrimSuffix(name, "Stmt")
	var b strings.Builder
	for i, r := range name {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}
