package parse

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
)

// lowerer turns the participle tree into lang/ast nodes with spans.
type lowerer struct {
	s     *scanner
	diags diag.List
}

func (l *lowerer) errorf(sp ast.Span, format string, args ...any) *diag.Diagnostic {
	return l.diags.Errorf(sp, format, args...)
}

func (l *lowerer) program(g *gProgram, probes []*gProbe, soft []softError) *ast.Program {
	s := l.s
	prog := &ast.Program{Span: s.span(0, len(s.src)), File: s.file}
	if g.Shebang != "" {
		prog.Shebang = strings.TrimSpace(g.Shebang[2:])
	}
	for _, d := range g.Defs {
		if d.Include != "" {
			if inc := l.include(d); inc != nil {
				prog.Includes = append(prog.Includes, inc)
			}
			continue
		}
		prog.CDefs = append(prog.CDefs, l.cdef(d))
	}
	for _, h := range g.Heads {
		toks := h.Tokens
		if n := len(toks); h.Config == nil && n > 0 && toks[n-1].Value == ";" {
			toks = toks[:n-1] // bpftrace's span of an import ends at its path
		}
		sp := l.s.tokSpan(toks)
		switch {
		case h.Config == nil:
			path, err := unquote(h.Import[1 : len(h.Import)-1])
			if err != nil {
				l.errorf(sp, "invalid import path: %v", err)
				continue
			}
			prog.Imports = append(prog.Imports, &ast.Import{Span: sp, Path: path})
		case prog.Config != nil:
			l.errorf(sp, "duplicate config block")
		default:
			prog.Config = l.config(h.Config)
		}
	}
	for _, p := range probes {
		prog.Probes = append(prog.Probes, l.probe(p))
	}
	for _, e := range soft {
		d := l.errorf(e.span, "%s", e.msg)
		if e.hint != "" {
			d.Hint = e.hint
		}
	}
	for _, c := range s.comments {
		prog.Comments = append(prog.Comments, &ast.Comment{Span: s.span(c.off, c.end), Text: s.src[c.off:c.end]})
	}
	return prog
}

func (l *lowerer) include(d *gDef) *ast.Include {
	sp := l.s.tokSpan(d.Tokens)
	text := strings.TrimSpace(d.Include[1:])
	rest, ok := strings.CutPrefix(text, "include")
	if !ok {
		l.errorf(sp, "unsupported preprocessor directive: gbt supports #include, #define, #undef, #ifdef, #ifndef, #if, #else and #endif")
		return nil
	}
	rest = strings.TrimSpace(rest)
	if i := strings.Index(rest, "//"); i > 0 {
		rest = strings.TrimSpace(rest[:i])
	}
	inc := &ast.Include{Span: sp}
	switch {
	case len(rest) >= 2 && rest[0] == '<' && rest[len(rest)-1] == '>':
		inc.Path, inc.System = rest[1:len(rest)-1], true
	case len(rest) >= 2 && rest[0] == '"' && rest[len(rest)-1] == '"':
		inc.Path = rest[1 : len(rest)-1]
	default:
		l.errorf(sp, "invalid #include: expected <file> or \"file\"")
		return nil
	}
	return inc
}

// cdef keeps the body verbatim and fills Fields when the body is a simple
// member (or enumerator) list.
func (l *lowerer) cdef(d *gDef) *ast.CDef {
	def := &ast.CDef{Span: l.s.tokSpan(d.Tokens), Kind: d.Kind, Name: d.Name}
	body := d.Tokens[1] // an anonymous enum: keyword, body
	if d.Name != "" {
		body = d.Tokens[2] // keyword, name, body
	}
	closing := strings.LastIndexByte(body.Value, '}')
	def.Body = body.Value[1:closing]
	def.Attrs = strings.TrimSpace(body.Value[closing+1:])
	sub := scanRange(l.s, body.Pos.Offset, body.Pos.Offset+closing+1)
	if sub.bad != "" {
		return def
	}
	peek, err := lexer.Upgrade(&sliceLexer{toks: sub.toks})
	if err != nil {
		return def
	}
	g, err := parsers().members.ParseFromLexer(peek)
	if err != nil {
		return def // not a simple member list: the checker parses Body
	}
	enum := d.Kind == "enum"
	for _, m := range g.Members {
		f, ok := l.member(m, enum)
		if !ok {
			def.Fields = nil
			return def
		}
		def.Fields = append(def.Fields, f)
	}
	return def
}

func (l *lowerer) member(m *gMember, enum bool) (*ast.CField, bool) {
	f := &ast.CField{Span: l.s.tokSpan(m.Tokens)}
	if enum {
		if len(m.Words) != 1 || len(m.Stars) > 0 || m.Name != "" || m.Len != "" || m.Bits != "" || m.End == ";" {
			return nil, false
		}
		f.Name = m.Words[0]
		if m.Value != nil {
			f.Value = l.expr(m.Value)
		}
		return f, true
	}
	if m.Value != nil || m.End != ";" {
		return nil, false
	}
	words := m.Words
	name := m.Name
	if name == "" {
		if len(m.Stars) > 0 || len(words) < 2 {
			return nil, false
		}
		name, words = words[len(words)-1], words[:len(words)-1]
	}
	f.Name = name
	f.Type = &ast.TypeExpr{Span: f.Span, Name: strings.Join(words, " "), Ptr: len(m.Stars)}
	if m.Len != "" {
		n, err := parseInt(m.Len)
		if err != nil || n == 0 || n > 1<<20 {
			return nil, false
		}
		f.ArrayN = int(n)
	}
	if m.Bits != "" {
		n, err := parseInt(m.Bits)
		if err != nil || n > 64 {
			return nil, false
		}
		f.Bits = int(n)
	}
	return f, true
}

func (l *lowerer) config(g *gConfig) *ast.Config {
	cfg := &ast.Config{Span: l.s.tokSpan(g.Tokens)}
	for _, it := range g.Items {
		cfg.Items = append(cfg.Items, &ast.ConfigItem{Span: l.s.tokSpan(it.Tokens), Key: it.Key, Value: l.expr(it.Value)})
	}
	return cfg
}

func (l *lowerer) probe(g *gProbe) *ast.Probe {
	p := &ast.Probe{Span: g.Span, Predicate: g.Pred}
	for _, a := range g.Points {
		ap := &ast.AttachPoint{Span: l.s.span(a.Pos.Offset, tokEnd(a)), Raw: a.Value}
		ap.Provider, ap.Parts = ast.SplitAttach(a.Value)
		p.Points = append(p.Points, ap)
	}
	p.Body = g.Body
	return p
}

// ---------------------------------------------------------------------------
// Expressions

func (l *lowerer) expr(g *gExpr) ast.Expr { return g.X }
