// Package parse turns gbt (bpftrace) source text into a lang/ast.Program.
//
// Tokens come from a participle regexp lexer (lexer.go); the grammar is a
// recursive descent with precedence climbing for expressions (C precedence
// and associativity). Errors are collected as lang/diag diagnostics in
// bpftrace's wording; the parser never panics on any input and bounds its
// nesting depth so hostile input cannot exhaust the stack.
package parse

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
)

// MaxDepth bounds the nesting of expressions and blocks.
const MaxDepth = 200

// Parse parses one script. file names it in diagnostics ("stdin" for -e).
// The returned program is nil only when nothing could be parsed; with
// errors it may be partial and must not be checked or compiled.
func Parse(file, src string) (prog *ast.Program, diags diag.List) {
	p := &parser{file: file, src: src}
	p.lineStarts = lineStarts(src)
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				// A parser bug must not crash gbt: report it at the current token.
				p.errorf(p.cur().off, p.cur().end(), "internal parser error: %v", r)
			}
			prog = nil
			diags = p.diags
		}
	}()
	text := src
	if strings.HasPrefix(text, "#!") {
		// Keep offsets: blank the shebang line instead of cutting it.
		nl := strings.IndexByte(text, '\n')
		if nl < 0 {
			nl = len(text)
		}
		p.shebang = strings.TrimSpace(text[2:nl])
		text = strings.Repeat(" ", nl) + text[nl:]
	}
	toks, comments := tokenize(text)
	p.toks = toks
	prog = p.program()
	for _, c := range comments {
		prog.Comments = append(prog.Comments, &ast.Comment{Span: p.span(c.off, c.end()), Text: c.text})
	}
	return prog, p.diags
}

type bailout struct{}

type parser struct {
	file       string
	src        string
	shebang    string
	lineStarts []int
	toks       []token
	i          int
	depth      int
	noDiv      bool // parsing a predicate: a top-level '/' ends it
	diags      diag.List
}

func lineStarts(src string) []int {
	starts := []int{0}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// pos converts a byte offset to a position (1-based line and byte column).
func (p *parser) pos(off int) ast.Pos {
	line := sort.SearchInts(p.lineStarts, off+1) // first start > off
	return ast.Pos{Offset: off, Line: line, Col: off - p.lineStarts[line-1] + 1}
}

func (p *parser) span(from, to int) ast.Span { return ast.Span{Start: p.pos(from), End: p.pos(to)} }

func (p *parser) errorf(from, to int, format string, args ...any) *diag.Diagnostic {
	if to <= from {
		to = from + 1
	}
	return p.diags.Errorf(p.span(from, to), format, args...)
}

// fail reports an error and abandons the parse (bpftrace stops at its first
// syntax error too; continuing would mostly produce noise).
func (p *parser) fail(from, to int, format string, args ...any) {
	p.errorf(from, to, format, args...)
	panic(bailout{})
}

func (p *parser) failHint(hint string, from, to int, format string, args ...any) {
	p.errorf(from, to, format, args...).Hint = hint
	panic(bailout{})
}

func (p *parser) cur() token { return p.toks[p.i] }

func (p *parser) peek(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// is reports whether the current token is the punctuation or keyword s.
func (p *parser) is(s string) bool {
	t := p.cur()
	return (t.kind == tPunct || t.kind == tIdent) && t.text == s
}

func (p *parser) accept(s string) bool {
	if p.is(s) {
		p.next()
		return true
	}
	return false
}

// describe names a token the way bison does in bpftrace's messages.
func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tString:
		return "string"
	case tNumber:
		return "integer"
	case tVar:
		return "variable"
	case tMap:
		return "map"
	case tIdent:
		if isKeyword(t.text) {
			return t.text
		}
		return "identifier"
	}
	return t.text
}

func isKeyword(s string) bool {
	switch s {
	case "if", "else", "unroll", "while", "for", "break", "continue", "return", "sizeof", "offsetof", "config":
		return true
	}
	return false
}

func (p *parser) unexpected(expecting string) {
	t := p.cur()
	msg := "syntax error, unexpected " + describe(t)
	if expecting != "" {
		msg += ", expecting " + expecting
	}
	hint := ""
	switch {
	case t.kind == tEOF:
		hint = "a block is not closed: add the missing }"
	case t.kind == tOpenString:
		p.fail(t.off, t.end(), "unterminated string")
	case t.kind == tOpenComment:
		p.fail(t.off, t.end(), "unterminated comment")
	case t.kind == tBad:
		p.fail(t.off, t.end(), "invalid character %q", t.text)
	case expecting == ";" || strings.HasPrefix(expecting, "; "):
		hint = "statements are separated by ;"
	}
	end := t.end()
	if t.kind == tEOF {
		end = t.off + 1
	}
	p.failHint(hint, t.off, end, "%s", msg)
}

