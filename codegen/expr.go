package codegen

import (
	"encoding/binary"
	"math"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/stdlib"
)

// loadConst puts v into dst, with a 64-bit load when it does not fit the
// sign-extended 32-bit immediate (pitfall 13).
func (g *gen) loadConst(dst asm.Register, v int64) {
	if v >= math.MinInt32 && v <= math.MaxInt32 {
		g.Emit(asm.Mov.Imm(dst, int32(v)))
		return
	}
	g.Emit(asm.LoadImm(dst, v, asm.DWord))
}

// EvalInt implements stdlib.Gen.
func (g *gen) EvalInt(e ast.Expr, dst asm.Register) {
	if v, ok := g.Const(e); ok {
		g.loadConst(dst, v)
		return
	}
	defer g.evaluating(e)()
	if x, ok := g.c.info.Expansions[e]; ok {
		g.EvalInt(x, dst)
		return
	}
	switch e := e.(type) {
	case *ast.BlockExpr:
		g.blockInt(e, dst)
	case *ast.Variable:
		g.Emit(asm.LoadMem(dst, asm.R10, g.vars[g.pi.Slot(e)], asm.DWord))
	case *ast.Ident:
		if t := g.TypeOf(e); t.Kind == types.Pointer && t.Ctx {
			g.dispatching(true)
			g.Emit(asm.Mov.Reg(dst, ctxReg)) // args: the context itself
			return
		}
		em, ok := g.intEmitter(e)
		if !ok {
			g.fail(e, "%s is not supported by gbt yet", e.Name)
		}
		em(g, nil, dst)
	case *ast.Call:
		em, ok := g.intEmitter(e)
		if !ok {
			g.fail(e, "%s() is not supported by gbt yet", e.Name)
		}
		em(g, e, dst)
	case *ast.MapRef:
		g.mapRead(e, dst)
	case *ast.Unary:
		g.unary(e, dst)
	case *ast.Binary:
		g.binary(e, dst)
	case *ast.Ternary:
		if e.Then == nil {
			g.elvis(e, dst)
			return
		}
		els, done := g.Label(), g.Label()
		g.jumpUnlessIn(e.Cond, els, dst)
		g.EvalInt(e.Then, dst)
		g.Emit(asm.Ja.Label(done))
		g.Place(els)
		g.EvalInt(e.Else, dst)
		g.Place(done)
	case *ast.Cast:
		t := g.TypeOf(e)
		if t.Kind == types.Bool {
			g.boolCast(e.X, dst)
			return
		}
		if xt := g.TypeOf(e.X); xt.Kind == types.Array {
			g.arrayInt(e.X, xt, dst)
		} else {
			g.EvalInt(e.X, dst)
		}
		if t.Kind == types.Int && t.Bits < 64 {
			g.extend(dst, t)
		}
	case *ast.Field:
		g.field(e, dst)
	case *ast.Index:
		g.index(e, dst)
	case *ast.TupleIndex:
		tt := g.TypeOf(e.X)
		m := g.mark()
		off := g.Alloc(tt.ByteSize())
		g.zero(off, tt.ByteSize())
		g.EvalMem(e.X, tt, off)
		et := tt.Elems[e.Index]
		g.Emit(asm.LoadMem(dst, asm.R10, off+int16(tt.TupleOffsets()[e.Index]), sizeOf(et)))
		g.reset(m)
	default:
		g.fail(e, "this expression is not supported by gbt yet")
	}
}

// userProbe reports whether the program probes user space (uprobe,
// uretprobe, usdt), where integer addresses are user addresses.
func (g *gen) userProbe() bool { return g.pi.Kind.User }

// extend truncates dst to t's width and sign-extends it if t is signed.
func (g *gen) extend(dst asm.Register, t types.Type) {
	shift := int32(64 - t.Bits)
	g.Emit(asm.LSh.Imm(dst, shift))
	if t.Signed {
		g.Emit(asm.ArSh.Imm(dst, shift))
	} else {
		g.Emit(asm.RSh.Imm(dst, shift))
	}
}

