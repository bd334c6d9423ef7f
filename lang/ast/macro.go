package ast

import "strings"

// This file holds the nodes of bpftrace's program structure beyond probes:
// macro definitions (`macro name(args) { ... }`), the block expressions
// their expansions become, and where a node's text comes from when it is
// not the script's own (a macro expanded at a call, a library file).

// MacroDef is a bpftrace macro: `macro name($var, @map, expr) { body }`.
// Each parameter is a *Variable (the caller passes a variable, which the
// body may change), a *MapRef without keys (the caller passes a map) or an
// *Ident (the caller passes any expression, inserted wherever the name is
// used). A body whose last statement is an expression without ';' yields
// that value.
type MacroDef struct {
	Span
	Head   Span // `macro name`, where messages point at the definition
	Name   string
	Params []Expr // *Variable, *MapRef or *Ident
	Body   *Block
	// Value is the body's last expression when it yields a value (it is
	// not in Body.Stmts), else nil.
	Value Expr
	// Library is set for the macros of gbt's standard library (a user's
	// macro of the same name and parameters takes precedence).
	Library bool
}

// BlockExpr is `{ stmt; ...; expr }` used as a value: the statements run,
// then the expression gives the value. Value is nil when the block yields
// nothing (a macro used as a statement).
type BlockExpr struct {
	Span
	Stmts []Stmt
	Value Expr
}

// Origin tells where the text of a span is when it is not the script's
// own: a macro's body, cloned for one call (From is that call), or a file
// of gbt's standard library. Spans of the script's own nodes have no
// Origin.
type Origin struct {
	File string // the file the span's lines and columns are in
	Text string // that file's text
	From Span   // the macro call this node was expanded for (zero: none)
}

func (*MacroDef) node()  {}
func (*BlockExpr) node() {}

func (*BlockExpr) exprNode() {}

// macroDef prints a macro definition as the script would write it.
func (p *printer) macroDef(m *MacroDef) {
	params := make([]string, len(m.Params))
	for i, x := range m.Params {
		params[i] = ExprString(x)
	}
	p.b.WriteString(strings.Repeat("    ", p.indent))
	p.b.WriteString("macro " + m.Name + "(" + strings.Join(params, ", ") + ") ")
	body := m.Body
	if m.Value != nil {
		body = &Block{Span: m.Body.Span, Stmts: append(append([]Stmt(nil), m.Body.Stmts...), &valueStmt{X: m.Value})}
	}
	p.blockBody(body)
	p.b.WriteByte('\n')
}

// valueStmt prints a block's value: its expression without the ';' that
// would make it a statement.
type valueStmt struct {
	Span
	X Expr
}

func (*valueStmt) node()     {}
func (*valueStmt) stmtNode() {}

// writeBlockExpr writes a block expression on one line.
func writeBlockExpr(b *strings.Builder, e *BlockExpr) {
	b.WriteString("{ ")
	for _, s := range e.Stmts {
		var p printer
		p.stmt(s)
		for _, line := range strings.Split(strings.TrimSuffix(p.b.String(), "\n"), "\n") {
			b.WriteString(strings.TrimSpace(line))
			b.WriteByte(' ')
		}
	}
	if e.Value != nil {
		writeExpr(b, e.Value)
		b.WriteByte(' ')
	}
	b.WriteByte('}')
}
