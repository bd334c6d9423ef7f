// Package format prints a parsed script in the style of the newest
// bpftrace's `--fmt`: two-space indentation, attach points one per line,
// the predicate and the opening brace on their own lines, nested binary
// expressions parenthesized, and the script's comments and blank lines
// kept where bpftrace keeps them.
//
// It ports bpftrace's printer (src/ast/passes/printer.cpp): a buffer of
// lines whose widths decide where long lists break (at 90 columns), and
// an index of the comments and vertical space the parser saw, taken in
// source order by the node printed next. It reads the tree and the
// script's text and changes neither; ast.Format, gbt's own canonical
// printer, is a different style.
package format

import (
	"sort"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
)

const (
	maxWidth    = 90 // bpftrace's Printer::kDefaultWidth
	indentWidth = 2
)

// Source formats prog, parsed from its Text, as `bpftrace --fmt` does.
func Source(prog *ast.Program) string {
	l := scanLayout(prog)
	f := &formatter{src: prog.Text}
	return f.program(prog, l).String()
}

type formatter struct {
	src string
}

// blockBegin is where bpftrace's parser starts a block: after the token
// before its '{', where it reads the layout up to the brace.
func (f *formatter) blockBegin(b *ast.Block) int {
	p := b.Pos().Offset
	for p > 0 && strings.ContainsRune(" \t\r\n\v\f", rune(f.src[p-1])) {
		p--
	}
	return p
}

// rootItem is one top-level item, printed in source order.
type rootItem struct {
	off   int
	print func(md *metadata) *buffer
}

func (f *formatter) program(prog *ast.Program, l *layout) *buffer {
	md := &l.md
	b := newBuffer()
	if l.header != "" {
		b.text(l.header).lineBreak()
	}
	var items []rootItem
	for _, c := range l.cstmts {
		items = append(items, rootItem{c.off, func(*metadata) *buffer { return newBuffer().text(c.text) }})
	}
	if c := prog.Config; c != nil {
		items = append(items, rootItem{c.Pos().Offset, func(md *metadata) *buffer { return f.config(c) }})
	}
	for _, imp := range prog.Imports {
		items = append(items, rootItem{imp.Pos().Offset, func(*metadata) *buffer {
			return newBuffer().text(`import "` + imp.Path + `";`)
		}})
	}
	for _, d := range prog.MapDecls {
		items = append(items, rootItem{d.Pos().Offset, func(*metadata) *buffer {
			return newBuffer().text("let " + d.Name + " = " + d.Kind + "(" + strconv.FormatUint(d.MaxEntries, 10) + ");")
		}})
	}
	for _, m := range prog.MacroDefs {
		if m.Library {
			continue
		}
		items = append(items, rootItem{m.Pos().Offset, func(md *metadata) *buffer { return f.macro(m, md) }})
	}
	for _, p := range prog.Probes {
		items = append(items, rootItem{p.Pos().Offset, func(md *metadata) *buffer { return f.probe(p, md) }})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].off < items[j].off })
	for _, it := range items {
		pre := md.before(it.off)
		// RootStatement: the item, then a line break.
		local := newBuffer().blockMeta(md.before(it.off), 0).add(it.print(md)).lineBreak()
		b.blockMeta(pre, 0).add(local)
	}
	return b.blockMeta(md, 0)
}

func (f *formatter) config(c *ast.Config) *buffer {
	if len(c.Items) == 0 {
		return newBuffer().text("config = {}")
	}
	block := newBuffer()
	for _, it := range c.Items {
		if block.numLines() > 0 {
			block.lineBreak()
		}
		block.add(newBuffer().text(it.Key + " = " + configValue(it.Value) + ";"))
	}
	return newBuffer().text("config = {").indented(block).text("}")
}

// configValue prints a config value: a string as a bare word when it
// needs no escapes, a number in decimal.
func configValue(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.BoolLit:
		return strconv.FormatBool(e.Value)
	case *ast.IntLit:
		return strconv.FormatUint(e.Value, 10)
	case *ast.StrLit:
		if s := escape(e.Value); s != e.Value {
			return `"` + s + `"`
		}
		return e.Value
	case *ast.Ident:
		return e.Name
	}
	return ast.ExprString(e)
}