func (g *gen) unary(e *ast.Unary, dst asm.Register) {
	switch e.Op {
	case ast.OpInc, ast.OpDec:
		g.incDec(e, dst)
		return
	case ast.OpSub, ast.OpCompl:
		g.EvalInt(e.X, dst)
		if e.Op == ast.OpSub {
			g.Emit(asm.Neg.Imm(dst, 0))
		} else {
			g.Emit(asm.Xor.Imm(dst, -1))
		}
		if t := g.TypeOf(e); t.Bits < 64 {
			g.extend(dst, t) // -(uint32)1 is 4294967295
		}
	case ast.OpNot:
		g.EvalInt(e.X, dst)
		g.boolify(dst, asm.JEq)
	case ast.OpMul:
		t := g.TypeOf(e)
		g.EvalInt(e.X, dst)
		g.probeRead(dst, g.TypeOf(e.X), t)
	case ast.OpAnd: // &$v, the checker makes sure
		g.addr(dst, g.vars[g.pi.Slot(e.X.(*ast.Variable))])
	default:
		g.fail(e, "the %s operator is not supported by gbt yet", e.Op)
	}
}

// boolify sets dst to 1 if `dst jump 0` holds, else 0.
func (g *gen) boolify(dst asm.Register, jump asm.JumpOp) {
	yes, done := g.Label(), g.Label()
	g.Emit(jump.Imm(dst, 0, yes), asm.Mov.Imm(dst, 0), asm.Ja.Label(done))
	g.Place(yes)
	g.Emit(asm.Mov.Imm(dst, 1))
	g.Place(done)
}

// boolCast sets dst to (bool)x: 1 when the integer or pointer x is not
// zero, or when the string x is not empty.
func (g *gen) boolCast(x ast.Expr, dst asm.Register) {
	if t := g.TypeOf(x); t.Kind == types.String {
		m := g.mark()
		off := g.Alloc(t.ByteSize())
		g.zero(off, t.ByteSize())
		g.EvalMem(x, t, off)
		g.Emit(asm.LoadMem(dst, asm.R10, off, asm.Byte))
		g.reset(m)
	} else {
		g.EvalInt(x, dst)
	}
	g.boolify(dst, asm.JNE)
}

// probeRead replaces the address in dst, a pointer of type ptr, with the
// value of type val it points to, read with bpf_probe_read_{user,kernel}
// (or bpf_probe_read for an address of no known space).
func (g *gen) probeRead(dst asm.Register, ptr, val types.Type) {
	m := g.mark()
	defer g.reset(m)
	buf := g.Alloc(8)
	g.zero(buf, 8)
	fn, _ := stdlib.ProbeReads(g.space(ptr))
	size := val.ByteSize()
	if size <= 0 || size > 8 {
		size = 8
	}
	g.addr(asm.R1, buf)
	g.Emit(asm.Mov.Imm(asm.R2, int32(size)), asm.Mov.Reg(asm.R3, dst), fn.Call())
	g.checkRead()
	g.Emit(asm.LoadMem(dst, asm.R10, buf, sizeOf(types.IntOf(size*8, false))))
	if val.Kind == types.Int && val.Signed && val.Bits < 64 {
		g.extend(dst, val)
	}
}

// field reads args->name / args.name of a tracepoint, or a field of a
// kernel record (curtask->pid, ((struct sock *)arg0)->sk_state).
func (g *gen) field(e *ast.Field, dst asm.Register) {
	if f, ok := g.ctxField(e); ok {
		g.ctxFieldLoad(f, dst)
		return
	}
	if f, ok := g.kernelField(e); ok {
		g.recordField(e, f, dst)
		return
	}
	f, ok := g.argField(e)
	if !ok {
		if g.pi.Args != nil {
			g.fail(e, "%s has no field %s", g.prog.Name, e.Name)
		}
		g.fail(e, "reading this field is not supported by gbt yet")
	}
	if g.pi.Kind.ArgN == probe.ArgsRegs {
		g.regArg(f, dst)
		return
	}
	if g.dispatching(!isArgs(e.X)) {
		g.syscallField(f, dst)
		return
	}
	base, done := g.ctxBase(e.X)
	defer done()
	switch f.Type.Kind {
	case types.Int:
		if g.prog.Kind == probe.ProgTracing {
			// A tracing context is u64 slots, read whole.
			g.Emit(asm.LoadMem(dst, base, int16(f.Offset), asm.DWord))
			if f.Type.Bits < 64 {
				g.extend(dst, f.Type)
			}
			return
		}
		g.Emit(asm.LoadMem(dst, base, int16(f.Offset), sizeOf(f.Type)))
		if f.Type.Signed && f.Type.Bits < 64 {
			g.extend(dst, f.Type)
		}
	case types.Pointer:
		g.Emit(asm.LoadMem(dst, base, int16(f.Offset), asm.DWord))
	case types.Bool:
		if g.prog.Kind == probe.ProgTracing {
			g.Emit(asm.LoadMem(dst, base, int16(f.Offset), asm.DWord), asm.And.Imm(dst, 0xff))
			return
		}
		g.Emit(asm.LoadMem(dst, base, int16(f.Offset), asm.Byte))
	default:
		g.fail(e, "field %s of type %s is not an integer", f.Name, f.Type)
	}
}

