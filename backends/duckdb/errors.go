//go:build duckdb_arrow

package duckdb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	bindings "github.com/duckdb/duckdb-go-bindings"
	"golang.org/x/text/width"

	"github.com/quiverdb/quiver/catalog"
	"github.com/quiverdb/quiver/pgerror"
	"github.com/quiverdb/quiver/types"
)

// SQLSTATEs used here that pgerror does not name.
const (
	dependentObjectsStillExist     = "2BP01"
	invalidForeignKey              = "42830"
	sequenceGeneratorLimitExceeded = "2200H"
	duplicateFunction              = "42723"
	duplicateAlias                 = "42712"
)

// msgCanceled is PostgreSQL's message for a statement cancelled on request.
const msgCanceled = "canceling statement due to user request"

// errorClass describes one DuckDB error type: the prefix DuckDB puts in
// front of its messages ("Catalog Error: ") and the SQLSTATE it maps to when
// the message says nothing more specific.
type errorClass struct {
	prefix string
	code   string
}

// errorClasses maps every DuckDB error type (duckdb_error_type) to its
// message prefix and default SQLSTATE. The array is indexed by the enum
// value; TestErrorClassesComplete checks that no entry is missing.
var errorClasses = [bindings.ErrorTypeInvalidConfiguration + 1]errorClass{
	bindings.ErrorTypeInvalid:              {"Invalid Error", pgerror.InternalError},
	bindings.ErrorTypeOutOfRange:           {"Out of Range Error", pgerror.NumericValueOutOfRange},
	bindings.ErrorTypeConversion:           {"Conversion Error", pgerror.InvalidTextRepresentation},
	bindings.ErrorTypeUnknownType:          {"Unknown Type Error", pgerror.UndefinedObject},
	bindings.ErrorTypeDecimal:              {"Decimal Error", pgerror.NumericValueOutOfRange},
	bindings.ErrorTypeMismatchType:         {"Mismatch Type Error", pgerror.DatatypeMismatch},
	bindings.ErrorTypeDivideByZero:         {"Divide by Zero Error", pgerror.DivisionByZero},
	bindings.ErrorTypeObjectSize:           {"Object Size Error", pgerror.ProgramLimitExceeded},
	bindings.ErrorTypeInvalidType:          {"Invalid type Error", pgerror.DatatypeMismatch},
	bindings.ErrorTypeSerialization:        {"Serialization Error", pgerror.InternalError},
	bindings.ErrorTypeTransaction:          {"TransactionContext Error", pgerror.InvalidTransactionState},
	bindings.ErrorTypeNotImplemented:       {"Not implemented Error", pgerror.FeatureNotSupported},
	bindings.ErrorTypeExpression:           {"Expression Error", pgerror.SyntaxErrorOrAccessRuleViolation},
	bindings.ErrorTypeCatalog:              {"Catalog Error", pgerror.UndefinedObject},
	bindings.ErrorTypeParser:               {"Parser Error", pgerror.SyntaxError},
	bindings.ErrorTypePlanner:              {"Planner Error", pgerror.SyntaxErrorOrAccessRuleViolation},
	bindings.ErrorTypeScheduler:            {"Scheduler Error", pgerror.InternalError},
	bindings.ErrorTypeExecutor:             {"Executor Error", pgerror.InternalError},
	bindings.ErrorTypeConstraint:           {"Constraint Error", pgerror.IntegrityConstraintViolation},
	bindings.ErrorTypeIndex:                {"Index Error", pgerror.InternalError},
	bindings.ErrorTypeStat:                 {"Stat Error", pgerror.InternalError},
	bindings.ErrorTypeConnection:           {"Connection Error", pgerror.ConnectionFailure},
	bindings.ErrorTypeSyntax:               {"Syntax Error", pgerror.SyntaxError},
	bindings.ErrorTypeSettings:             {"Settings Error", pgerror.InvalidParameterValue},
	bindings.ErrorTypeBinder:               {"Binder Error", pgerror.SyntaxErrorOrAccessRuleViolation},
	bindings.ErrorTypeNetwork:              {"Network Error", pgerror.ConnectionException},
	bindings.ErrorTypeOptimizer:            {"Optimizer Error", pgerror.InternalError},
	bindings.ErrorTypeNullPointer:          {"NullPointer Error", pgerror.InternalError},
	bindings.ErrorTypeErrorIO:              {"IO Error", pgerror.IOError},
	bindings.ErrorTypeInterrupt:            {"INTERRUPT Error", pgerror.QueryCanceled},
	bindings.ErrorTypeFatal:                {"FATAL Error", pgerror.InternalError},
	bindings.ErrorTypeInternal:             {"INTERNAL Error", pgerror.InternalError},
	bindings.ErrorTypeInvalidInput:         {"Invalid Input Error", pgerror.InvalidParameterValue},
	bindings.ErrorTypeOutOfMemory:          {"Out of Memory Error", pgerror.OutOfMemory},
	bindings.ErrorTypePermission:           {"Permission Error", pgerror.InsufficientPrivilege},
	bindings.ErrorTypeParameterNotResolved: {"Parameter Not Resolved Error", pgerror.IndeterminateDatatype},
	bindings.ErrorTypeParameterNotAllowed:  {"Parameter Not Allowed Error", pgerror.FeatureNotSupported},
	bindings.ErrorTypeDependency:           {"Dependency Error", dependentObjectsStillExist},
	bindings.ErrorTypeHTTP:                 {"HTTP Error", pgerror.SystemError},
	bindings.ErrorTypeMissingExtension:     {"Missing Extension Error", pgerror.FeatureNotSupported},
	bindings.ErrorTypeAutoload:             {"Extension Autoloading Error", pgerror.FeatureNotSupported},
	bindings.ErrorTypeSequence:             {"Sequence Error", sequenceGeneratorLimitExceeded},
	bindings.ErrorTypeInvalidConfiguration: {"Invalid Configuration Error", pgerror.InvalidParameterValue},
}

