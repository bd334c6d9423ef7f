package codegen

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/stdlib"
)

func (g *gen) block(b *ast.Block) {
	for _, s := range b.Stmts {
		g.stmt(s)
	}
}

func (g *gen) stmt(s ast.Stmt) {
	m := g.mark()
	defer g.reset(m)
	g.cur = spanOf(s)
	switch s := s.(type) {
	case *ast.ExprStmt:
		g.exprStmt(s.X)
	case *ast.AssignStmt:
		g.assign(s)
	case *ast.IfStmt:
		var els func()
		if s.Else != nil {
			els = func() { g.stmt(s.Else) }
		}
		g.ifElse(s.Cond, func() { g.block(s.Then) }, els)
	case *ast.BlockStmt:
		g.block(s.Body)
	case *ast.UnrollStmt:
		n, _ := g.Const(s.Count)
		for i := int64(0); i < n; i++ {
			g.block(s.Body)
		}
	case *ast.WhileStmt:
		top, done := g.Label(), g.Label()
		g.Place(top)
		g.jumpUnless(s.Cond, done)
		g.loops = append(g.loops, loopLabels{brk: done, cont: top})
		g.block(s.Body)
		g.loops = g.loops[:len(g.loops)-1]
		g.Emit(asm.Ja.Label(top))
		g.Place(done)
	case *ast.ForStmt:
		g.forLoop(s)
	case *ast.JumpStmt:
		switch s.Keyword {
		case "break":
			g.Emit(asm.Ja.Label(g.loops[len(g.loops)-1].brk))
		case "continue":
			g.Emit(asm.Ja.Label(g.loops[len(g.loops)-1].cont))
		case "return":
			g.returnStmt(s)
		}
	default:
		g.fail(s, "this statement is not supported by gbt yet")
	}
}

// returnStmt compiles return: the program ends, returning 0, or the
// value given where the program's return value means something (a test
// probe fails with one not 0, a bench probe is skipped).
func (g *gen) returnStmt(s *ast.JumpStmt) {
	if s.Value == nil || !g.pi.Kind.Prog.ReturnsValue() {
		g.Emit(asm.Ja.Label(g.exitL))
		return
	}
	if g.fn != "" {
		g.fail(s, "return with a value inside a for loop is not supported by gbt yet")
	}
	if g.retL == "" {
		g.retL = g.Label()
	}
	r := g.reg()
	g.EvalInt(s.Value, r)
	g.Emit(asm.Mov.Reg(asm.R0, r), asm.Ja.Label(g.retL))
	g.release(r)
}

// ifElse compiles `if (cond) then() else els()`; els may be nil.
func (g *gen) ifElse(cond ast.Expr, then, els func()) {
	elsL, done := g.Label(), g.Label()
	g.jumpUnless(cond, elsL)
	then()
	if els != nil {
		g.Emit(asm.Ja.Label(done))
	}
	g.Place(elsL)
	if els != nil {
		els()
	}
	g.Place(done)
}

func (g *gen) exprStmt(e ast.Expr) {
	if x, ok := g.c.info.Expansions[e]; ok {
		g.exprStmt(x)
		return
	}
	switch e := e.(type) {
	case *ast.BlockExpr:
		g.blockStmt(e)
		return
	case *ast.Call:
		ent := g.entry(e)
		if ent == nil {
			g.fail(e, "unknown function %s", e.Name)
		}
		if em, ok := ent.StmtOf(); ok {
			em(g, e)
			return
		}
		if ent.Emit == nil {
			g.fail(e, "%s() is not supported by gbt yet", e.Name)
		}
	case *ast.Unary:
		if e.Op.Class() == ast.ClassIncDec {
			g.incDec(e, asm.R0)
			return
		}
	case *ast.Ternary:
		if e.Then == nil {
			break
		}
		// As a statement (`c ? printf("y") : printf("n")`) it is an
		// if/else, whatever its branches yield.
		g.ifElse(e.Cond, func() { g.exprStmt(e.Then) }, func() { g.exprStmt(e.Else) })
		return
	}
	// An expression evaluated for nothing: evaluate for side effects.
	t := g.TypeOf(e)
	if t.IsInt() {
		r := g.reg()
		g.EvalInt(e, r)
		g.release(r)
		return
	}
	off := g.Alloc(t.ByteSize())
	g.EvalMem(e, t, off)
}