// regArg reads field f of the args of a kind that passes arguments in
// registers (a uprobe's, typed from DWARF): slot i is argument i, in its
// register or, past the sixth, on the stack.
func (g *gen) regArg(f types.Field, dst asm.Register) {
	if i := f.Offset / 8; i < probe.MaxRegArgs {
		g.Arg(i, dst)
	} else {
		g.StackArg(i-probe.MaxRegArgs, dst)
	}
	if f.Type.Kind == types.Int && f.Type.Bits < 64 {
		g.extend(dst, f.Type)
	}
}

// derefs is the number of pointers the record whose field e reads is
// reached through: x.f and x->f both read through every pointer x holds
// (0 when x is the record itself).
func (g *gen) derefs(e *ast.Field) int {
	n := 0
	for t := g.TypeOf(e.X); t.Kind == types.Pointer && t.Elem != nil; t = *t.Elem {
		n++
	}
	return n
}

// fieldAddr puts the address of field f of e into dst and returns the
// address space it is in: through a pointer, f's offset is added to the
// pointer (read through the pointers it points to first, for x of type
// struct s **); else to the address of the record x (itself in kernel or
// user memory).
func (g *gen) fieldAddr(e *ast.Field, f types.Field, dst asm.Register) types.AddrSpace {
	var as types.AddrSpace
	if n := g.derefs(e); n > 0 {
		pt := g.TypeOf(e.X)
		g.EvalInt(e.X, dst)
		for ; n > 1; n-- {
			g.probeRead(dst, pt, *pt.Elem)
			pt = *pt.Elem
		}
		as = g.space(pt)
	} else {
		var ok bool
		if as, ok = g.addrOf(e.X, dst); !ok {
			g.fail(e, "reading a field of this expression is not supported by gbt yet")
		}
	}
	if f.Offset != 0 {
		g.Emit(asm.Add.Imm(dst, int32(f.Offset)))
	}
	return as
}

// recordField reads an integer or pointer field of a record: in kernel or
// user memory through its address, or in the frame for a struct value
// ($t.x after $t = *p).
func (g *gen) recordField(e *ast.Field, f types.Field, dst asm.Register) {
	t := f.Type
	if t.Kind != types.Int && t.Kind != types.Pointer && t.Kind != types.Bool {
		g.fail(e, "field %s of type %s cannot be read as a value by gbt yet", f.Name, t)
	}
	word := t
	if f.BitWidth != 0 {
		// A bit-field: read the bytes that hold it, then shift and mask.
		n := 1
		for n*8 < f.BitOff+f.BitWidth {
			n *= 2
		}
		word = types.IntOf(n*8, false)
	}
	if g.derefs(e) == 0 && !g.addressable(e.X) {
		m := g.mark()
		off := g.inFrame(e.X, g.TypeOf(e.X)) + int16(f.Offset)
		if int(off)%word.ByteSize() == 0 {
			g.Emit(asm.LoadMem(dst, asm.R10, off, sizeOf(word)))
			if word.Kind == types.Int && word.Signed && word.Bits < 64 {
				g.extend(dst, word)
			}
		} else {
			// A packed member: the stack allows only aligned loads.
			g.addr(dst, off)
			g.probeRead(dst, types.PointerTo(word, types.Kernel), word)
		}
		g.reset(m)
	} else {
		as := g.fieldAddr(e, f, dst)
		g.probeRead(dst, types.PointerTo(word, as), word)
	}
	if f.BitWidth == 0 {
		return
	}
	if f.BitOff > 0 {
		g.Emit(asm.RSh.Imm(dst, int32(f.BitOff)))
	}
	if f.BitWidth < 64 {
		g.Emit(asm.LSh.Imm(dst, int32(64-f.BitWidth)))
		if t.Signed {
			g.Emit(asm.ArSh.Imm(dst, int32(64-f.BitWidth)))
		} else {
			g.Emit(asm.RSh.Imm(dst, int32(64-f.BitWidth)))
		}
	}
}

