package parse

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gbt-dev/gbt/lang/ast"
)

// gSimple is an expression statement, an assignment or a jump, with its
// terminator: ';', or nothing before the block's closing '}'. It is a
// participle Parseable: simple statements are most of a script, and parsing
// them by hand keeps participle's backtracking to compound statements.
type gSimple struct {
	Stmt ast.Stmt
}

var assignOps = map[string]bool{
	"=": true, "+=": true, "-=": true, "*=": true, "/=": true, "%=": true,
	"&=": true, "|=": true, "^=": true, "<<=": true, ">>=": true,
}

// Parse implements participle.Parseable.
func (g *gSimple) Parse(lex *lexer.PeekingLexer) (err error) {
	t := *lex.Peek()
	jump := t.Type == tKeyword && (t.Value == "break" || t.Value == "continue" || t.Value == "return")
	if !jump && !startsExpr(t) {
		return participle.NextMatch
	}
	p := exprParser{lex: lex}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(exprError)
			if !ok {
				panic(r)
			}
			err = b.err
		}
	}()
	g.Stmt = p.simple()
	switch end := p.peek(); {
	case is(end, ";"):
		p.next()
	case is(end, "}"):
	default:
		p.unexpected("; or }")
	}
	return nil
}

func (p *exprParser) simple() ast.Stmt {
	t := p.peek()
	if t.Type == tKeyword && (t.Value == "break" || t.Value == "continue" || t.Value == "return") {
		p.next()
		js := &ast.JumpStmt{Span: tokSpan(t), Keyword: t.Value}
		if t.Value == "return" && startsExpr(p.peek()) {
			js.Value = p.ternary()
			js.Span.End = js.Value.EndPos()
		}
		return js
	}
	x := p.ternary()
	op := p.peek()
	if op.Type != tPunct || !assignOps[op.Value] {
		return &ast.ExprStmt{Span: ast.Span{Start: x.Pos(), End: x.EndPos()}, X: x}
	}
	switch x.(type) {
	case *ast.Variable, *ast.MapRef:
	default:
		panic(exprError{&assignError{pos: t.Pos, span: ast.Span{Start: x.Pos(), End: x.EndPos()}}})
	}
	p.next()
	rhs := p.expr()
	return &ast.AssignStmt{Span: ast.Span{Start: x.Pos(), End: rhs.EndPos()}, LHS: x, Op: op.Value, RHS: rhs}
}

// assignError is an assignment to something that is not a variable or map.
type assignError struct {
	pos  lexer.Position
	span ast.Span
}

func (e *assignError) Error() string { return e.Message() }
func (e *assignError) Message() string {
	return "syntax error: only a $variable or an @map can be assigned to"
}
func (e *assignError) Position() lexer.Position { return e.pos }