// errorTypeOf finds the error type from the prefix of a DuckDB message. The
// prepare and pending APIs report only a message, not a type.
func errorTypeOf(msg string) (bindings.ErrorType, bool) {
	prefix, _, ok := strings.Cut(msg, ": ")
	if !ok {
		return bindings.ErrorTypeInvalid, false
	}
	for t, c := range errorClasses {
		if c.prefix == prefix {
			return bindings.ErrorType(t), true
		}
	}
	return bindings.ErrorTypeInvalid, false
}

// engineError turns a DuckDB error into a *pgerror.Error. typ is the error
// type when DuckDB reported one, or ErrorTypeInvalid to derive it from the
// message prefix. sql is the statement text, used to compute the position
// of DuckDB's "LINE n:" caret. When ctx is done the error is a cancellation,
// whatever DuckDB said about it.
func engineError(ctx context.Context, typ bindings.ErrorType, msg, sql string) error {
	if ctx != nil && ctx.Err() != nil {
		return canceled(ctx)
	}
	return translate(typ, msg, sql)
}

// canceled is the error for a statement stopped because ctx is done.
func canceled(ctx context.Context) error {
	e := pgerror.Wrap(context.Cause(ctx), pgerror.QueryCanceled)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		e.Message = "canceling statement due to statement timeout"
	} else {
		e.Message = msgCanceled
	}
	return e
}

// translate maps a DuckDB error message to a PostgreSQL error: the SQLSTATE
// from the type, refined by the message where DuckDB's types are coarser
// than SQLSTATEs, and the message reworded the way PostgreSQL says it where
// PostgreSQL has an equivalent.
func translate(typ bindings.ErrorType, msg, sql string) *pgerror.Error {
	if t, ok := errorTypeOf(msg); ok && (typ == bindings.ErrorTypeInvalid || typ == bindings.ErrorTypeInvalidInput) {
		// A result's error type can be less precise than its message: an
		// interrupted stream reports Invalid Input with the interrupt
		// message on a later line, handled below.
		typ = t
	}
	if strings.Contains(msg, "INTERRUPT Error: Interrupted!") {
		typ = bindings.ErrorTypeInterrupt
	}
	body := msg
	if int(typ) < len(errorClasses) {
		body = strings.TrimPrefix(body, errorClasses[typ].prefix+": ")
	}
	body, pos := splitContext(body, sql)
	first, rest, _ := strings.Cut(body, "\n")
	rest = strings.TrimSpace(rest)

	e := &pgerror.Error{Severity: "ERROR", Code: pgerror.InternalError, Message: first, Position: pos}
	if int(typ) < len(errorClasses) {
		e.Code = errorClasses[typ].code
	}
	if typ == bindings.ErrorTypeFatal {
		// DuckDB's fatal errors invalidate the database: end the session.
		e.Severity = "FATAL"
	}
	if rest != "" {
		e.Hint = rest
	}
	if r, ok := refiners[typ]; ok {
		r(e, first)
	}
	if code, m, ok := ownCode(e.Message); ok && typ == bindings.ErrorTypeInvalidInput {
		e.Code, e.Message = code, m
	}
	placeLikePostgres(e, typ, sql)
	return e
}