// ReadMem implements stdlib.Gen.
func (g *gen) ReadMem(ptr ast.Expr, off int16, size int) {
	r := g.reg()
	g.EvalInt(ptr, r)
	g.readInto(off, size, r, g.space(g.TypeOf(ptr)))
	g.release(r)
}

// readInto copies size bytes at the address in src into R10+off with
// bpf_probe_read_{kernel,user} (or bpf_probe_read: stdlib.ProbeReads).
func (g *gen) readInto(off int16, size int, src asm.Register, as types.AddrSpace) {
	fn, _ := stdlib.ProbeReads(as)
	g.addr(asm.R1, off)
	g.Emit(asm.Mov.Imm(asm.R2, int32(size)), asm.Mov.Reg(asm.R3, src), fn.Call())
	g.checkRead()
}

// recordString reads a char-array field of a kernel record into a string
// slot of size bytes at R10+off. As bpftrace, it copies the array's bytes
// as they are (probe_read, not probe_read_str): an array its text fills
// to the last byte keeps every character ("hello" of char[5]), and buf()
// of it sees all its bytes.
func (g *gen) recordString(e *ast.Field, f types.Field, off int16, size int) {
	r := g.reg()
	as := g.fieldAddr(e, f, r)
	g.zero(off, size)
	g.readInto(off, min(size, f.Type.Size), r, as)
	g.release(r)
}

// argField resolves a field of the tracepoint args record, read through
// args or a variable holding it.
func (g *gen) argField(e *ast.Field) (types.Field, bool) {
	if t := g.TypeOf(e.X); t.Kind != types.Pointer || !t.Ctx || g.pi.Args == nil {
		return types.Field{}, false
	}
	for _, f := range g.pi.Args.Fields {
		if f.Name == e.Name {
			return f, true
		}
	}
	return types.Field{}, false
}

// ctxBase returns a register holding the context pointer x evaluates to
// (args itself stays in R6) and a function that frees it.
func (g *gen) ctxBase(x ast.Expr) (asm.Register, func()) {
	g.dispatching(true)
	if isArgs(x) {
		return ctxReg, func() {}
	}
	r := g.reg()
	g.EvalInt(x, r)
	return r, func() { g.release(r) }
}