func (f *formatter) macro(m *ast.MacroDef, md *metadata) *buffer {
	args := f.list(m.Params, ", ", md, maxWidth-10, true, func(ast.Expr) bool { return false })
	blockMD := md.before(f.blockBegin(m.Body))
	block := f.blockExpr(m.Body.Stmts, m.Value, m.Body.EndPos().Offset, md, maxWidth-indentWidth)
	return newBuffer().text("macro "+m.Name+"(").add(args).text(")").
		blockMeta(blockMD, 1).text("{").indented(block).text("}")
}

func (f *formatter) probe(p *ast.Probe, md *metadata) *buffer {
	b := newBuffer()
	for i, ap := range p.Points {
		t := ap.Raw
		if i < len(p.Points)-1 {
			t += ","
		}
		b.add(newBuffer().text(t)).lineBreak()
	}
	if p.Predicate != nil {
		predMD := md.before(p.Predicate.Pos().Offset)
		pred := f.expr(p.Predicate, md, maxWidth, true)
		b.inlineMeta(predMD).text("/").add(pred).text("/").lineBreak()
	}
	blockOff := p.Body.Pos().Offset
	if p.Predicate != nil {
		// The block of a predicate starts after its closing '/'.
		blockOff = f.blockBegin(p.Body)
	}
	blockMD := md.before(blockOff)
	block := f.blockExpr(p.Body.Stmts, nil, p.Body.EndPos().Offset, md, maxWidth-2)
	return b.inlineMeta(blockMD).text("{").indented(block).text("}")
}

// blockExpr prints a block's statements, one a line, and its value, if
// any; comments before its end trail its last line.
func (f *formatter) blockExpr(stmts []ast.Stmt, value ast.Expr, end int, md *metadata, width uint) *buffer {
	b := newBuffer()
	for i, s := range stmts {
		sb := f.stmt(s, md, width)
		if sb.width() > 0 && i > 0 {
			b.lineBreak()
		}
		b.add(sb)
	}
	extra := md.before(end)
	if value != nil {
		exprMD := extra.before(value.Pos().Offset)
		x := f.expr(value, extra, width, true)
		minV := 0
		if b.numLines() > 0 {
			minV = 1
		}
		b.blockMeta(exprMD, minV).add(x)
	}
	return b.inlineMeta(extra)
}

// stmt prints a statement after the comments that precede it.
func (f *formatter) stmt(s ast.Stmt, md *metadata, width uint) *buffer {
	comments := md.before(s.Pos().Offset)
	return newBuffer().blockMeta(comments, 0).add(f.stmtValue(s, md, width))
}

func (f *formatter) stmtValue(s ast.Stmt, md *metadata, width uint) *buffer {
	switch s := s.(type) {
	case *ast.ExprStmt:
		if be, ok := s.X.(*ast.BlockExpr); ok {
			return f.blockValue(be.Stmts, be.Value, be.EndPos().Offset, md, width)
		}
		return f.expr(s.X, md, width, true).text(";")
	case *ast.BlockStmt:
		return f.blockValue(s.Body.Stmts, nil, s.Body.EndPos().Offset, md, width)
	case *ast.AssignStmt:
		return f.assign(s, md, width)
	case *ast.IfStmt:
		return f.ifStmt(s, md, width)
	case *ast.UnrollStmt:
		block := f.blockExpr(s.Body.Stmts, nil, s.Body.EndPos().Offset, md, width-2)
		return newBuffer().text("unroll (").add(f.expr(s.Count, md, width-11, false)).text(") {").indented(block).text("}")
	case *ast.WhileStmt:
		cond := f.expr(s.Cond, md, width-8, false)
		block := f.blockExpr(s.Body.Stmts, nil, s.Body.EndPos().Offset, md, width-2)
		return newBuffer().text("while ").add(cond).text(" {").indented(block).text("}")
	case *ast.ForStmt:
		b := newBuffer().text("for ").add(f.expr(s.Var, md, width, false)).text(" : ")
		if s.Map != nil {
			b.add(f.expr(s.Map, md, width, false))
		} else {
			b.add(f.rangeBound(s.From, md, width)).text("..").add(f.rangeBound(s.To, md, width))
		}
		block := f.blockExpr(s.Body.Stmts, nil, s.Body.EndPos().Offset, md, width-indentWidth)
		return b.text(" {").indented(block).text("}")
	case *ast.JumpStmt:
		if s.Value == nil {
			return newBuffer().text(s.Keyword + ";")
		}
		// bpftrace passes `true` as the width here.
		return newBuffer().text(s.Keyword + " ").add(f.expr(s.Value, md, 1, false)).text(";")
	}
	return newBuffer().text(strings.TrimSuffix(ast.Format(s), "\n"))
}

