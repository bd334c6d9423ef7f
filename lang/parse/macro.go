package parse

import (
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
)

// This file parses bpftrace's program structure beyond probes: macro
// definitions (`macro name($var, @map, expr) { ... }`), block expressions
// (`{ stmt; ...; expr }` used as a value) and root imports. Messages for
// this syntax are the newest bpftrace's ("syntax: expected ..."): bpftrace
// 0.17 has no macros.

// topKeyword scans `macro` before a name, or `import` before a string, at
// the top level as a keyword. The rest of a macro's header scans as
// ordinary tokens up to the body's '{'. It returns ok=false when the word
// is an attach point instead, and end=-1 after an error (import without
// a string).
func (s *scanner) topKeyword(i, word int) (int, bool) {
	j := s.skipSpace(word, false)
	if j < 0 || j >= len(s.src) {
		return i, false
	}
	switch c := s.src[j]; s.src[i:word] {
	case "macro":
		if !isIdentStart(c) && c != '(' {
			return i, false
		}
		if s.firstProbe < 0 {
			s.firstProbe = len(s.toks)
		}
		s.emit(tKeyword, i, word)
		s.state = stMacro
		return word, true
	case "import":
		switch {
		case c == ':':
			return i, false // an attach point
		case c != '"':
			end := j + 1
			if isIdentStart(c) {
				end = identEnd(s.src, j)
			}
			s.fail(j, end, "syntax: expected string after 'import'")
			return -1, false
		}
		s.emit(tKeyword, i, word)
		return word, true
	}
	return i, false
}

// macroDef parses `macro name(params) { body }`; the body's last
// expression, when no ';' follows it, is the macro's value.
func (p *exprParser) macroDef() *ast.MacroDef {
	kw := p.next() // macro
	name := p.peek()
	if name.Type != tIdent {
		p.failAt(name, "syntax: expected macro name")
	}
	p.next()
	head := ast.Span{Start: startPos(kw), End: endPos(name)}
	m := &ast.MacroDef{Span: head, Head: head, Name: name.Value}
	if !is(p.peek(), "(") {
		p.failAt(p.peek(), "syntax: expected '('")
	}
	p.next()
	if !is(p.peek(), ")") {
		for {
			m.Params = append(m.Params, p.macroParam())
			if !p.accept(",") {
				break
			}
		}
	}
	if !is(p.peek(), ")") {
		p.failAt(p.peek(), "syntax: expected ')'")
	}
	p.next()
	if !is(p.peek(), "{") {
		p.failAt(p.peek(), "syntax: expected '{'")
	}
	b := p.valueBlock()
	m.Body = &ast.Block{Span: b.Span, Stmts: b.Stmts}
	m.Value = b.Value
	m.Span.End = b.End
	return m
}

// macroParam parses one parameter: $var, @map or a name.
func (p *exprParser) macroParam() ast.Expr {
	t := p.peek()
	switch t.Type {
	case tVar:
		p.next()
		return &ast.Variable{Span: tokSpan(t), Name: t.Value}
	case tMap:
		p.next()
		return &ast.MapRef{Span: tokSpan(t), Name: t.Value}
	case tIdent, tTypeWord:
		p.next()
		return &ast.Ident{Span: tokSpan(t), Name: t.Value}
	}
	p.failAt(t, "syntax: expected macro argument ($var, @map, or identifier)")
	return nil
}

// valueBlock parses `{ stmt* }` as a block expression: a last expression
// statement that no ';' ends is the block's value.
func (p *exprParser) valueBlock() *ast.BlockExpr {
	open := p.expect("{")
	b := &ast.BlockExpr{}
	for {
		t := p.peek()
		if t.Type == tPunct && t.Value == "}" {
			p.next()
			b.Span = ast.Span{Start: startPos(open), End: endPos(t)}
			if n := len(b.Stmts); n > 0 && !is(p.toks[p.i-2], ";") {
				if es, ok := b.Stmts[n-1].(*ast.ExprStmt); ok {
					b.Value = es.X
					b.Stmts = b.Stmts[:n-1]
				}
			}
			return b
		}
		if x, ok := p.lastIfValue(); ok {
			b.Value = x
			continue
		}
		if st := p.stmt(); st != nil {
			b.Stmts = append(b.Stmts, st)
		}
	}
}

// importError reports a root import after probes or macros, where
// bpftrace does not accept one.
func (p *exprParser) importError(t lexer.Token) {
	p.failAt(t, "syntax: root imports must appear before probes and functions")
}

// Library parses a file of gbt's standard library, written in the
// script language: its macros, marked as the library's, with spans that
// name the file.
func Library(file, src string) ([]*ast.MacroDef, diag.List) {
	prog, diags := parse(file, src, false)
	if prog == nil {
		return nil, diags
	}
	o := &ast.Origin{File: file, Text: src}
	for _, m := range prog.MacroDefs {
		m.Library = true
		m.Span.Origin, m.Head.Origin = o, o
	}
	return prog.MacroDefs, diags
}

// Import parses a file a script imports (lang/imports): probes, macros,
// map declarations and C definitions, none required, with every span,
// its diagnostics' too, naming the file.
func Import(file, src string) (*ast.Program, diag.List) {
	prog, diags := parse(file, src, false)
	o := &ast.Origin{File: file, Text: src}
	for _, d := range diags {
		for c := d; c != nil; c = c.Context {
			if c.Span.Origin == nil && c.Span.Start.IsValid() {
				c.Span.Origin = o
			}
		}
	}
	if prog != nil {
		ast.SetOrigin(prog, o)
	}
	return prog, diags
}