// EvalMem implements stdlib.Gen: it writes a value of type t (strings,
// tuples) at R10+off. The caller has zeroed the destination when padding
// matters (map keys, event records); strings are zero-padded here.
func (g *gen) EvalMem(e ast.Expr, t types.Type, off int16) {
	defer g.evaluating(e)()
	if x, ok := g.c.info.Expansions[e]; ok {
		g.EvalMem(x, t, off)
		return
	}
	switch e := e.(type) {
	case *ast.BlockExpr:
		g.blockMem(e, t, off)
		return
	case *ast.StrLit:
		g.storeBytes(off, []byte(e.Value), t.ByteSize())
		return
	case *ast.Positional:
		if !e.Count && e.Index <= len(g.c.info.Params) {
			g.storeBytes(off, []byte(g.c.info.Params[e.Index-1]), t.ByteSize())
			return
		}
		g.storeBytes(off, nil, t.ByteSize())
		return
	case *ast.Variable:
		g.copyElem(off, t, g.vars[g.pi.Slot(e)], g.pi.Vars[g.pi.Slot(e)].Type)
		return
	case *ast.Ident, *ast.Call:
		if id, ok := e.(*ast.Ident); ok && id.Name == "args" && t.Kind == types.Record {
			g.argsValue(t, off)
			return
		}
		if ent := g.entry(e); ent != nil {
			if em, ok := ent.MemOf(); ok {
				call, _ := e.(*ast.Call)
				g.zero(off, t.ByteSize())
				em(g, call, off, t.ByteSize())
				return
			}
		}
	case *ast.Tuple:
		offs := t.TupleOffsets()
		for i, x := range e.Elems {
			g.storeValue(x, t.Elems[i], off+int16(offs[i]))
		}
		return
	case *ast.MapRef:
		md := g.c.maps[e.Name]
		m := g.mark()
		key := g.buildKey(e, md)
		g.zero(off, t.ByteSize())
		g.Emit(g.mapPtr(asm.R1, e.Name))
		g.addr(asm.R2, key)
		g.Emit(asm.FnMapLookupElem.Call())
		skip := g.Label()
		g.lookupMiss(skip, spanOf(e))
		if vt := md.Info.Value; vt.Kind == types.Tuple && !sameLayout(vt, t) {
			g.convertInto(off, t, asm.R0, 0, vt)
		} else {
			g.copyFrame(off, asm.R0, 0, min(int(md.Spec.ValueSize), t.ByteSize()))
		}
		g.Place(skip)
		g.reset(m)
		return
	case *ast.Record:
		g.recordMem(e, t, off)
		return
	case *ast.Ternary:
		if e.Then == nil {
			break // a ?: b of integers or pointers
		}
		els, done := g.Label(), g.Label()
		r := g.reg()
		g.EvalInt(e.Cond, r)
		g.Emit(asm.JEq.Imm(r, 0, els))
		g.release(r)
		g.EvalMem(e.Then, t, off)
		g.Emit(asm.Ja.Label(done))
		g.Place(els)
		g.EvalMem(e.Else, t, off)
		g.Place(done)
		return
	case *ast.Field:
		if f, ok := g.kernelField(e); ok && !isScalar(t) && g.derefs(e) == 0 && !g.addressable(e.X) {
			g.valueMember(e, f, t, off)
			return
		}
		if f, ok := g.kernelField(e); ok && f.Type.Kind == types.String {
			g.recordString(e, f, off, t.ByteSize())
			return
		}
		if f, ok := g.kernelField(e); ok && (f.Type.Kind == types.Array || f.Type.Kind == types.Record) {
			r := g.reg()
			as := g.fieldAddr(e, f, r)
			g.readInto(off, min(t.ByteSize(), f.Type.ByteSize()), r, as)
			g.release(r)
			return
		}
		if f, ok := g.argField(e); ok && f.Type.Kind == types.String {
			base, done := g.ctxBase(e.X)
			g.argString(base, f, off, t.ByteSize())
			done()
			return
		}
		if f, ok := g.argField(e); ok && f.Type.Kind == types.Array {
			r := g.reg()
			base, done := g.ctxBase(e.X)
			g.Emit(asm.Mov.Reg(r, base), asm.Add.Imm(r, int32(f.Offset)))
			done()
			g.readInto(off, min(t.ByteSize(), f.Type.ByteSize()), r, types.Kernel)
			g.release(r)
			return
		}
	case *ast.Unary:
		if pt := g.TypeOf(e.X); e.Op == ast.OpMul && pt.Kind == types.Pointer && !isScalar(t) {
			if isArgs(e.X) && g.dispatching(false) {
				g.zero(off, t.ByteSize())
				g.syscallArgsValue(t, off)
				return
			}
			// *p of a struct (or tuple, string) pointer: copy the value.
			r := g.reg()
			g.EvalInt(e.X, r)
			g.readInto(off, min(t.ByteSize(), g.TypeOf(e).ByteSize()), r, g.space(pt))
			g.release(r)
			return
		}
	case *ast.Index:
		if !isScalar(t) {
			g.indexMem(e, t, off)
			return
		}
	case *ast.Cast:
		if g.TypeOf(e).Kind == types.Array {
			g.arrayCastMem(e, off, t.ByteSize())
			return
		}
		if xt := g.TypeOf(e.X); g.TypeOf(e).Kind == types.String && xt.Kind == types.String {
			// (string[N])s: s, then zeros to N bytes.
			n := min(xt.ByteSize(), t.ByteSize())
			g.EvalMem(e.X, xt, off)
			g.zero(off+int16(n), t.ByteSize()-n)
			return
		}
		if !isScalar(t) && g.TypeOf(e.X).IsInt() {
			g.zero(off, t.ByteSize()) // `let $v: typeof(x);` of a string, tuple...
			return
		}
	case *ast.TupleIndex:
		tt := g.TypeOf(e.X)
		m := g.mark()
		tmp := g.Alloc(tt.ByteSize())
		g.zero(tmp, tt.ByteSize())
		g.EvalMem(e.X, tt, tmp)
		g.copyElem(off, t, tmp+int16(tt.TupleOffsets()[e.Index]), tt.Elems[e.Index])
		g.reset(m)
		return
	}
	if isScalar(t) {
		r := g.reg()
		g.EvalInt(e, r)
		g.Emit(asm.StoreMem(asm.R10, off, r, sizeOf(t)))
		g.release(r)
		return
	}
	g.fail(e, "values of type %s are not supported here by gbt yet", t)
}