func (g *gen) assign(s *ast.AssignStmt) {
	switch lhs := s.LHS.(type) {
	case *ast.Variable:
		off := g.vars[g.pi.Slot(lhs)]
		t := g.pi.Vars[g.pi.Slot(lhs)].Type
		if s.Decl && !(t.IsInt() || t.Kind == types.Pointer) {
			g.zero(off, t.ByteSize()) // let $x; of a string, tuple, record...
			return
		}
		if t.IsInt() || t.Kind == types.Pointer {
			r := g.reg()
			if !s.Op.IsCompound() {
				g.EvalInt(s.RHS, r)
				if rt := g.TypeOf(s.RHS); rt.IsInt() && rt.Bits > t.Bits {
					g.fitInt(r, t)
				}
			} else {
				g.Emit(asm.LoadMem(r, asm.R10, off, asm.DWord))
				g.compound(s.Op, s.RHS, r, t)
				g.fitInt(r, t)
			}
			g.Emit(asm.StoreMem(asm.R10, off, r, asm.DWord))
			g.release(r)
			return
		}
		g.EvalMem(s.RHS, t, off)
	case *ast.MapRef:
		g.mapAssign(lhs, s.Op, s.RHS)
	}
}

// fitInt wraps the value in r to the width of the integer type t, as C
// does when it stores into a narrower variable: (uint8)255 + 1 is 0 and
// (int8)127 + 1 is -128. Values live in 64-bit registers and slots.
func (g *gen) fitInt(r asm.Register, t types.Type) {
	if !t.IsInt() || t.Bits >= 64 || t.Bits == 0 {
		return
	}
	shift := int32(64 - t.Bits)
	switch {
	case t.Signed:
		g.Emit(asm.LSh.Imm(r, shift), asm.ArSh.Imm(r, shift))
	case t.Bits == 32:
		g.Emit(asm.Mov.Reg32(r, r))
	default:
		g.Emit(asm.And.Imm(r, int32(1)<<t.Bits-1))
	}
}

// compound computes `old op= rhs` into r, which holds old, of type t: a
// pointer moves by rhs elements.
func (g *gen) compound(op ast.Op, rhs ast.Expr, r asm.Register, t types.Type) {
	op = op.Base()
	if t.Kind == types.Pointer {
		g.moveElems(op, r, rhs, t.ElemSize())
		return
	}
	signed := g.TypeOf(rhs).Signed
	g.binaryInto(op, r, rhs, signed, g.cur)
}

// incDec compiles ++/-- on a variable or map; the value the expression
// yields (old for postfix, new for prefix) is left in dst.
func (g *gen) incDec(e *ast.Unary, dst asm.Register) {
	delta := int32(1)
	if e.Op == ast.OpDec {
		delta = -1
	}
	switch x := e.X.(type) {
	case *ast.Variable:
		if t := g.pi.Vars[g.pi.Slot(x)].Type; t.Kind == types.Pointer {
			delta *= int32(t.ElemSize()) // a pointer moves by one element
		}
		off := g.vars[g.pi.Slot(x)]
		g.Emit(asm.LoadMem(asm.R1, asm.R10, off, asm.DWord))
		if e.Postfix {
			g.Emit(asm.Mov.Reg(dst, asm.R1))
		}
		g.Emit(asm.Add.Imm(asm.R1, delta))
		g.fitInt(asm.R1, g.pi.Vars[g.pi.Slot(x)].Type)
		g.Emit(asm.StoreMem(asm.R10, off, asm.R1, asm.DWord))
		if !e.Postfix {
			g.Emit(asm.Mov.Reg(dst, asm.R1))
		}
	case *ast.MapRef:
		if md := g.c.maps[x.Name]; md != nil && md.Info.Value.Kind == types.Pointer {
			delta *= int32(md.Info.Value.ElemSize())
		}
		r := g.reg()
		g.mapRMW(x, func(old asm.Register) {
			if e.Postfix {
				g.Emit(asm.Mov.Reg(r, old))
			}
			g.Emit(asm.Add.Imm(old, delta))
			if !e.Postfix {
				g.Emit(asm.Mov.Reg(r, old))
			}
		})
		g.Emit(asm.Mov.Reg(dst, r))
		g.release(r)
	default:
		g.fail(e, "++/-- needs a variable or a map")
	}
}