// ownCode splits a message that starts with pgerror.RaisePrefix (an error
// quiver's own SQL raises with error()) into its SQLSTATE and the message.
// Other errors error() raises are 22023.
func ownCode(m string) (code, msg string, ok bool) {
	rest, ok := strings.CutPrefix(m, pgerror.RaisePrefix)
	if !ok || len(rest) < 7 || rest[5:7] != ": " {
		return "", "", false
	}
	for i := range 5 {
		if c := rest[i]; (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return "", "", false
		}
	}
	return rest[:5], rest[7:], true
}

// placeLikePostgres sets the error position where PostgreSQL puts it and
// DuckDB does not: at the end of the text for a syntax error at its end, at
// a parameter given no value, and at the literal that failed to convert
// rather than at the cast.
func placeLikePostgres(e *pgerror.Error, typ bindings.ErrorType, sql string) {
	switch {
	case sql == "":
	case e.Code == pgerror.SyntaxError && e.Message == "syntax error at end of input" && e.Position == 0:
		e.Position = int32(utf8.RuneCountInString(sql) + 1)
	case e.Code == pgerror.UndefinedParameter:
		p := e.Message[strings.LastIndexByte(e.Message, ' ')+1:]
		for j := 0; j+len(p) <= len(sql); j++ {
			k := j + len(p)
			if sql[j:k] == p && (k == len(sql) || sql[k] < '0' || sql[k] > '9') {
				e.Position = int32(utf8.RuneCountInString(sql[:j]) + 1)
				break
			}
		}
	case typ == bindings.ErrorTypeConversion:
		e.Position = 0
		// invalid input syntax for type integer: "abc"
		i := strings.Index(e.Message, `: "`)
		if i < 0 || !strings.HasSuffix(e.Message, `"`) {
			return
		}
		lit := "'" + strings.ReplaceAll(e.Message[i+3:len(e.Message)-1], "'", "''") + "'"
		if j := strings.Index(sql, lit); j >= 0 && strings.LastIndex(sql, lit) == j {
			e.Position = int32(utf8.RuneCountInString(sql[:j]) + 1)
		}
	}
}