func (p *parser) expect(s string) token {
	if !p.is(s) {
		p.unexpected(s)
	}
	return p.next()
}

func (p *parser) enter() {
	p.depth++
	if p.depth > MaxDepth {
		t := p.cur()
		p.failHint(fmt.Sprintf("gbt accepts nesting up to %d levels", MaxDepth), t.off, t.end(), "nesting too deep")
	}
}

func (p *parser) leave() { p.depth-- }

// ---------------------------------------------------------------------------
// Top level

func (p *parser) program() *ast.Program {
	prog := &ast.Program{File: p.file, Shebang: p.shebang}
	for p.cur().kind != tEOF {
		t := p.cur()
		switch {
		case t.kind == tInclude:
			p.next()
			prog.Includes = append(prog.Includes, p.include(t))
		case t.kind == tIdent && (t.text == "struct" || t.text == "union" || t.text == "enum") && p.isCDef():
			prog.CDefs = append(prog.CDefs, p.cdef())
		case t.kind == tIdent && t.text == "config" && p.peek(1).text == "=":
			if prog.Config != nil {
				p.fail(t.off, t.end(), "only one config block is allowed")
			}
			prog.Config = p.config()
		case t.kind == tPunct && t.text == ";":
			p.next() // stray ; between definitions (after a struct definition)
		default:
			prog.Probes = append(prog.Probes, p.probe())
		}
	}
	if len(prog.Probes) == 0 && len(p.diags) == 0 {
		end := len(p.src)
		p.errorf(end, end+1, "no probes in the program")
	}
	prog.Span = p.span(0, len(p.src))
	return prog
}

func (p *parser) include(t token) *ast.Include {
	rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t.text[1:]), "include"))
	inc := &ast.Include{Span: p.span(t.off, t.end())}
	switch {
	case len(rest) >= 2 && rest[0] == '<' && rest[len(rest)-1] == '>':
		inc.Path, inc.System = rest[1:len(rest)-1], true
	case len(rest) >= 2 && rest[0] == '"' && rest[len(rest)-1] == '"':
		inc.Path = rest[1 : len(rest)-1]
	default:
		p.fail(t.off, t.end(), "invalid #include: expected <file> or \"file\"")
	}
	return inc
}

// isCDef reports whether a struct/union/enum at top level is a definition
// (`struct x { ... }`) rather than the start of a probe.
func (p *parser) isCDef() bool {
	return p.peek(1).kind == tIdent && p.peek(2).text == "{"
}

func (p *parser) cdef() *ast.CDef {
	kw := p.next()
	name := p.next()
	open := p.expect("{")
	def := &ast.CDef{Kind: kw.text, Name: name.text}
	// Members are parsed from the token stream; the body is kept verbatim.
	for !p.is("}") {
		if p.cur().kind == tEOF {
			p.unexpected("}")
		}
		def.Fields = append(def.Fields, p.cfield(kw.text == "enum"))
	}
	closeTok := p.next()
	def.Body = p.src[open.end():closeTok.off]
	end := closeTok.end()
	if p.is(";") {
		end = p.next().end()
	}
	def.Span = p.span(kw.off, end)
	return def
}

func (p *parser) cfield(enum bool) *ast.CField {
	start := p.cur().off
	if enum {
		name := p.next()
		if name.kind != tIdent {
			p.fail(name.off, name.end(), "syntax error, unexpected %s, expecting identifier", describe(name))
		}
		f := &ast.CField{Name: name.text}
		if p.accept("=") {
			f.Value = p.expr()
		}
		if !p.accept(",") && !p.is("}") {
			p.unexpected(", or }")
		}
		f.Span = p.span(start, p.toks[p.i-1].end())
		return f
	}
	typ := p.typeName(true)
	name := p.next()
	if name.kind != tIdent {
		p.fail(name.off, name.end(), "syntax error, unexpected %s, expecting member name", describe(name))
	}
	f := &ast.CField{Type: typ, Name: name.text}
	if p.accept("[") {
		n := p.next()
		v, err := parseInt(n.text)
		if n.kind != tNumber || err != nil {
			p.fail(n.off, n.end(), "array length must be an integer")
		}
		f.ArrayN = int(v)
		p.expect("]")
	}
	if p.accept(":") {
		n := p.next()
		v, err := parseInt(n.text)
		if n.kind != tNumber || err != nil {
			p.fail(n.off, n.end(), "bit-field width must be an integer")
		}
		f.Bits = int(v)
	}
	semi := p.expect(";")
	f.Span = p.span(start, semi.end())
	return f
}

