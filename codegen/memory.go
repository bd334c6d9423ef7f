package codegen

import (
	"math"
	"math/bits"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// Addresses, pointer arithmetic and indexing.
//
// A value a script reads lives in one of three places: the probe's context
// (args->name: loaded in place), kernel or user memory (reached through a
// pointer: read with bpf_probe_read_{kernel,user}), or the BPF stack frame
// (a $variable, or a value computed into a temporary). p[i] and p + i count
// elements of what p points at, as in C.

// space returns the address space a pointer of type ptr points into. The
// checker leaves it open for an integer cast to a pointer: such a pointer
// points where the probe's addresses do, as bpftrace has it: into the
// probed process in uprobes and USDT probes, nowhere known in kinds that
// run in no particular task's context (BEGIN, profile: AddrNone, read
// with bpf_probe_read), into the kernel elsewhere.
func (g *gen) space(ptr types.Type) types.AddrSpace {
	switch {
	case ptr.Kind == types.Pointer && ptr.AddrSpace != types.AddrNone:
		return ptr.AddrSpace
	case g.userProbe():
		return types.User
	case g.pi.Kind.OpenAddrSpace:
		return types.AddrNone
	}
	return types.Kernel
}

// addressable reports whether the value e denotes has an address in kernel
// or user memory, or in the context, that addrOf can compute (a struct or
// array reached through a pointer or held in the tracepoint's record),
// rather than being a value computed into the frame.
func (g *gen) addressable(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Field:
		if _, ok := g.kernelField(e); ok {
			return g.derefs(e) > 0 || g.addressable(e.X)
		}
		f, ok := g.argField(e)
		// A __data_loc string holds a locator, not the string, in place.
		return ok && !(f.Type.Kind == types.String && f.Type.Len == -1)
	case *ast.Index:
		return g.TypeOf(e.X).Kind == types.Pointer || g.addressable(e.X)
	case *ast.Unary:
		return e.Op == ast.OpMul && g.TypeOf(e.X).Kind == types.Pointer
	}
	return false
}

// addrOf puts the address of the value e denotes into dst and returns its
// address space; ok is false when e is not addressable.
func (g *gen) addrOf(e ast.Expr, dst asm.Register) (as types.AddrSpace, ok bool) {
	if !g.addressable(e) {
		return types.AddrNone, false
	}
	switch e := e.(type) {
	case *ast.Field:
		if f, ok := g.kernelField(e); ok {
			return g.fieldAddr(e, f, dst), true
		}
		f, _ := g.argField(e)
		base, done := g.ctxBase(e.X)
		g.Emit(asm.Mov.Reg(dst, base), asm.Add.Imm(dst, int32(f.Offset)))
		done()
		return types.Kernel, true
	case *ast.Index:
		return g.elementAddr(e, dst), true
	case *ast.Unary:
		g.EvalInt(e.X, dst)
		return g.space(g.TypeOf(e.X)), true
	}
	return types.AddrNone, false
}

// inFrame returns where the value e of type t is in the frame: a $variable's
// own slot, or a zeroed temporary it is evaluated into (the caller scopes
// it with mark and reset).
func (g *gen) inFrame(e ast.Expr, t types.Type) int16 {
	if v, ok := e.(*ast.Variable); ok {
		return g.vars[g.pi.Slot(v)]
	}
	off := g.Alloc(t.ByteSize())
	g.zero(off, t.ByteSize())
	g.EvalMem(e, t, off)
	return off
}

// arrayLen is the number of elements of an array or char array (a string)
// whose index codegen checks, or -1 for a flexible array member (data[]).
func arrayLen(t types.Type) int {
	switch {
	case t.Kind == types.String:
		return t.Size
	case t.Kind == types.Array && t.Len > 0:
		return t.Len
	}
	return -1
}

// elemSize is the size of the elements of a pointer, array or string.
func elemSize(t types.Type) int {
	if t.Kind == types.String {
		return 1
	}
	return t.ElemSize()
}

// ctxArray returns the field of the tracepoint's record that x reads, when
// it is a fixed array or char array held in place.
func (g *gen) ctxArray(x ast.Expr) (types.Field, bool) {
	fe, ok := x.(*ast.Field)
	if !ok {
		return types.Field{}, false
	}
	if _, rec := g.kernelField(fe); rec {
		return types.Field{}, false
	}
	f, ok := g.argField(fe)
	switch {
	case !ok:
		return types.Field{}, false
	case f.Type.Kind == types.Array, f.Type.Kind == types.String && f.Type.Len != -1:
		return f, true
	}
	return types.Field{}, false
}