// refiners reword a message and pick a finer SQLSTATE for the DuckDB error
// types whose messages name several PostgreSQL conditions.
var refiners = map[bindings.ErrorType]func(e *pgerror.Error, m string){
	bindings.ErrorTypeCatalog:     refineCatalog,
	bindings.ErrorTypeBinder:      refineBinder,
	bindings.ErrorTypeConstraint:  refineConstraint,
	bindings.ErrorTypeConversion:  refineConversion,
	bindings.ErrorTypeOutOfRange:  refineOutOfRange,
	bindings.ErrorTypeTransaction: refineTransaction,
	bindings.ErrorTypeInterrupt: func(e *pgerror.Error, _ string) {
		e.Message, e.Hint = msgCanceled, ""
	},
	bindings.ErrorTypeDivideByZero: func(e *pgerror.Error, _ string) {
		e.Message = "division by zero"
	},
	bindings.ErrorTypeInvalidInput: func(e *pgerror.Error, m string) {
		switch {
		case m == "division by zero":
			// Raised by the dialect layer's check of divisors.
			e.Code, e.Message, e.Hint = pgerror.DivisionByZero, "division by zero", ""
		case m == catalog.UpsertTwice:
			// Raised by the dialect layer's check of an upsert's keys.
			e.Code, e.Message = pgerror.CardinalityViolation, m
			e.Hint = "Ensure that no rows proposed for insertion within the same command have duplicate constrained values."
		case strings.HasPrefix(m, catalog.TooLong):
			// Raised by the dialect layer's check of the values a column
			// holds when ALTER COLUMN TYPE gives it a length.
			e.Code, e.Hint = pgerror.StringDataRightTruncation, ""
		case strings.HasPrefix(m, "changing the type of column ") && strings.HasSuffix(m, " needs USING on DuckDB"):
			// Raised by the dialect layer when ALTER COLUMN TYPE to a
			// string type would have to convert a column.
			e.Code = pgerror.FeatureNotSupported
		case strings.HasPrefix(m, "More than one row returned by a subquery"):
			e.Code, e.Hint = pgerror.CardinalityViolation, ""
			e.Message = "more than one row returned by a subquery used as an expression"
		case strings.HasPrefix(m, "Values were not provided for the following prepared statement parameters: "):
			// Only Query runs without values: Execute checks the count.
			first, _, _ := strings.Cut(m[len("Values were not provided for the following prepared statement parameters: "):], ",")
			e.Code, e.Message = pgerror.UndefinedParameter, "there is no parameter $"+first
		case strings.HasPrefix(m, "Expected ") && strings.Contains(m, " parameters, but "):
			e.Code = pgerror.ProtocolViolation
		}
	},
}

// catalogKinds maps DuckDB's catalog entry names to PostgreSQL's words and
// SQLSTATEs for "does not exist" and "already exists".
var catalogKinds = []struct {
	duck, pg          string
	missing, existing string
	quote             bool
}{
	{"Table Function", "function", pgerror.UndefinedFunction, duplicateFunction, false},
	{"Scalar Function", "function", pgerror.UndefinedFunction, duplicateFunction, false},
	{"Aggregate Function", "function", pgerror.UndefinedFunction, duplicateFunction, false},
	{"Pragma Function", "function", pgerror.UndefinedFunction, duplicateFunction, false},
	{"Macro Function", "function", pgerror.UndefinedFunction, duplicateFunction, false},
	{"Table Macro Function", "function", pgerror.UndefinedFunction, duplicateFunction, false},
	{"Function", "function", pgerror.UndefinedFunction, duplicateFunction, false},
	{"Table", "relation", pgerror.UndefinedTable, pgerror.DuplicateTable, true},
	{"View", "relation", pgerror.UndefinedTable, pgerror.DuplicateTable, true},
	{"Sequence", "relation", pgerror.UndefinedTable, pgerror.DuplicateTable, true},
	{"Index", "relation", pgerror.UndefinedTable, pgerror.DuplicateTable, true},
	{"Schema", "schema", pgerror.InvalidSchemaName, pgerror.DuplicateSchema, true},
	{"Type", "type", pgerror.UndefinedObject, pgerror.DuplicateObject, true},
	{"Collation", "collation", pgerror.UndefinedObject, pgerror.DuplicateObject, true},
	{"Copy Function", "function", pgerror.UndefinedFunction, duplicateFunction, false},
}

func refineCatalog(e *pgerror.Error, m string) {
	if strings.HasPrefix(m, "unrecognized configuration parameter") {
		e.Code = pgerror.UndefinedObject
		return
	}
	for _, k := range catalogKinds {
		rest, ok := strings.CutPrefix(m, k.duck+" with name ")
		if !ok {
			continue
		}
		name, tail := catalogName(rest)
		what := name
		if k.quote {
			what = `"` + name + `"`
		}
		switch {
		case strings.HasPrefix(tail, "does not exist"):
			e.Code = k.missing
			e.Message = k.pg + " " + what + " does not exist"
			if strings.HasPrefix(e.Hint, "Did you mean") {
				// DuckDB's guesses draw on its own catalog
				// (sqlite_master, pg_enum, ...); PostgreSQL
				// guesses nothing here.
				e.Hint = ""
			}
		case strings.HasPrefix(tail, "already exists"):
			e.Code = k.existing
			e.Message = k.pg + " " + what + " already exists"
		}
		return
	}
	if strings.Contains(m, "does not exist") {
		e.Code = pgerror.UndefinedObject
	} else if strings.Contains(m, "already exists") {
		e.Code = pgerror.DuplicateObject
	}
}

