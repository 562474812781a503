package dialect

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/quiverdb/quiver/types"
)

// PostgreSQL reads a string cast to bytea as byteain does: '\x0102' is two
// bytes in hex, 'a\\b\001' the escape format. DuckDB's cast from text to
// BLOB reads its own syntax, where \xHH is one byte and every other
// character stands for itself, so '\x0102' would be the three bytes 01 '0'
// '2'. A cast of a string constant to bytea therefore becomes a cast to
// BLOB of the bytes byteain reads, each written \xHH; input byteain
// refuses gets its error (22023 or 22P02), placed at the constant. A
// string that becomes bytea without a cast (a value inserted into a bytea
// column) is cast first (untyped.go).

// byteaLiteralCast reports whether tc casts a string constant to bytea.
func byteaLiteralCast(tc *pg_query.TypeCast) bool {
	return tc.TypeName != nil && len(tc.TypeName.ArrayBounds) == 0 && typeBase(tc.TypeName) == "bytea" &&
		tc.Arg.GetAConst().GetSval() != nil
}

// rewriteByteaLiteral replaces tc, a cast of a string constant to bytea,
// by the cast to BLOB of the bytes the constant stands for. The type name
// changes too, so that a second rewrite leaves it alone.
func rewriteByteaLiteral(tc *pg_query.TypeCast) error {
	c := tc.Arg.GetAConst()
	b, err := types.ParseBytea(c.GetSval().Sval)
	if err != nil {
		return &literalAt{err: err, loc: c.Location}
	}
	const hex = "0123456789abcdef"
	var sb strings.Builder
	sb.Grow(4 * len(b))
	for _, x := range b {
		sb.WriteString(`\x`)
		sb.WriteByte(hex[x>>4])
		sb.WriteByte(hex[x&15])
	}
	c.Val = &pg_query.A_Const_Sval{Sval: &pg_query.String{Sval: sb.String()}}
	tc.TypeName = &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode("blob")}, Typemod: -1, Location: tc.TypeName.Location}
	return nil
}