// aggEmitter returns the call e makes of an aggregation, and its emitter.
func (c *compiler) aggEmitter(e ast.Expr) (*ast.Call, stdlib.AggEmitter) {
	call, ok := e.(*ast.Call)
	if !ok {
		return nil, nil
	}
	ent := c.entry(call)
	if ent == nil {
		return nil, nil
	}
	em, _ := ent.AggOf()
	return call, em
}

func (g *gen) mapAssign(m *ast.MapRef, op ast.Op, rhs ast.Expr) {
	md := g.c.maps[m.Name]
	if md == nil {
		g.fail(m, "map %s could not be created", m.Name)
	}
	if b, ok := rhs.(*ast.BlockExpr); ok {
		if call, em := g.c.aggEmitter(b.Value); em != nil {
			g.blockStmts(b)
			g.aggUpdate(m, md, call, em)
			return
		}
	}
	if call, em := g.c.aggEmitter(rhs); em != nil {
		g.aggUpdate(m, md, call, em)
		return
	}
	if op.IsCompound() {
		g.mapRMW(m, func(old asm.Register) { g.compound(op, rhs, old, md.Info.Value) })
		return
	}
	// The value first, then the key, as the newest bpftrace: @o[$i++] = $i
	// stores the old $i.
	vt := md.Info.Value
	size := int(md.Spec.ValueSize)
	val := g.Alloc(size)
	if isScalar(vt) {
		r := g.reg()
		g.EvalInt(rhs, r)
		g.Emit(asm.StoreMem(asm.R10, val, r, asm.DWord))
		g.release(r)
	} else {
		g.zero(val, size)
		g.EvalMem(rhs, vt, val)
	}
	key := g.buildKey(m, md)
	g.Emit(g.mapPtr(asm.R1, m.Name))
	g.addr(asm.R2, key)
	g.addr(asm.R3, val)
	g.Emit(asm.Mov.Imm(asm.R4, 0), asm.FnMapUpdateElem.Call())
	g.countFailedUpdate(m.Name)
}

// countFailedUpdate counts the update of map name just made if it failed
// (R0 is not 0): the map was full. The probe goes on, as bpftrace's does;
// the runtime reports the count at exit.
func (g *gen) countFailedUpdate(name string) {
	ok := g.Label()
	g.Emit(asm.JEq.Imm(asm.R0, 0, ok))
	g.countFailed(name)
	g.Place(ok)
}

// countFailed adds one to the count of failed updates of map name: the
// failed map's one value holds a u64 per keyed map, addressed directly
// and added to atomically (updates fail only when a map is full).
func (g *gen) countFailed(name string) {
	md := g.c.maps[name]
	if md == nil || md.FailSlot < 0 {
		return
	}
	g.Emit(g.mapValue(asm.R1, failedMap, uint32(8*md.FailSlot)), asm.Mov.Imm(asm.R2, 1), asm.StoreXAdd(asm.R1, asm.R2, asm.DWord))
}

// mapRMW reads an integer map element (0 if absent) into a callee-saved
// register, lets f change it there, and writes it back.
func (g *gen) mapRMW(m *ast.MapRef, f func(val asm.Register)) {
	md := g.c.maps[m.Name]
	key := g.buildKey(m, md)
	v := g.reg()
	g.lookupInt(m.Name, key, v, ast.Span{})
	f(v)
	val := g.Alloc(8)
	g.Emit(asm.StoreMem(asm.R10, val, v, asm.DWord))
	g.release(v)
	g.Emit(g.mapPtr(asm.R1, m.Name))
	g.addr(asm.R2, key)
	g.addr(asm.R3, val)
	g.Emit(asm.Mov.Imm(asm.R4, 0), asm.FnMapUpdateElem.Call())
	g.countFailedUpdate(m.Name)
}