// catalogName splits `nosuch does not exist!` or `"e" already exists!` into
// the name and the rest.
func catalogName(s string) (name, tail string) {
	if strings.HasPrefix(s, `"`) {
		if i := strings.Index(s[1:], `"`); i >= 0 {
			return s[1 : i+1], strings.TrimSpace(s[i+2:])
		}
	}
	name, tail, _ = strings.Cut(s, " ")
	return name, tail
}

// dropCandidates drops DuckDB's list of the columns it could have meant
// ("Candidate bindings: ..."), which is not PostgreSQL's hint ("Perhaps you
// meant to reference the column ...", given only for a close match).
func dropCandidates(e *pgerror.Error) {
	if strings.HasPrefix(e.Hint, "Candidate bindings") {
		e.Hint = ""
	}
}

func refineBinder(e *pgerror.Error, m string) {
	switch {
	case strings.HasPrefix(m, "Referenced column "):
		name, _ := quoted(m[len("Referenced column "):])
		e.Code, e.Message = pgerror.UndefinedColumn, `column "`+name+`" does not exist`
		dropCandidates(e)
	case strings.HasPrefix(m, "Table ") && strings.Contains(m, " does not have a column named "):
		table, rest := quoted(m[len("Table "):])
		_, col, _ := strings.Cut(rest, "does not have a column named ")
		col, _ = quoted(col)
		e.Code, e.Message = pgerror.UndefinedColumn, "column "+table+"."+col+" does not exist"
		dropCandidates(e)
	case strings.HasPrefix(m, "Referenced table ") && strings.Contains(m, "not found"):
		name, _ := quoted(m[len("Referenced table "):])
		e.Code, e.Message = pgerror.UndefinedTable, `missing FROM-clause entry for table "`+name+`"`
	case strings.Contains(m, "must appear in the GROUP BY clause"):
		e.Code = pgerror.GroupingError
		e.Message = strings.Replace(strings.TrimSuffix(m, "."), "or must be part of an aggregate function", "or be used in an aggregate function", 1)
		e.Hint = ""
	case strings.HasPrefix(m, "Failed to create foreign key: incompatible types between column "):
		// `incompatible types between column "id" ("BIGINT") and column
		// "a" ("INTEGER")`: PostgreSQL takes integer against bigint.
		e.Code = pgerror.FeatureNotSupported
		e.Message = "a foreign key column must have the type of the column it references on DuckDB: " +
			strings.TrimPrefix(m, "Failed to create foreign key: ")
	case strings.HasPrefix(m, "Failed to create foreign key: "):
		// `there is no primary key or unique constraint for referenced
		// table "p"`, or `referenced table "p" does not have a primary
		// key or unique constraint on the columns a,b`.
		if _, rest, ok := strings.Cut(m, `table "`); ok {
			table, _, _ := strings.Cut(rest, `"`)
			e.Code, e.Message = invalidForeignKey, `there is no unique constraint matching given keys for referenced table "`+table+`"`
		}
	case strings.HasPrefix(m, "Ambiguous reference to column"):
		e.Code = pgerror.AmbiguousColumn
	case strings.HasPrefix(m, "Ambiguous reference to table"), strings.HasPrefix(m, "Duplicate alias"):
		e.Code = duplicateAlias
	case strings.HasPrefix(m, "No function matches"):
		e.Code = pgerror.UndefinedFunction
	case strings.HasPrefix(m, "Could not choose a best candidate function"):
		e.Code = pgerror.AmbiguousFunction
	case strings.HasPrefix(m, "Cannot compare values of type"), strings.HasPrefix(m, "Cannot mix values of type"),
		strings.Contains(m, "an explicit cast is required"):
		e.Code = pgerror.DatatypeMismatch
	case strings.HasPrefix(m, "Cannot change the type of a column that has a CHECK constraint"):
		// DuckDB cannot; the check may be quiver's (catalog.LengthCheck).
		e.Code = pgerror.FeatureNotSupported
		e.Message = "cannot change the type of a column with a check constraint on DuckDB"
		e.Hint = "A varchar(n) or char(n) column made by CREATE TABLE has one that checks its length."
	case strings.HasPrefix(m, "Could not determine type of parameters"), strings.Contains(m, "could not be resolved"):
		e.Code = pgerror.IndeterminateDatatype
	case strings.Contains(m, "aggregate function calls cannot be nested"), strings.Contains(m, "aggregate functions are not allowed"),
		strings.Contains(m, "window functions are not allowed"):
		e.Code = pgerror.GroupingError
	case strings.Contains(m, "does not exist"):
		e.Code = pgerror.UndefinedObject
	}
}