// bytesCompare sets dst to 0 if a and b, values of type t (arrays), hold
// the same bytes, 1 otherwise.
func (g *gen) bytesCompare(a, b ast.Expr, t types.Type, dst asm.Register) {
	m := g.mark()
	defer g.reset(m)
	n := t.ByteSize()
	aoff, boff := g.Alloc(n), g.Alloc(n)
	if t.Kind == types.Tuple || t.Kind == types.Buffer { // padding and unused tails compare equal
		g.zero(aoff, n)
		g.zero(boff, n)
	}
	g.lend(dst, func() {
		g.EvalMem(a, t, aoff)
		g.EvalMem(b, t, boff)
	})
	differ, done := g.Label(), g.Label()
	for i := 0; i < n; {
		size, sz := 1, asm.Byte
		switch {
		case n-i >= 8:
			size, sz = 8, asm.DWord
		case n-i >= 4:
			size, sz = 4, asm.Word
		case n-i >= 2:
			size, sz = 2, asm.Half
		}
		g.Emit(
			asm.LoadMem(asm.R1, asm.R10, aoff+int16(i), sz),
			asm.LoadMem(asm.R2, asm.R10, boff+int16(i), sz),
			asm.JNE.Reg(asm.R1, asm.R2, differ),
		)
		i += size
	}
	g.Emit(asm.Mov.Imm(dst, 0), asm.Ja.Label(done))
	g.Place(differ)
	g.Emit(asm.Mov.Imm(dst, 1))
	g.Place(done)
}

// compareLiteral jumps to differ unless the string at aoff (8-byte
// aligned, on the stack or in scratch memory) starts with lit up to its
// first NUL and that NUL, or matches lit's first n bytes: a word at a
// time (8, 4, 2 then 1 bytes), as the bytes after the NUL do not count.
func (g *gen) compareLiteral(aoff int16, lit string, n int, differ string) {
	g.compareLiteralAt(asm.R10, aoff, lit, n, differ)
}

// compareLiteralAt is compareLiteral of the string at base+aoff.
func (g *gen) compareLiteralAt(base asm.Register, aoff int16, lit string, n int, differ string) {
	if i := strings.IndexByte(lit, 0); i >= 0 {
		lit = lit[:i]
	}
	want := make([]byte, min(len(lit)+1, n)) // the NUL is the zero at the end
	copy(want, lit)
	for off := 0; off < len(want); {
		at := aoff + int16(off)
		switch rest := want[off:]; {
		case len(rest) >= 8:
			g.Emit(asm.LoadMem(asm.R1, base, at, asm.DWord),
				asm.LoadImm(asm.R2, int64(binary.LittleEndian.Uint64(rest)), asm.DWord),
				asm.JNE.Reg(asm.R1, asm.R2, differ))
			off += 8
		case len(rest) >= 4:
			g.Emit(asm.LoadMem(asm.R1, base, at, asm.Word),
				asm.JNE.Imm32(asm.R1, int32(binary.LittleEndian.Uint32(rest)), differ))
			off += 4
		case len(rest) >= 2:
			g.Emit(asm.LoadMem(asm.R1, base, at, asm.Half),
				asm.JNE.Imm(asm.R1, int32(binary.LittleEndian.Uint16(rest)), differ))
			off += 2
		default:
			g.Emit(asm.LoadMem(asm.R1, base, at, asm.Byte), asm.JNE.Imm(asm.R1, int32(rest[0]), differ))
			off++
		}
	}
}