func (p *parser) config() *ast.Config {
	kw := p.next()
	p.expect("=")
	p.expect("{")
	cfg := &ast.Config{}
	for !p.is("}") {
		k := p.next()
		if k.kind != tIdent {
			p.fail(k.off, k.end(), "syntax error, unexpected %s, expecting config key", describe(k))
		}
		p.expect("=")
		v := p.expr()
		item := &ast.ConfigItem{Key: k.text, Value: v, Span: p.span(k.off, v.EndPos().Offset)}
		cfg.Items = append(cfg.Items, item)
		if !p.accept(";") && !p.is("}") {
			p.unexpected(";")
		}
	}
	end := p.next()
	cfg.Span = p.span(kw.off, end.end())
	return cfg
}

// ---------------------------------------------------------------------------
// Probes

func (p *parser) probe() *ast.Probe {
	start := p.cur().off
	pr := &ast.Probe{}
	for {
		pr.Points = append(pr.Points, p.attachPoint())
		if !p.accept(",") {
			break
		}
	}
	if p.is("/") {
		p.next()
		pr.Predicate = p.exprNoDiv()
		if !p.is("/") {
			p.unexpected("/")
		}
		p.next()
	}
	if !p.is("{") {
		t := p.cur()
		if t.kind == tEOF {
			p.failHint("a probe needs a body: PROBE { ... }", t.off, t.off+1, "syntax error, unexpected end of file, expecting {")
		}
		p.unexpected("{")
	}
	pr.Body = p.block()
	pr.Span = p.span(start, pr.Body.EndPos().Offset)
	return pr
}

// attachPoint reads one attach point from the source text at the current
// token and skips the tokens it covers.
func (p *parser) attachPoint() *ast.AttachPoint {
	t := p.cur()
	if t.kind != tIdent {
		if t.kind == tEOF {
			p.unexpected("probe")
		}
		p.failHint("a probe starts with its kind, e.g. tracepoint:syscalls:sys_enter_openat or BEGIN",
			t.off, t.end(), "syntax error, unexpected %s, expecting probe", describe(t))
	}
	start := t.off
	end := scanAttachPoint(p.src, start)
	raw := p.src[start:end]
	for p.cur().kind != tEOF && p.cur().off < end {
		if p.cur().end() > end {
			// A token straddles the end (e.g. a string): the attach point is malformed.
			c := p.cur()
			p.fail(c.off, c.end(), "invalid attach point %q", raw+c.text[end-c.off:])
		}
		p.next()
	}
	ap := &ast.AttachPoint{Span: p.span(start, end), Raw: raw}
	parts := splitAttach(raw)
	ap.Provider = parts[0]
	if len(parts) > 1 {
		ap.Parts = parts[1:]
	}
	return ap
}

// scanAttachPoint returns the end offset of the attach point starting at
// start: a run of non-space characters, ending before ',' or '{' (except a
// `{a,b}` alternation inside the name) and before a '/' that is not part of a
// path (paths follow ':' or another path character).
func scanAttachPoint(src string, start int) int {
	i := start
	inPath := false
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ';':
			return i
		case c == '{':
			if j := alternationEnd(src, i); j > 0 {
				i = j
				continue
			}
			return i
		case c == '/':
			if i > start && (src[i-1] == ':' || inPath) {
				inPath = true
				i++
				continue
			}
			return i
		case c == ':':
			inPath = false
		case !attachChar(c):
			return i
		}
		i++
	}
	return i
}

// attachChar reports whether c may appear in an attach point (names, paths,
// offsets, wildcards and the C++ scope operator).
func attachChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("_:/.*?-+@[]~", c) >= 0
}

// alternationEnd returns the offset after a `{a,b}` group starting at i, or
// 0 if the brace starts a block instead.
func alternationEnd(src string, i int) int {
	comma := false
	for j := i + 1; j < len(src); j++ {
		c := src[j]
		switch {
		case c == '}':
			if comma {
				return j + 1
			}
			return 0
		case c == ',':
			comma = true
		case c == '_' || c == '*' || c == '.' || c == '-' || c == '?' ||
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'):
		default:
			return 0
		}
	}
	return 0
}

// splitAttach splits an attach point at colons, keeping colons inside
// `{...}` groups (none expected) and the C++ "::" of uprobe symbols intact.
func splitAttach(raw string) []string {
	var parts []string
	depth, last := 0, 0
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '{':
			depth++
		case '}':
			depth--
		case ':':
			if depth > 0 {
				continue
			}
			if i+1 < len(raw) && raw[i+1] == ':' && len(parts) >= 2 {
				i++ // C++ scope operator in a symbol name
				continue
			}
			parts = append(parts, raw[last:i])
			last = i + 1
		}
	}
	return append(parts, raw[last:])
}

