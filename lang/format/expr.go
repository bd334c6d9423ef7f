package format

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
)

// expr prints an expression, parenthesized unless it is primitive or
// bare is set. Comments inside it are dropped, as bpftrace drops them.
func (f *formatter) expr(e ast.Expr, md *metadata, width uint, bare bool) *buffer {
	local := md.before(e.EndPos().Offset)
	_, isTuple := e.(*ast.Tuple)
	bareOK := (bare && !isTuple) || isPrimitive(e)
	localW := width
	b := newBuffer()
	if !bareOK {
		localW -= 2
		b.text("(")
	}
	if be, ok := e.(*ast.BlockExpr); ok {
		block := f.blockExpr(be.Stmts, be.Value, be.EndPos().Offset, local, width-2)
		if block.numLines() > 1 || block.width() > localW {
			b.text("{").indented(block).text("}")
		} else {
			b.text("{ ").add(block).text(" }")
		}
	} else {
		b.add(f.value(e, local, localW, true))
	}
	if !bareOK {
		b.text(")")
	}
	return b
}

// isPrimitive reports whether e never needs parentheses.
func isPrimitive(e ast.Expr) bool {
	switch e.(type) {
	case *ast.IntLit, *ast.StrLit, *ast.BoolLit, *ast.Positional, *ast.Ident,
		*ast.Sizeof, *ast.Offsetof, *ast.Variable, *ast.Index, *ast.TupleIndex,
		*ast.MapRef, *ast.Call, *ast.Field:
		return true
	}
	return false
}

func isComparison(e ast.Expr) bool {
	b, ok := e.(*ast.Binary)
	return ok && b.Op.IsComparison()
}

// list prints elements joined by sep: on one line if they fit in width,
// else broken where the lines come out most even.
func (f *formatter) list(es []ast.Expr, sep string, md *metadata, width uint, bare bool, bareElem func(ast.Expr) bool) *buffer {
	return joinList(len(es), sep, width, func(i int, w uint) *buffer {
		return f.expr(es[i], md, w, bare || bareElem(es[i]))
	})
}

// joinList is bpftrace's format_list over n elements printed by elem.
func joinList(n int, sep string, width uint, elem func(i int, w uint) *buffer) *buffer {
	args := make([]*buffer, n)
	var total uint
	for i := range n {
		w := width
		if i < n-1 {
			w--
		}
		a := elem(i, w)
		if i < n-1 {
			a.text(sep)
		}
		total += a.width()
		args[i] = a
	}
	b := newBuffer()
	if total < width {
		for _, a := range args {
			b.add(a)
		}
		return b
	}
	widths := make([]uint, n)
	for i, a := range args {
		widths[i] = a.width()
	}
	best, bestMask := math.MaxFloat64, uint64(0)
	// bpftrace's bound is 1U << (n-1), which the CPU takes modulo 32.
	limit := uint64(0)
	if n > 0 {
		limit = uint64(1) << ((n - 1) % 32)
	}
	for mask := uint64(0); mask < limit; mask++ {
		var lines []uint
		cur := widths[0]
		for i := 1; i < n; i++ {
			if mask&(1<<(i-1)) != 0 {
				lines = append(lines, cur)
				cur = widths[i]
			} else {
				cur += widths[i]
			}
		}
		lines = append(lines, cur)
		lo, hi := lines[0], lines[0]
		for _, w := range lines {
			lo, hi = min(lo, w), max(hi, w)
		}
		if hi > width {
			continue
		}
		// bpftrace divides integers here: the ratio is 0 or 1.
		ratio := 0.0
		if hi > 0 {
			ratio = float64((hi - lo) / hi)
		}
		if ratio < best {
			best, bestMask = ratio, mask
		}
	}
	for i, a := range args {
		if i > 0 && bestMask&(1<<(i-1)) != 0 {
			b.lineBreak()
		}
		b.add(a)
	}
	return b
}

func never(ast.Expr) bool { return false }