// inPlace runs use with base pointing at e's bytes, at base+off, when e
// is a builtin the probe can read where its bytes lie
// (stdlib.Entry.InPlace: comm); false, having emitted nothing, if it
// cannot be read in place.
func (g *gen) inPlace(e ast.Expr, use func(base asm.Register, off int16)) bool {
	ent := g.entry(e)
	if ent == nil || ent.InPlace == nil {
		return false
	}
	base := g.reg()
	defer g.release(base)
	call, _ := e.(*ast.Call)
	off, ok := ent.InPlace(g, call, base)
	if ok {
		use(base, off)
	}
	return ok
}

// jumpInPlace jumps to differ unless a, read in place (inPlace), equals
// literal lit as stringJump compares, without copying a; false, having
// emitted nothing, if a cannot be read in place.
func (g *gen) jumpInPlace(a ast.Expr, lit string, n int, differ string) bool {
	return g.inPlace(a, func(base asm.Register, off int16) { g.compareLiteralAt(base, off, lit, n, differ) })
}

// EvalText implements stdlib.Gen.
func (g *gen) EvalText(e ast.Expr, t types.Type, off int16) {
	if n := t.ByteSize(); n%8 == 0 && n == g.TypeOf(e).ByteSize() && g.copyInPlace(e, off, n) {
		return
	}
	g.EvalMem(e, t, off)
}

// copyInPlace copies the n bytes of e, read in place (inPlace), to
// R10+off a word at a time; false, having emitted nothing, if e cannot be
// read in place.
func (g *gen) copyInPlace(e ast.Expr, off int16, n int) bool {
	return g.inPlace(e, func(base asm.Register, at int16) {
		r := g.reg()
		defer g.release(r)
		for i := int16(0); i < int16(n); i += 8 {
			g.Emit(asm.LoadMem(r, base, at+i, asm.DWord), asm.StoreMem(asm.R10, off+i, r, asm.DWord))
		}
	})
}

// stringCompare sets dst to 0 if the strings are equal (up to their NUL or
// the first limit bytes when limit >= 0), 1 otherwise.
func (g *gen) stringCompare(a, b ast.Expr, limit int, dst asm.Register) {
	differ, done := g.Label(), g.Label()
	g.lend(dst, func() { g.stringJump(a, b, limit, differ) })
	g.Emit(asm.Mov.Imm(dst, 0), asm.Ja.Label(done))
	g.Place(differ)
	g.Emit(asm.Mov.Imm(dst, 1))
	g.Place(done)
}

// stringJump jumps to differ unless the strings are equal (up to their
// NUL or the first limit bytes when limit >= 0), and falls through when
// they are.
func (g *gen) stringJump(a, b ast.Expr, limit int, differ string) {
	m := g.mark()
	defer g.reset(m)
	at, bt := g.TypeOf(a), g.TypeOf(b)
	n := min(at.ByteSize(), bt.ByteSize())
	if limit >= 0 && limit < n {
		n = limit
	}
	if lit, ok := b.(*ast.StrLit); ok && g.jumpInPlace(a, lit.Value, n, differ) {
		return
	}
	aoff := g.Alloc(at.ByteSize())
	g.zero(aoff, at.ByteSize())
	g.EvalMem(a, at, aoff)
	if lit, ok := b.(*ast.StrLit); ok {
		g.compareLiteral(aoff, lit.Value, n, differ)
		return
	}
	boff := g.Alloc(bt.ByteSize())
	g.zero(boff, bt.ByteSize())
	g.EvalMem(b, bt, boff)
	equal := g.Label()
	for i := 0; i < n; i++ {
		g.Emit(asm.LoadMem(asm.R1, asm.R10, aoff+int16(i), asm.Byte),
			asm.LoadMem(asm.R2, asm.R10, boff+int16(i), asm.Byte), asm.JNE.Reg(asm.R1, asm.R2, differ), asm.JEq.Imm(asm.R1, 0, equal))
	}
	g.Place(equal)
}
