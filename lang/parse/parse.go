// Package parse turns gbt (bpftrace) source text into a lang/ast.Program.
//
// A context-dependent scanner (lexer.go) feeds a private participle grammar
// (grammar.go) for what comes before the probes, which is lowered into
// lang/ast (lower.go); the probes are parsed by hand (stmt.go, expr.go),
// binary expressions by precedence climbing with C's precedence and
// associativity. Syntax errors are lang/diag diagnostics in bpftrace 0.17's
// wording, with hints for common slips. Parse never panics, and nesting is
// bounded (MaxDepth) so hostile input fails fast instead of recursing deep.
package parse

import (
	"fmt"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
)

// MaxDepth bounds the nesting of brackets, blocks, prefix operators, casts
// and conditional expressions.
const MaxDepth = 200

// Parse parses one script. file names it in diagnostics ("stdin" for -e).
// On a syntax error the program is nil and diags holds the error.
func Parse(file, src string) (prog *ast.Program, diags diag.List) {
	return parse(file, src, true)
}

// Fragment parses a script that may hold no probe: a file of macros or
// map declarations, a config block alone (--fmt formats them, as the
// newest bpftrace's does).
func Fragment(file, src string) (prog *ast.Program, diags diag.List) {
	return parse(file, src, false)
}

// parse parses a script, or with needProbe unset a library file, which
// may hold macros only.
func parse(file, src string, needProbe bool) (prog *ast.Program, diags diag.List) {
	text, macros, ppSpan, ppMsg := preprocess(file, src)
	if ppSpan != nil {
		diags.Errorf(*ppSpan, "%s", ppMsg)
		return nil, diags
	}
	s := scan(file, text)
	defer func() {
		if r := recover(); r != nil {
			// A parser bug must not crash gbt: report it where parsing started.
			prog = nil
			diags.Errorf(ast.Span{Start: s.pos(0), End: s.pos(min(1, len(src)))}, "internal parser error: %v", r)
		}
	}()
	peek, err := lexer.Upgrade(&sliceLexer{toks: s.toks[:s.participleEnd()]})
	if err != nil {
		diags.Errorf(ast.Span{Start: s.pos(0), End: s.pos(min(1, len(src)))}, "%v", err)
		return nil, diags
	}
	g, err := parsers().program.ParseFromLexer(peek)
	if err != nil {
		s.syntaxError(&diags, err)
		return nil, diags
	}
	p := exprParser{toks: s.toks, i: s.firstProbe}
	var probes []*gProbe
	var decls []*ast.MapDecl
	if err := p.run(func() { probes, decls = p.probes() }); err != nil {
		s.syntaxError(&diags, err)
		return nil, diags
	}
	l := &lowerer{s: s}
	prog = l.program(g, probes, p.soft)
	prog.Macros = macros
	prog.MacroDefs = p.macros
	prog.Text = src
	prog.MapDecls = decls
	if l.diags.HasErrors() {
		return nil, l.diags
	}
	if len(probes) == 0 && needProbe {
		end := len(src)
		l.diags.Errorf(s.span(end, end), "syntax: expected probe").
			WithHint("a script needs at least one probe, e.g. BEGIN { printf(\"hello\\n\"); }")
		return nil, l.diags
	}
	return prog, l.diags
}

// participleEnd is the end of the tokens participle parses: up to and
// including the first probe's first attach point. A word the top-level
// grammar matches by its text (`struct`, `config`, ...) scans as an attach
// point when it does not start a definition; then participle gets every
// token, so that it reports the broken definition as before.
func (s *scanner) participleEnd() int {
	switch t := s.toks[s.firstProbe]; t.Value {
	case "let":
		if t.Type == tKeyword {
			return s.firstProbe // a map declaration: the hand-written part's
		}
	case "struct", "union", "enum", "config":
		return len(s.toks)
	case "macro":
		if t.Type == tKeyword {
			return s.firstProbe // the hand-written parser takes macros
		}
	}
	return s.firstProbe + 1
}

// pos converts a byte offset to an ast position.
func (s *scanner) pos(off int) ast.Pos {
	p := s.position(off)
	return ast.Pos{Offset: off, Line: p.Line, Col: p.Column}
}

func (s *scanner) span(from, to int) ast.Span { return ast.Span{Start: s.pos(from), End: s.pos(to)} }

// tokSpan is the span of a token list (a production's matched tokens).
func (s *scanner) tokSpan(toks []lexer.Token) ast.Span {
	if len(toks) == 0 {
		return ast.Span{}
	}
	first, last := toks[0], toks[len(toks)-1]
	return s.span(first.Pos.Offset, last.Pos.Offset+len(last.Value))
}

func tokEnd(t lexer.Token) int { return t.Pos.Offset + len(t.Value) }

// describe names a token the way bison does in bpftrace's messages.
func describe(t lexer.Token) string {
	if t.Type == tKeyword || t.Type == tPunct {
		return t.Value
	}
	if n, ok := tokenNames[t.Type]; ok {
		return n
	}
	return fmt.Sprintf("%q", t.Value)
}