// blockValue prints a block used as a statement or a value: on one line
// when it fits.
func (f *formatter) blockValue(stmts []ast.Stmt, value ast.Expr, end int, md *metadata, width uint) *buffer {
	local := md.before(end)
	block := f.blockExpr(stmts, value, end, local, width-2)
	if block.numLines() > 1 || block.width() > width {
		return newBuffer().text("{").indented(block).text("}")
	}
	return newBuffer().text("{ ").add(block).text(" }")
}

func (f *formatter) rangeBound(e ast.Expr, md *metadata, width uint) *buffer {
	if isLiteral(e) {
		return f.expr(e, md, width, true)
	}
	return newBuffer().text("(").add(f.expr(e, md, width-4, true)).text(")")
}

func isLiteral(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.IntLit, *ast.StrLit, *ast.BoolLit:
		return true
	case *ast.Unary:
		_, ok := e.X.(*ast.IntLit)
		return ok && e.Op == ast.OpSub && !e.Postfix
	}
	return false
}

// assign prints an assignment; `x = x op y` is printed `x op= y`, as
// bpftrace parses both alike.
func (f *formatter) assign(s *ast.AssignStmt, md *metadata, width uint) *buffer {
	lhs, rhs := f.assignTarget(s, md, width)
	if s.Decl {
		return lhs.text(";")
	}
	ops := s.Op.String()
	if bin, ok := rhs.(*ast.Binary); ok && s.Op == ast.OpAssign && compoundable(bin.Op) &&
		ast.ExprString(bin.X) == ast.ExprString(s.LHS) {
		ops = bin.Op.String() + "="
		rhs = bin.Y
	}
	if rhs == nil {
		return lhs.text(";")
	}
	x := f.expr(rhs, md, width-(lhs.width()+2+uint(len(ops))), true)
	b := lhs.text(" " + ops + " ")
	// bpftrace's ternary is its if expression: neither is aligned.
	align := true
	switch rhs.(type) {
	case *ast.BlockExpr, *ast.Ternary:
		align = false
	}
	return b.appendBuf(x, 0, align).text(";")
}

// assignTarget prints the left side of an assignment, with `let` and the
// declared type for a declaration, and returns the value assigned as
// written (nil for none).
func (f *formatter) assignTarget(s *ast.AssignStmt, md *metadata, width uint) (*buffer, ast.Expr) {
	lhs := f.expr(s.LHS, md, width, false)
	off := s.Pos().Offset
	if !strings.HasPrefix(f.src[off:], "let") || len(f.src) > off+3 && isIdent(f.src[off+3]) {
		return lhs, s.RHS
	}
	b := newBuffer().text("let ").add(lhs)
	rhs := s.RHS
	if c, ok := rhs.(*ast.Cast); ok && c.Pos() == c.Type.Pos() {
		// `let $x : type = v` reads as an assignment of v cast to type.
		b.text(" : ").add(newBuffer().text(typeName(c.Type)))
		rhs = c.X
		if lit, ok := rhs.(*ast.IntLit); ok && lit.Span.Start == c.Type.Span.Start {
			rhs = nil
		}
	}
	if s.Decl {
		rhs = nil
	}
	return b, rhs
}

// compoundable reports whether op has an op= form.
func compoundable(op ast.Op) bool {
	return ast.LookupOp(op.String() + "=").IsCompound()
}

func (f *formatter) ifStmt(s *ast.IfStmt, md *metadata, width uint) *buffer {
	type branch struct{ cond, body *buffer }
	var branches []branch
	var final *buffer
	for it := s; it != nil; {
		condMD := md.before(f.blockBegin(s.Then))
		cond := f.expr(it.Cond, condMD, width-5, false).inlineMeta(condMD)
		body := f.blockExpr(it.Then.Stmts, nil, it.Then.EndPos().Offset, md, width-indentWidth)
		branches = append(branches, branch{cond, body})
		switch e := it.Else.(type) {
		case *ast.IfStmt:
			it = e
			continue
		case *ast.BlockStmt:
			final = f.blockExpr(e.Body.Stmts, nil, e.Body.EndPos().Offset, md, width-indentWidth)
		}
		break
	}
	b := newBuffer()
	for i, br := range branches {
		if i > 0 {
			b.text(" else if ")
		} else {
			b.text("if ")
		}
		b.add(br.cond).text(" {").indented(br.body).text("}")
	}
	if final != nil {
		b.text(" else {").indented(final).text("}")
	}
	return b
}