// value prints an expression's own syntax; its operands go through expr.
func (f *formatter) value(e ast.Expr, md *metadata, width uint, bare bool) *buffer {
	switch e := e.(type) {
	case *ast.IntLit:
		return newBuffer().text(e.Raw)
	case *ast.StrLit:
		return newBuffer().text(`"` + escape(e.Value) + `"`)
	case *ast.BoolLit:
		return newBuffer().text(strconv.FormatBool(e.Value))
	case *ast.Positional:
		if e.Count {
			return newBuffer().text("$#")
		}
		return newBuffer().text("$" + strconv.Itoa(e.Index))
	case *ast.Ident:
		return newBuffer().text(e.Name)
	case *ast.Variable:
		return newBuffer().text(e.Name)
	case *ast.MapRef:
		return f.mapRef(e, md, width)
	case *ast.Call:
		return f.call(e, md, width)
	case *ast.Binary:
		return f.binary(e, md, width)
	case *ast.Unary:
		ops := e.Op.String()
		x := f.expr(e.X, md, width-uint(len(ops)), false)
		if e.Postfix {
			return newBuffer().add(x).text(ops)
		}
		return newBuffer().text(ops).add(x)
	case *ast.Ternary:
		return f.ternary(e, md, width)
	case *ast.Field:
		return f.expr(e.X, md, width-uint(len(e.Name)+1), isPrimitive(e.X)).text("." + e.Name)
	case *ast.TupleIndex:
		n := strconv.Itoa(e.Index)
		return newBuffer().add(f.expr(e.X, md, width-uint(len(n)+1), false)).text("." + n)
	case *ast.Index:
		x := f.expr(e.X, md, width-1, false)
		idx := f.expr(e.Index, md, width-indentWidth, false)
		if x.width()+idx.width()+2 > width {
			return newBuffer().add(x).text("[").indented(idx).text("]")
		}
		return newBuffer().add(x).text("[").add(idx).text("]")
	case *ast.Cast:
		t := newBuffer().text("(" + typeName(e.Type) + ")")
		return newBuffer().add(t).add(f.expr(e.X, md, width-t.width(), isPrimitive(e.X)))
	case *ast.Tuple:
		var elems *buffer
		if len(e.Elems) == 1 {
			elems = f.expr(e.Elems[0], md, width-3, true).text(",")
		} else {
			elems = f.list(e.Elems, ", ", md, width-indentWidth, true, never)
		}
		if bare {
			return elems
		}
		return parens(elems)
	case *ast.Record:
		return f.record(e, md, width)
	case *ast.Sizeof:
		b := newBuffer().text("sizeof(")
		if e.Type != nil {
			b.text(typeName(e.Type))
		} else {
			b.add(f.expr(e.X, md, width-8, true))
		}
		return b.text(")")
	case *ast.Offsetof:
		return newBuffer().text("offsetof(" + typeName(e.Type) + ", " + strings.Join(e.Field, ".") + ")")
	}
	return newBuffer().text(ast.ExprString(e))
}

// parens wraps elements in parentheses, on lines of their own when they
// take several.
func parens(elems *buffer) *buffer {
	if elems.numLines() > 1 {
		return newBuffer().text("(").indented(elems).text(")")
	}
	return newBuffer().text("(").add(elems).text(")")
}

func (f *formatter) record(e *ast.Record, md *metadata, width uint) *buffer {
	field := func(r ast.RecordField, w uint) *buffer {
		return newBuffer().text(r.Name + "=").add(f.expr(r.Value, md, w-uint(len(r.Name))-1, false))
	}
	if len(e.Fields) == 1 {
		return parens(field(e.Fields[0], width-2))
	}
	return parens(joinList(len(e.Fields), ", ", width-indentWidth, func(i int, w uint) *buffer {
		return field(e.Fields[i], w)
	}))
}

