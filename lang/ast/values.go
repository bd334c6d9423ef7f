package ast

import "strings"

// Record is a record literal (bpftrace 0.23): `(a = 1, b = "x")`, a tuple
// whose elements have names, read back with `.a`.
type Record struct {
	Span
	Fields []RecordField
}

// RecordField is one `name = value` of a Record.
type RecordField struct {
	Name     string
	NameSpan Span
	Value    Expr
}

func (*Record) node()     {}
func (*Record) exprNode() {}

// writeRecord writes a record literal: `(a = 1, b = "x")`.
func writeRecord(b *strings.Builder, e *Record) {
	b.WriteByte('(')
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.Name + " = ")
		writeExpr(b, f.Value)
	}
	b.WriteByte(')')
}
