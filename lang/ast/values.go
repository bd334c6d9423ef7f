package ast

import "strings"

// BlockExpr is a block used as a value (bpftrace 0.24):
// `{ $a = 1; $a + 1 }`. Its statements run in order, then Value, the
// expression that ends the block without a ';', gives the block's value;
// a block that ends with a ';' has none (Value is nil).
type BlockExpr struct {
	Span
	Stmts []Stmt
	Value Expr
}

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

func (*BlockExpr) node()     {}
func (*Record) node()        {}
func (*BlockExpr) exprNode() {}
func (*Record) exprNode()    {}

// writeBlockExpr writes a block expression on one line: `{ s1; s2; v }`.
func writeBlockExpr(b *strings.Builder, e *BlockExpr) {
	b.WriteString("{ ")
	for _, s := range e.Stmts {
		b.WriteString(strings.TrimSuffix(strings.TrimSpace(Format(s)), ";"))
		b.WriteString("; ")
	}
	if e.Value != nil {
		writeExpr(b, e.Value)
		b.WriteByte(' ')
	}
	b.WriteByte('}')
}

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
