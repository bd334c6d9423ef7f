package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/stdlib"
)

// Casts to and from arrays (the checker's casts.go says which it allows).
// An array is a value in memory: a cast to an array writes the bytes of
// its operand; a cast of an array to an integer loads its bytes at once.

// arrayCastMem writes the array cast e at R10+off, size bytes at most: the
// bytes of an integer (zero-extended to the array's size), of a string or
// array as wide as the array, or zeros for a `let` declaration's array.
func (g *gen) arrayCastMem(e *ast.Cast, off int16, size int) {
	at, xt := g.TypeOf(e), g.TypeOf(e.X)
	n := min(size, at.ByteSize())
	switch {
	case xt.IsInt() && at.ByteSize() <= 8:
		m := g.mark()
		defer g.reset(m)
		tmp := g.Alloc(8)
		r := g.reg()
		g.EvalInt(e.X, r)
		if w := xt.ByteSize(); xt.Kind == types.Int && w < 8 && at.ByteSize() > w {
			g.extend(r, types.IntOf(8*w, false)) // the value's own bytes only
		}
		g.Emit(asm.StoreMem(asm.R10, tmp, r, asm.DWord))
		g.release(r)
		g.copyFrame(off, asm.R10, tmp, n)
	case xt.IsInt():
		g.zero(off, n) // a `let $v: T[N];` declaration
	default:
		m := g.mark()
		defer g.reset(m)
		src := g.inFrame(e.X, xt)
		g.copyFrame(off, asm.R10, src, n)
	}
}

// arrayInt loads the bytes of array x, of type xt, as an integer of as
// many bytes into dst: read where x is, in the context, kernel or user
// memory, else from the frame.
func (g *gen) arrayInt(x ast.Expr, xt types.Type, dst asm.Register) {
	it := types.IntOf(8*xt.ByteSize(), false)
	if as, ok := g.addrOf(x, dst); ok {
		g.probeRead(dst, types.PointerTo(it, as), it)
		return
	}
	m := g.mark()
	defer g.reset(m)
	base := g.inFrame(x, xt)
	if base%int16(xt.ByteSize()) == 0 {
		g.Emit(asm.LoadMem(dst, asm.R10, base, sizeOf(it)))
		return
	}
	g.addr(dst, base)
	g.probeRead(dst, types.PointerTo(it, types.Kernel), it)
}

// oobMessage is bpftrace's runtime warning for an index outside an array.
const oobMessage = "Array access out of bounds. This can lead to unexpected results."

// outOfBounds is the code at the label where a variable index of e falls
// outside its array: the runtime warning bpftrace gives there (for arrays,
// not char arrays, which bpftrace reads as strings), then dst = 0, a value
// of 0 or a NULL address whose read gives zeros.
func (g *gen) outOfBounds(e *ast.Index, dst asm.Register) func(label string) {
	return func(label string) {
		g.Place(label)
		if g.TypeOf(e.X).Kind == types.Array {
			m := g.mark()
			c := stdlib.RuntimeWarning()
			ev := g.NewEvent(c, nil)
			ev.Span, ev.Format = spanOf(e), oobMessage
			c.Encode(g, nil, ev)
			g.reset(m)
		}
		g.Emit(asm.Mov.Imm(dst, 0))
	}
}