// lookupInt loads the integer value of map[key] (0 if absent) into dst:
// a u64, or the one byte of a bool. A read of the script's (at a valid
// span) reports a missing key with -k.
func (g *gen) lookupInt(name string, key int16, dst asm.Register, at ast.Span) {
	size := asm.DWord
	if md := g.c.maps[name]; md != nil && md.Info != nil && md.Info.Value.Kind == types.Bool {
		size = asm.Byte
	}
	g.Emit(g.mapPtr(asm.R1, name))
	g.addr(asm.R2, key)
	g.Emit(asm.FnMapLookupElem.Call(), asm.Mov.Imm(dst, 0))
	skip := g.Label()
	g.lookupMiss(skip, at)
	g.Emit(asm.LoadMem(dst, asm.R0, 0, size))
	g.Place(skip)
}

// lookupMiss jumps to miss when the map lookup just made found nothing
// (R0 is NULL), reporting it first with -k when at is a valid span.
func (g *gen) lookupMiss(miss string, at ast.Span) {
	if g.c.opts.HelperErrors == HelperErrorsOff || !at.Start.IsValid() {
		g.Emit(asm.JEq.Imm(asm.R0, 0, miss))
		return
	}
	found := g.Label()
	g.Emit(asm.JNE.Imm(asm.R0, 0, found))
	g.helperError("map_lookup_elem", at)
	g.Emit(asm.Ja.Label(miss))
	g.Place(found)
}

// buildKey evaluates a map's key into a zeroed frame buffer (a key of
// one scalar, which its store fills, is not zeroed first: a 4-byte
// `@[pid]` key is one store).
func (g *gen) buildKey(m *ast.MapRef, md *MapDesc) int16 { return g.buildKeyVia(m, md, noReg) }

// buildKeyVia builds m's key as buildKey does, computing its integer parts
// in via when it is not noReg (cond.go): a register the caller holds but does not
// need until the key is built (a map read's destination), so that a key
// nested in another expression costs no register of its own.
func (g *gen) buildKeyVia(m *ast.MapRef, md *MapDesc, via asm.Register) int16 {
	size := int(md.Spec.KeySize)
	off := g.Alloc(size)
	if !md.Info.Keyless() && len(m.Keys) == 1 && isScalar(md.Info.Key) && md.Info.Key.ByteSize() == size {
		g.storeValueVia(m.Keys[0], md.Info.Key, off, via)
		return off
	}
	g.zero(off, size)
	if md.Info.Keyless() {
		return off
	}
	if len(m.Keys) == 1 {
		g.storeValueVia(m.Keys[0], md.Info.Key, off, via)
		return off
	}
	offs := md.Info.Key.TupleOffsets()
	for i, k := range m.Keys {
		g.storeValueVia(k, md.Info.Key.Elems[i], off+int16(offs[i]), via)
	}
	return off
}

// storeValue evaluates e as a value of slot type t at R10+off.
func (g *gen) storeValue(e ast.Expr, t types.Type, off int16) { g.storeValueVia(e, t, off, noReg) }

// storeValueVia is storeValue computing an integer in via (see
// buildKeyVia) rather than in a register of its own.
func (g *gen) storeValueVia(e ast.Expr, t types.Type, off int16, via asm.Register) {
	if isScalar(t) {
		r, done := g.workReg(via)
		defer done()
		g.EvalInt(e, r)
		g.Emit(asm.StoreMem(asm.R10, off, r, sizeOf(t)))
		return
	}
	g.EvalMem(e, t, off)
}

func sizeOf(t types.Type) asm.Size {
	switch t.ByteSize() {
	case 1:
		return asm.Byte
	case 2:
		return asm.Half
	case 4:
		return asm.Word
	}
	return asm.DWord
}