// index reads x[i], an integer or a pointer, into dst: *(x + i) for a
// pointer, element i of an array otherwise. An element of the tracepoint's
// record at a constant index is loaded in place; other elements in the
// context, kernel or user memory are read through their address; an array
// in the frame is loaded from there. An index outside an array reads 0.
func (g *gen) index(e *ast.Index, dst asm.Register) {
	xt, et := g.TypeOf(e.X), g.TypeOf(e)
	if f, ok := g.ctxArray(e.X); ok {
		if i, isConst := g.Const(e.Index); isConst {
			if g.dispatching(!isArgs(e.X.(*ast.Field).X)) {
				g.syscallField(types.Field{Name: f.Name, Type: et, Offset: f.Offset + int(i)*et.ByteSize()}, dst)
				return
			}
			base, done := g.ctxBase(e.X.(*ast.Field).X)
			g.Emit(asm.LoadMem(dst, base, int16(f.Offset+int(i)*et.ByteSize()), sizeOf(et)))
			done()
			g.signExtend(dst, et)
			return
		}
		if isArgs(e.X.(*ast.Field).X) && g.dispatching(false) {
			g.syscallArgAt(e, f, dst)
			return
		}
	}
	if xt.Kind == types.Pointer || g.addressable(e.X) {
		as := g.elementAddr(e, dst)
		g.probeRead(dst, types.PointerTo(et, as), et)
		return
	}
	m := g.mark()
	defer g.reset(m)
	base := g.inFrame(e.X, xt)
	size := et.ByteSize()
	n := arrayLen(xt)
	if i, ok := g.Const(e.Index); ok {
		if i < 0 || i >= int64(n) {
			g.fail(e, "the index %d is out of bounds for array of size %d", i, max(n, 0))
		}
		g.Emit(asm.LoadMem(dst, asm.R10, base+int16(int(i)*size), sizeOf(et)))
		g.signExtend(dst, et)
		return
	}
	// The bound check on the index (unsigned: negative ones fail it too)
	// lets the verifier accept the variable offset into the stack.
	outside, done := g.Label(), g.Label()
	g.EvalInt(e.Index, dst)
	g.Emit(asm.JGE.Imm(dst, int32(max(n, 0)), outside))
	g.scaleReg(dst, size)
	g.Emit(asm.Add.Reg(dst, asm.R10), asm.LoadMem(dst, dst, base, sizeOf(et)))
	g.signExtend(dst, et)
	g.Emit(asm.Ja.Label(done))
	g.outOfBounds(e, dst)(outside)
	g.Place(done)
}

// indexMem writes x[i], a struct, array or string element, at R10+off
// (zeroed first: an index outside an array reads zeros).
func (g *gen) indexMem(e *ast.Index, t types.Type, off int16) {
	xt, et := g.TypeOf(e.X), g.TypeOf(e)
	n := min(t.ByteSize(), et.ByteSize())
	r := g.reg()
	defer g.release(r)
	as := types.Kernel
	if xt.Kind == types.Pointer || g.addressable(e.X) {
		as = g.elementAddr(e, r)
	} else {
		m := g.mark()
		defer g.reset(m)
		base := g.inFrame(e.X, xt)
		g.frameElemAddr(e, base, r)
	}
	g.zeroBytes(off, t.ByteSize())
	g.readInto(off, n, r, as)
}

// elementAddr puts the address of x[i] into dst and returns its address
// space. A variable index outside an array makes it NULL, whose reads fail
// and so read zeros.
func (g *gen) elementAddr(e *ast.Index, dst asm.Register) types.AddrSpace {
	xt := g.TypeOf(e.X)
	var as types.AddrSpace
	n := -1
	size := elemSize(xt)
	if xt.Kind == types.Pointer {
		as = g.space(xt)
		g.EvalInt(e.X, dst)
		size = max(g.TypeOf(e).ByteSize(), 1) // a struct is resolved only here
	} else {
		as, _ = g.addrOf(e.X, dst)
		n = arrayLen(xt)
	}
	g.addIndex(e.Index, dst, size, n, g.outOfBounds(e, dst))
	return as
}

// frameElemAddr puts the address of element i of the array at R10+base
// into dst (NULL for an index outside it).
func (g *gen) frameElemAddr(e *ast.Index, base int16, dst asm.Register) {
	xt := g.TypeOf(e.X)
	n := arrayLen(xt)
	if i, ok := g.Const(e.Index); ok && (i < 0 || i >= int64(n)) {
		g.fail(e, "the index %d is out of bounds for array of size %d", i, max(n, 0))
	}
	g.addr(dst, base)
	g.addIndex(e.Index, dst, elemSize(xt), max(n, 0), g.outOfBounds(e, dst))
}