func refineConstraint(e *pgerror.Error, m string) {
	switch {
	case strings.Contains(m, "uplicate key "):
		// Duplicate key "a: 1" violates primary key constraint.
		// PRIMARY KEY or UNIQUE constraint violation: duplicate key "1"
		i := strings.Index(m, "uplicate key ")
		key, _ := quoted(m[i+len("uplicate key "):])
		e.Code = pgerror.UniqueViolation
		e.Message = "duplicate key value violates unique constraint"
		e.Detail = "Key " + pgKey(key) + " already exists."
		e.Hint = ""
	case strings.HasPrefix(m, "NOT NULL constraint failed: "):
		target := m[len("NOT NULL constraint failed: "):]
		e.Code = pgerror.NotNullViolation
		e.ColumnName = target
		if i := strings.LastIndexByte(target, '.'); i >= 0 {
			e.TableName, e.ColumnName = target[:i], target[i+1:]
			e.Message = `null value in column "` + e.ColumnName + `" of relation "` + e.TableName + `" violates not-null constraint`
		} else {
			e.Message = `null value in column "` + target + `" violates not-null constraint`
		}
	case strings.HasPrefix(m, "CHECK constraint failed on table ") && tooLong(m) != "":
		// A varchar(n) or char(n) column's length check.
		e.Code, e.Message, e.Detail, e.Hint = pgerror.StringDataRightTruncation, tooLong(m), "", ""
	case strings.HasPrefix(m, "CHECK constraint failed on table "):
		table, expr, _ := strings.Cut(m[len("CHECK constraint failed on table "):], " with expression ")
		e.Code = pgerror.CheckViolation
		e.Message = `new row for relation "` + table + `" violates check constraint`
		e.Detail = "Failing expression: " + expr
	case strings.Contains(m, "foreign key"):
		e.Code = pgerror.ForeignKeyViolation
		key, rest := "", m
		if i := strings.Index(m, `key "`); i >= 0 {
			key, rest = quoted(m[i+len("key "):])
		}
		if strings.Contains(rest, "still referenced") {
			e.Message = "update or delete violates foreign key constraint"
			if key != "" {
				e.Detail = "Key " + pgKey(key) + " is still referenced from another table."
			}
		} else {
			e.Message = "insert or update violates foreign key constraint"
			if key != "" {
				e.Detail = "Key " + pgKey(key) + " is not present in referenced table."
			}
		}
	}
}

// tooLong returns PostgreSQL's message for the failure of a CHECK
// constraint that is a varchar(n) or char(n) column's length check
// (catalog.LengthCheck), "" for another: m is DuckDB's message, `CHECK
// constraint failed on table t with expression CHECK((len(a) <= 5))`.
func tooLong(m string) string {
	const open = " with expression CHECK("
	i := strings.LastIndex(m, open)
	if i < 0 || !strings.HasSuffix(m, ")") {
		return ""
	}
	msg, _ := catalog.TooLongMessage(m[i+len(open) : len(m)-1])
	return msg
}

// pgKey turns DuckDB's `a: 1, b: x` into PostgreSQL's `(a, b)=(1, x)`.
func pgKey(k string) string {
	var cols, vals []string
	for _, part := range strings.Split(k, ", ") {
		c, v, ok := strings.Cut(part, ": ")
		if !ok {
			return "(" + k + ")" // DuckDB gave only the values
		}
		cols, vals = append(cols, c), append(vals, v)
	}
	return "(" + strings.Join(cols, ", ") + ")=(" + strings.Join(vals, ", ") + ")"
}