// ---------------------------------------------------------------------------
// Statements

func (p *parser) block() *ast.Block {
	p.enter()
	defer p.leave()
	open := p.expect("{")
	b := &ast.Block{}
	for !p.is("}") {
		if p.cur().kind == tEOF {
			p.unexpected("}")
		}
		if p.accept(";") {
			continue
		}
		st := p.stmt()
		b.Stmts = append(b.Stmts, st)
		switch st.(type) {
		case *ast.IfStmt, *ast.UnrollStmt, *ast.WhileStmt, *ast.ForStmt, *ast.BlockStmt:
			continue // block statements need no ;
		}
		if !p.is("}") {
			if !p.is(";") {
				p.unexpected(";")
			}
			p.next()
		}
	}
	closeTok := p.next()
	b.Span = p.span(open.off, closeTok.end())
	return b
}

func (p *parser) stmt() ast.Stmt {
	t := p.cur()
	if t.kind == tIdent {
		switch t.text {
		case "if":
			return p.ifStmt()
		case "unroll":
			p.next()
			p.expect("(")
			n := p.expr()
			p.expect(")")
			body := p.block()
			return &ast.UnrollStmt{Span: p.span(t.off, body.EndPos().Offset), Count: n, Body: body}
		case "while":
			p.next()
			p.expect("(")
			cond := p.expr()
			p.expect(")")
			body := p.block()
			return &ast.WhileStmt{Span: p.span(t.off, body.EndPos().Offset), Cond: cond, Body: body}
		case "for":
			return p.forStmt()
		case "break", "continue":
			p.next()
			return &ast.JumpStmt{Span: p.span(t.off, t.end()), Keyword: t.text}
		case "return":
			p.next()
			js := &ast.JumpStmt{Keyword: "return"}
			end := t.end()
			if !p.is(";") && !p.is("}") {
				js.Value = p.expr()
				end = js.Value.EndPos().Offset
			}
			js.Span = p.span(t.off, end)
			return js
		case "else":
			p.failHint("else must follow the block of an if", t.off, t.end(), "syntax error, unexpected else")
		}
	}
	if p.is("{") {
		b := p.block()
		return &ast.BlockStmt{Span: b.Span, Body: b}
	}
	x := p.expr()
	if op := p.cur(); op.kind == tPunct && isAssignOp(op.text) {
		switch x.(type) {
		case *ast.Variable, *ast.MapRef:
		default:
			p.fail(x.Pos().Offset, x.EndPos().Offset, "syntax error: only a $variable or an @map can be assigned to")
		}
		p.next()
		rhs := p.expr()
		return &ast.AssignStmt{Span: p.span(x.Pos().Offset, rhs.EndPos().Offset), LHS: x, Op: op.text, RHS: rhs}
	}
	return &ast.ExprStmt{Span: p.span(x.Pos().Offset, x.EndPos().Offset), X: x}
}

func isAssignOp(s string) bool {
	switch s {
	case "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=":
		return true
	}
	return false
}

func (p *parser) ifStmt() *ast.IfStmt {
	kw := p.next()
	p.enter()
	defer p.leave()
	p.expect("(")
	cond := p.expr()
	p.expect(")")
	then := p.block()
	st := &ast.IfStmt{Cond: cond, Then: then}
	end := then.EndPos().Offset
	if p.accept("else") {
		if p.is("if") {
			elif := p.ifStmt()
			st.Else = elif
			end = elif.EndPos().Offset
		} else {
			b := p.block()
			st.Else = &ast.BlockStmt{Span: b.Span, Body: b}
			end = b.EndPos().Offset
		}
	}
	st.Span = p.span(kw.off, end)
	return st
}

func (p *parser) forStmt() *ast.ForStmt {
	kw := p.next()
	p.expect("(")
	v := p.next()
	if v.kind != tVar {
		p.fail(v.off, v.end(), "syntax error, unexpected %s, expecting variable", describe(v))
	}
	p.expect(":")
	m := p.next()
	if m.kind != tMap {
		p.fail(m.off, m.end(), "syntax error, unexpected %s, expecting map", describe(m))
	}
	p.expect(")")
	body := p.block()
	return &ast.ForStmt{
		Span: p.span(kw.off, body.EndPos().Offset),
		Var:  &ast.Variable{Span: p.span(v.off, v.end()), Name: v.text},
		Map:  &ast.MapRef{Span: p.span(m.off, m.end()), Name: m.text},
		Body: body,
	}
}