// aggUpdate updates an aggregation in place: look the element up, insert a
// zero value if it is missing, then let the stdlib emitter change it.
func (g *gen) aggUpdate(m *ast.MapRef, md *MapDesc, call *ast.Call, em stdlib.AggEmitter) {
	// The key first, then the value, as the newest bpftrace: @m[$i++] =
	// sum($i) adds the new $i. The key holds no register meanwhile.
	key := g.buildKey(m, md)
	val := g.reg()
	if len(call.Args) > 0 {
		g.EvalInt(call.Args[0], val)
	}
	ptr := g.reg()
	have, failed, done, fin := g.Label(), g.Label(), g.Label(), g.Label()
	var claim int16
	if md.Cache != nil {
		// Updated in this CPU's slot if it holds the key (aggcache.go).
		claim = g.cachedUpdate(md, key, func() { em(g, call, ptr, val) }, ptr, fin)
	}
	g.Emit(g.mapPtr(asm.R1, m.Name))
	g.addr(asm.R2, key)
	g.Emit(asm.FnMapLookupElem.Call())
	if small := int(md.Spec.ValueSize); !md.Info.Keyless() && small <= smallAggValue &&
		(md.Spec.Type == ebpf.PerCPUHash || md.Spec.Type == ebpf.LRUCPUHash) {
		// Keyed, per CPU and small (count, sum, avg, stats, min, max): a
		// missing element is made on the stack, zeroed and updated there,
		// and inserted as is. BPF_ANY, as bpftrace does: if another CPU
		// inserted the key since the lookup, this CPU's part of its value
		// is still zero, and the update writes only this CPU's part.
		g.Emit(asm.JNE.Imm(asm.R0, 0, have))
		fresh := g.Alloc(small)
		g.zero(fresh, small)
		g.addr(ptr, fresh)
		em(g, call, ptr, val)
		g.Emit(g.mapPtr(asm.R1, m.Name))
		g.addr(asm.R2, key)
		g.addr(asm.R3, fresh)
		g.Emit(asm.Mov.Imm(asm.R4, 0), asm.FnMapUpdateElem.Call())
		if md.Cache != nil {
			g.Emit(asm.JNE.Imm(asm.R0, 0, failed)) // no slot for a key the map refused
		} else {
			g.countFailedUpdate(m.Name)
		}
		g.Emit(asm.Ja.Label(done))
	} else if !md.Info.Keyless() {
		// Keyed: a missing element is inserted as zero first. (Keyless
		// aggregations live in per-CPU arrays, where the lookup only fails
		// in theory; the null check below satisfies the verifier.)
		g.Emit(asm.JNE.Imm(asm.R0, 0, have))
		// Insert a zero value, then look it up again.
		zkey := g.Alloc(8)
		g.zero(zkey, 8)
		g.Emit(g.mapPtr(asm.R1, zeroMap))
		g.addr(asm.R2, zkey)
		g.Emit(asm.FnMapLookupElem.Call(), asm.JEq.Imm(asm.R0, 0, done))
		g.Emit(asm.Mov.Reg(asm.R3, asm.R0), g.mapPtr(asm.R1, m.Name))
		g.addr(asm.R2, key)
		g.Emit(asm.Mov.Imm(asm.R4, 1), asm.FnMapUpdateElem.Call()) // BPF_NOEXIST
		g.Emit(g.mapPtr(asm.R1, m.Name))
		g.addr(asm.R2, key)
		g.Emit(asm.FnMapLookupElem.Call())
	}
	// A map full of other keys takes no new one: that update is
	// counted and skipped, and the probe goes on.
	g.Emit(asm.JEq.Imm(asm.R0, 0, failed))
	g.Place(have)
	g.Emit(asm.Mov.Reg(ptr, asm.R0))
	em(g, call, ptr, val)
	g.Emit(asm.Ja.Label(done))
	g.Place(failed)
	g.countFailed(m.Name)
	if md.Cache != nil {
		g.Emit(asm.Ja.Label(fin))
	}
	g.Place(done)
	if md.Cache != nil {
		g.claimSlot(md, key, claim) // the map has the key now
	}
	g.Place(fin)
	g.release(ptr)
	g.release(val)
}

// smallAggValue is the largest aggregation value aggUpdate builds on the
// stack for a new key: bigger ones (histograms) are inserted from the
// zero map and updated in the map, so their emitter is not repeated.
const smallAggValue = 16

// isScalar reports whether values of t live in a register (integers and
// integer-like handles such as the probe id).
func isScalar(t types.Type) bool {
	switch t.Kind {
	case types.Int, types.Bool, types.Probe, types.Pointer, types.Timestamp, types.Stack,
		types.Ksym, types.Username, types.CgroupPath, types.Strerror:
		return true
	}
	return false
}