func (f *formatter) mapRef(e *ast.MapRef, md *metadata, width uint) *buffer {
	if e.Keys == nil {
		return newBuffer().text(e.Name)
	}
	var key *buffer
	if t, ok := e.Keys[0].(*ast.Tuple); ok && len(e.Keys) == 1 && len(t.Elems) >= 2 {
		key = f.value(t, md, width-indentWidth, true)
	} else if len(e.Keys) >= 2 {
		key = f.list(e.Keys, ", ", md, width-indentWidth, true, never)
	} else {
		key = f.expr(e.Keys[0], md, width-indentWidth, true)
	}
	if uint(len(e.Name))+key.width()+2 > width {
		return newBuffer().text(e.Name + "[").indented(key).text("]")
	}
	return newBuffer().text(e.Name + "[").add(key).text("]")
}

func (f *formatter) call(e *ast.Call, md *metadata, width uint) *buffer {
	args := f.list(e.Args, ", ", md, width-uint(len(e.Name)+2), true, never)
	if args.width() > width {
		return newBuffer().text(e.Name + "(").indented(args).text(")")
	}
	return newBuffer().text(e.Name + "(").add(args).text(")")
}

// binary prints a binary expression; a chain of one logical operator is
// printed flat, and a comparison operand stays bare where it binds
// tighter than e's operator (`a < b && c > d`). bpftrace 0.27.1 leaves
// every comparison operand bare, which changes the expression where it
// does not (`$y % ($y < 0)` printed `$y % $y < 0`): gbt keeps those
// parentheses.
func (f *formatter) binary(e *ast.Binary, md *metadata, width uint) *buffer {
	var entries []ast.Expr
	logical := e.Op == ast.OpLAnd || e.Op == ast.OpLOr
	var expand func(x ast.Expr)
	expand = func(x ast.Expr) {
		if b, ok := x.(*ast.Binary); ok && logical && b.Op == e.Op {
			expand(b.X)
			expand(b.Y)
			return
		}
		entries = append(entries, x)
	}
	expand(e.X)
	expand(e.Y)
	tighter := func(x ast.Expr) bool {
		return isComparison(x) && x.(*ast.Binary).Op.Precedence() > e.Op.Precedence()
	}
	return f.list(entries, " "+e.Op.String()+" ", md, width, false, tighter)
}

func (f *formatter) ternary(e *ast.Ternary, md *metadata, width uint) *buffer {
	cond := f.expr(e.Cond, md, width, false)
	if e.Then == nil {
		// a ?: b stays so: bpftrace 0.27.1 prints a ? a : b, which
		// evaluates a twice ($i++ ?: 5 gives 2 there), where gbt
		// evaluates it once.
		right := f.expr(e.Else, md, width-3, false)
		if cond.width()+right.width()+4 > width {
			return newBuffer().add(cond).lineBreak().text("?: ").add(right)
		}
		return newBuffer().add(cond).text(" ?: ").add(right)
	}
	left := f.expr(e.Then, md, width-2, false)
	right := f.expr(e.Else, md, width-2, false)
	if cond.width()+left.width()+right.width()+8 > width {
		return newBuffer().add(cond).lineBreak().text("? ").add(left).lineBreak().text(": ").add(right)
	}
	return newBuffer().add(cond).text(" ? ").add(left).text(" : ").add(right)
}

// typeName prints a type as bpftrace does: `struct task_struct*`.
func typeName(t *ast.TypeExpr) string {
	s := t.Name
	if t.Of != nil {
		s = "typeof(" + ast.ExprString(t.Of) + ")"
	}
	s += strings.Repeat("*", t.Ptr)
	switch {
	case t.ArrayN > 0:
		s += fmt.Sprintf("[%d]", t.ArrayN) + strings.Repeat("*", t.ArrayPtr)
	case t.ArrayN < 0:
		s += "[]"
	}
	return s
}

// escape writes a string's value with bpftrace's escapes.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '"':
			b.WriteString(`\"`)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\r':
			b.WriteString(`\r`)
		default:
			fmt.Fprintf(&b, `\x%02x`, c)
		}
	}
	return b.String()
}