// addIndex adds i*size to the address in dst. With n >= 0, a variable i
// must be below n (unsigned), or the code jumps to a label that outside
// places (with the code to run there) after the addition.
func (g *gen) addIndex(i ast.Expr, dst asm.Register, size, n int, outside func(label string)) {
	if v, ok := g.Const(i); ok {
		g.addConst(dst, v*int64(size))
		return
	}
	src, free := g.operand(i, dst)
	defer free()
	var out string
	if n >= 0 {
		out = g.Label()
		g.Emit(asm.JGE.Imm(src, int32(n), out))
	}
	g.scaleReg(src, size)
	g.Emit(asm.Add.Reg(dst, src))
	if out != "" {
		done := g.Label()
		g.Emit(asm.Ja.Label(done))
		outside(out)
		g.Place(done)
	}
}

// pointerArith computes p + n, p - n or n + p into dst, moving p by n
// elements of what it points at.
func (g *gen) pointerArith(e *ast.Binary, t types.Type, dst asm.Register) {
	ptr, n := e.X, e.Y
	if g.TypeOf(e.X).Kind != types.Pointer {
		ptr, n = e.Y, e.X
	}
	g.EvalInt(ptr, dst)
	g.moveElems(e.Op, dst, n, t.ElemSize())
}

// moveElems computes dst = dst + n*size (OpAdd) or dst - n*size (OpSub):
// a pointer moved by n elements of size bytes.
func (g *gen) moveElems(op ast.Op, dst asm.Register, n ast.Expr, size int) {
	alu := asm.Add
	if op == ast.OpSub {
		alu = asm.Sub
	}
	if v, ok := g.Const(n); ok {
		if d := v * int64(size); d >= math.MinInt32 && d <= math.MaxInt32 {
			g.Emit(alu.Imm(dst, int32(d)))
			return
		}
	}
	src, free := g.operand(n, dst)
	defer free()
	g.scaleReg(src, size)
	g.Emit(alu.Reg(dst, src))
}

// addConst adds v to dst.
func (g *gen) addConst(dst asm.Register, v int64) {
	switch {
	case v == 0:
	case v >= math.MinInt32 && v <= math.MaxInt32:
		g.Emit(asm.Add.Imm(dst, int32(v)))
	default:
		g.loadConst(asm.R1, v)
		g.Emit(asm.Add.Reg(dst, asm.R1))
	}
}

// scaleReg multiplies r by size, with a shift when size is a power of two.
func (g *gen) scaleReg(r asm.Register, size int) {
	switch {
	case size == 1:
	case size&(size-1) == 0:
		g.Emit(asm.LSh.Imm(r, int32(bits.TrailingZeros(uint(size)))))
	default:
		g.Emit(asm.Mul.Imm(r, int32(size)))
	}
}

// signExtend sign-extends dst, loaded with a value of type t, to 64 bits.
func (g *gen) signExtend(dst asm.Register, t types.Type) {
	if t.Kind == types.Int && t.Signed && t.Bits < 64 {
		g.extend(dst, t)
	}
}

// valueMember writes member f (a string, array or struct) of the struct
// value e.X, which is computed into the frame, at R10+off.
func (g *gen) valueMember(e *ast.Field, f types.Field, t types.Type, off int16) {
	m := g.mark()
	defer g.reset(m)
	src := g.inFrame(e.X, g.TypeOf(e.X)) + int16(f.Offset)
	fn := asm.FnProbeReadKernel
	if t.Kind == types.String {
		fn = asm.FnProbeReadKernelStr // keeps the NUL when t is shorter
	}
	g.zeroBytes(off, t.ByteSize())
	g.addr(asm.R1, off)
	g.addr(asm.R3, src)
	g.Emit(asm.Mov.Imm(asm.R2, int32(min(t.ByteSize(), f.Type.ByteSize()))), fn.Call())
}

// zeroBytes writes size zero bytes at R10+off, which need not be aligned:
// each store is as wide as the alignment of its address allows.
func (g *gen) zeroBytes(off int16, size int) {
	g.Emit(asm.Mov.Imm(asm.R0, 0))
	for i := 0; i < size; {
		n := 8
		for n > 1 && ((int(off)+i)%n != 0 || size-i < n) {
			n /= 2
		}
		g.Emit(asm.StoreMem(asm.R10, off+int16(i), asm.R0, sizeOf(types.IntOf(8*n, false))))
		i += n
	}
}