// pgTypeNames maps DuckDB's physical type names, used in conversion
// messages, to PostgreSQL's type names.
var pgTypeNames = map[string]string{
	"INT8": "tinyint", "INT16": "smallint", "INT32": "integer", "INT64": "bigint",
	"INT128": "hugeint", "UINT8": "utinyint", "UINT16": "usmallint", "UINT32": "uinteger", "UINT64": "ubigint",
	"DOUBLE": "double precision", "FLOAT": "real", "BOOL": "boolean", "VARCHAR": "text",
	"DATE": "date", "TIMESTAMP": "timestamp", "TIME": "time", "INTERVAL": "interval", "UUID": "uuid", "BLOB": "bytea",
}

func pgTypeName(duck string) string {
	if n, ok := pgTypeNames[duck]; ok {
		return n
	}
	if strings.HasPrefix(duck, "DECIMAL") {
		return "numeric"
	}
	return strings.ToLower(duck)
}

func refineConversion(e *pgerror.Error, m string) {
	switch {
	case strings.HasPrefix(m, "Type VARCHAR with value '") && strings.Contains(m, "' can't be cast to the destination type "):
		// A string DuckDB casts to a list when a row needs it: one that
		// PostgreSQL would have read as an array literal, where the
		// dialect layer found no context to cast it in and left it as a
		// string (a malformed one among them). PostgreSQL's array_in says
		// what is wrong with it.
		i := strings.LastIndex(m, "' can't be cast to the destination type ")
		val, typ := m[len("Type VARCHAR with value '"):i], m[i+len("' can't be cast to the destination type "):]
		if !strings.HasSuffix(typ, "]") {
			return
		}
		if _, _, err := types.ParseArrayLiteral(val); err != nil {
			pe := pgerror.Flatten(err)
			e.Code, e.Message, e.Detail, e.Hint = pe.Code, pe.Message, pe.Detail, ""
		}
	case strings.HasPrefix(m, "Could not convert string "):
		rest := m[len("Could not convert string "):]
		if rest == "" {
			return
		}
		q := rest[0]
		end := strings.LastIndex(rest, string(q)+" to ")
		if end <= 0 {
			return
		}
		val, typ := rest[1:end], rest[end+len(" to ")+1:]
		e.Message = "invalid input syntax for type " + pgTypeName(typ) + `: "` + val + `"`
	case strings.Contains(m, "out of range for the destination type "):
		_, typ, _ := strings.Cut(m, "out of range for the destination type ")
		e.Code = pgerror.NumericValueOutOfRange
		e.Message = pgTypeName(strings.TrimSpace(typ)) + " out of range"
	case strings.Contains(m, "field value out of range"):
		e.Code = pgerror.DatetimeFieldOverflow
		_, val, _ := strings.Cut(m, "field value out of range: ")
		val, _, _ = strings.Cut(val, ", expected format")
		e.Message = "date/time field value out of range: " + val
	case strings.HasPrefix(m, "invalid ") && strings.Contains(m, "field format"):
		// invalid date field format: "abc", expected format is (YYYY-MM-DD)
		e.Code = pgerror.InvalidDatetimeFormat
		kind, val, _ := strings.Cut(m[len("invalid "):], " field format: ")
		val, _, _ = strings.Cut(val, ", expected format")
		e.Message = "invalid input syntax for type " + kind + ": " + val
	case strings.HasPrefix(m, "Casting value ") && strings.Contains(m, "to type DECIMAL") && strings.HasSuffix(m, "out of range!"):
		_, typ, _ := strings.Cut(m, "to type ")
		e.Code, e.Message, e.Detail = pgerror.NumericValueOutOfRange, "numeric field overflow", decimalOverflow(typ)
	case strings.HasPrefix(m, "Could not cast value ") && strings.Contains(m, " to DECIMAL("):
		// Could not cast value 123456789012 to DECIMAL(10,2)
		_, typ, _ := strings.Cut(m, " to DECIMAL")
		e.Code, e.Message, e.Detail = pgerror.NumericValueOutOfRange, "numeric field overflow", decimalOverflow("DECIMAL"+typ)
	case strings.Contains(m, "out of range"):
		e.Code = pgerror.NumericValueOutOfRange
	}
}

