package dialect

import (
	"slices"
	"strings"

	"github.com/quiverdb/quiver/pgerror"
)

// ALTER TABLE ... DROP CONSTRAINT, which DuckDB has not, makes the table
// again without the constraint (rebuild.go), from DuckDB's CREATE TABLE
// text with the constraint's element taken out. A primary key's columns
// stay NOT NULL, as in PostgreSQL. A primary key or unique constraint
// that foreign keys reference is refused (2BP01) unless CASCADE, which
// drops those foreign keys too. A unique index of the name (what ALTER
// TABLE ... ADD UNIQUE made before it made the table again) is dropped as
// one.

// droppedConstraint is a DROP CONSTRAINT of an ALTER TABLE.
type droppedConstraint struct {
	name      string
	missingOK bool
	cascade   bool
}

// resolveDrops finds the constraints dropped from the table t: the
// constraints to take out of each table's definition, by table name, and
// the statements that drop unique indexes standing for constraints. The
// NOTICEs go to notice.
func resolveDrops(q func(string) ([][]string, error), t *target, dropped []droppedConstraint, notice func(Notice)) (map[string][]schemaConstraint, []string, error) {
	removed := map[string][]schemaConstraint{}
	var out, also []string
	for _, d := range dropped {
		i := slices.IndexFunc(t.cons, func(c schemaConstraint) bool { return c.oid == t.oid && c.name == d.name })
		if i < 0 {
			rows, err := q("SELECT index_name FROM duckdb_indexes() WHERE " + t.in + " AND table_name = " + literal(t.table) +
				" AND index_name = " + literal(d.name) + " AND is_unique")
			if err != nil {
				return nil, nil, err
			}
			switch {
			case len(rows) > 0:
				out = append(out, "DROP INDEX "+ident(t.db)+"."+ident(t.schema)+"."+ident(d.name))
			case d.missingOK:
				notice(Notice{Code: pgerror.SuccessfulCompletion, Message: "constraint \"" + d.name + "\" of relation \"" + t.table + "\" does not exist, skipping"})
			default:
				return nil, nil, pgerror.New(pgerror.UndefinedObject, "constraint \"%s\" of relation \"%s\" does not exist", d.name, t.table)
			}
			continue
		}
		c := t.cons[i]
		removed[t.table] = append(removed[t.table], c)
		if c.kind != "p" && c.kind != "u" {
			continue
		}
		for _, f := range t.cons {
			if f.kind != "f" || f.refTable != t.table || !sameSet(f.refCols, c.cols) {
				continue
			}
			if !d.cascade {
				return nil, nil, pgerror.New(dependentObjects, "cannot drop constraint %s on table %s because other objects depend on it", c.name, t.table).
					WithDetail("constraint " + f.name + " on table " + f.table + " depends on index " + c.name).
					WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
			}
			removed[f.table] = append(removed[f.table], f)
			also = append(also, "constraint "+f.name+" on table "+f.table)
		}
	}
	for _, n := range cascades(also) {
		notice(n)
	}
	return removed, out, nil
}

// dependentObjects is PostgreSQL's dependent_objects_still_exist.
const dependentObjects = "2BP01"

// sameSet reports whether a and b hold the same names, in any order.
func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// withoutConstraints is DuckDB's CREATE TABLE text sql with the constraints
// cons taken out: a table constraint's element, or a one-column primary
// key or unique constraint written on its column.
func withoutConstraints(sql string, cons []schemaConstraint) (string, error) {
	if len(cons) == 0 {
		return sql, nil
	}
	open := strings.IndexByte(sql, '(')
	elems, ok := splitElements(sql[open:])
	if !ok {
		return "", pgerror.New(pgerror.FeatureNotSupported, "cannot rewrite table definition %s", sql)
	}
	for _, c := range cons {
		if i := slices.Index(elems, c.text); i >= 0 {
			elems = slices.Delete(elems, i, i+1)
			if c.kind == "p" {
				for _, col := range c.cols {
					if j := columnElement(elems, col); j >= 0 && !strings.Contains(elems[j], " NOT NULL") {
						elems[j] += " NOT NULL"
					}
				}
			}
			continue
		}
		suffix := map[string]string{"p": " PRIMARY KEY", "u": " UNIQUE"}[c.kind]
		j := -1
		if len(c.cols) == 1 && suffix != "" {
			j = columnElement(elems, c.cols[0])
		}
		if j < 0 || !strings.Contains(elems[j], suffix) {
			return "", pgerror.New(pgerror.FeatureNotSupported, "cannot drop constraint %s on DuckDB", c.name)
		}
		elems[j] = strings.Replace(elems[j], suffix, "", 1)
		if c.kind == "p" && !strings.Contains(elems[j], " NOT NULL") {
			elems[j] += " NOT NULL"
		}
	}
	return sql[:open] + "(" + strings.Join(elems, ", ") + ")", nil
}

// columnElement is the index of the element of elems that defines the
// column col, or -1.
func columnElement(elems []string, col string) int {
	for i, e := range elems {
		if strings.HasPrefix(e, col+" ") || strings.HasPrefix(e, ident(col)+" ") {
			return i
		}
	}
	return -1
}

// splitElements splits a table definition's parenthesised element list,
// "(a INTEGER, CHECK((a > 0)))", into its elements, minding parentheses,
// string constants and quoted names.
func splitElements(s string) ([]string, bool) {
	s = strings.TrimSuffix(s, ";")
	if !strings.HasPrefix(s, "(") || !strings.HasSuffix(s, ")") {
		return nil, false
	}
	s = s[1 : len(s)-1]
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\'', '"':
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == s[i] {
					if j+1 < len(s) && s[j+1] == s[i] {
						j++
						continue
					}
					break
				}
			}
			if j >= len(s) {
				return nil, false
			}
			i = j
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, false
	}
	return append(out, strings.TrimSpace(s[start:])), true
}