// decimalOverflow is PostgreSQL's DETAIL for a value too large for the
// numeric type typ names (DECIMAL(10,2) ...), or "".
func decimalOverflow(typ string) string {
	var p, sc int
	if _, err := fmt.Sscanf(typ, "DECIMAL(%d,%d)", &p, &sc); err != nil {
		return ""
	}
	limit := "1"
	if p > sc {
		limit = "10^" + strconv.Itoa(p-sc)
	}
	return fmt.Sprintf("A field with precision %d, scale %d must round to an absolute value less than %s.", p, sc, limit)
}

func refineOutOfRange(e *pgerror.Error, m string) {
	// Overflow in addition of INT32 (2147483647 + 1)!
	if rest, ok := strings.CutPrefix(m, "Overflow in "); ok {
		if _, t, ok := strings.Cut(rest, " of "); ok {
			t, _, _ = strings.Cut(t, " ")
			e.Message = pgTypeName(t) + " out of range"
		}
	}
}

func refineTransaction(e *pgerror.Error, m string) {
	switch {
	case strings.HasPrefix(m, "Current transaction is aborted"):
		e.Code = pgerror.InFailedSQLTransaction
		e.Message = "current transaction is aborted, commands ignored until end of transaction block"
	case strings.Contains(m, "no transaction is active"):
		e.Code = pgerror.NoActiveSQLTransaction
		e.Message = "there is no transaction in progress"
	case strings.Contains(m, "within a transaction"):
		e.Code = pgerror.ActiveSQLTransaction
		e.Message = "there is already a transaction in progress"
	case strings.Contains(m, "onflict"):
		e.Code = pgerror.SerializationFailure
		e.Hint = m
		e.Message = "could not serialize access due to concurrent update"
	}
}

// quoted returns the first double-quoted string at the start of s and what
// follows it, or s itself when it does not start with a quote.
func quoted(s string) (string, string) {
	if !strings.HasPrefix(s, `"`) {
		name, rest, _ := strings.Cut(s, " ")
		return name, rest
	}
	i := strings.Index(s[1:], `"`)
	if i < 0 {
		return s[1:], ""
	}
	return s[1 : i+1], strings.TrimSpace(s[i+2:])
}

// splitContext removes DuckDB's trailing "LINE n: ...\n   ^" context from a
// message and returns the 1-based character position it points at in sql,
// or 0 when it cannot be placed.
func splitContext(msg, sql string) (string, int32) {
	i := strings.LastIndex(msg, "LINE ")
	if i < 0 || (i > 0 && msg[i-1] != '\n') {
		return msg, 0
	}
	head := strings.TrimRight(msg[:i], "\n ")
	ctx := msg[i+len("LINE "):]
	num, rest, ok := strings.Cut(ctx, ": ")
	line, err := strconv.Atoi(num)
	if !ok || err != nil {
		return msg, 0
	}
	snippet, caret, ok := strings.Cut(rest, "\n")
	if !ok {
		return head, 0
	}
	col := strings.IndexByte(caret, '^') - len("LINE "+num+": ")
	if col < 0 {
		return head, 0
	}
	// The snippet may be shortened with "..." on either side.
	if strings.HasPrefix(snippet, "...") {
		snippet, col = snippet[3:], col-3
	}
	snippet = strings.TrimSuffix(snippet, "...")
	lines := strings.SplitAfter(sql, "\n")
	if line < 1 || line > len(lines) || col < 0 {
		return head, 0
	}
	off := 0
	for _, l := range lines[:line-1] {
		off += len(l)
	}
	at := strings.Index(lines[line-1], snippet)
	if at < 0 {
		return head, 0
	}
	byteOff := off + at + columnBytes(lines[line-1][at:], col)
	if byteOff > len(sql) {
		return head, 0
	}
	return head, int32(utf8.RuneCountInString(sql[:byteOff]) + 1)
}

// columnBytes is the byte offset in s of the display column col, where
// DuckDB's caret points: it counts a wide character (CJK, most emoji) as two
// columns and a combining mark as none.
func columnBytes(s string, col int) int {
	w := 0
	for i, r := range s {
		if w >= col {
			return i
		}
		switch {
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
		case isWide(r):
			w += 2
		default:
			w++
		}
	}
	return len(s)
}

// isWide reports whether r takes two columns in a terminal (East Asian
// Wide or Fullwidth).
func isWide(r rune) bool {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return true
	}
	return false
}
