package codegen

import (
	"fmt"
	"sort"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
)

// For loops compile to callbacks: `for ($kv : @m)` to one that
// bpf_for_each_map_elem calls with each element, `for ($i : a..b)` to one
// that bpf_loop calls b-a times. A callback is its own BPF function with
// its own frame, so it cannot reach the probe's $variables where they
// are; instead it mirrors them: the caller passes a pointer to the part of
// its frame in use at the loop (the variables and the loop's slots), the
// callback copies it into the same offsets of its own frame, runs the body
// against them as the probe would, and copies them back before it returns.
// Both helpers stop on a return value of 1 (break) and go on with 0
// (continue). exit() and return in the body set the loop's done slot,
// which the caller tests after the helper to end the probe in turn. These
// helpers, rather than a bounded loop, because the verifier follows a
// loop whose bound it does not know iteration by iteration, and a map's
// elements cannot be walked with lookups at all.

// body is a callback compiled from a for loop's body, emitted after the
// program with the other callbacks.
type body struct {
	name  string
	loop  bool // bpf_loop's (index, ctx) rather than bpf_for_each_map_elem's (map, key, value, ctx)
	insns asm.Instructions
	spans []ast.Span
	base  int // the instruction that offsets the scratch base (-1: none)
	frame int // bytes of its frame in use at most
}

func (g *gen) forLoop(s *ast.ForStmt) {
	defer g.loopHome(s)()
	ctxSlot, doneSlot := g.Alloc(8), g.Alloc(8)
	g.Emit(asm.StoreMem(asm.R10, ctxSlot, ctxReg, asm.DWord),
		asm.Mov.Imm(asm.R0, 0), asm.StoreMem(asm.R10, doneSlot, asm.R0, asm.DWord))
	var fromSlot int16
	var skip string
	count := g.reg()
	if s.Map == nil {
		fromSlot = g.Alloc(8)
		from := g.reg()
		g.EvalInt(s.From, from)
		g.Emit(asm.StoreMem(asm.R10, fromSlot, from, asm.DWord))
		g.EvalInt(s.To, count)
		// b-a iterations, at most bpf_loop's 1<<23. None (b <= a) skips
		// the call: 6.18's verifier, inlining a bpf_loop it knows runs no
		// iteration, loses the callback when it is not the program's
		// first ("verifier bug: No program to jit", for 0..0).
		fits := g.Label()
		skip = g.Label()
		g.Emit(asm.Sub.Reg(count, from), asm.JSLE.Imm(count, 0, skip))
		g.Emit(asm.JLE.Imm(count, 1<<23, fits), asm.Mov.Imm(count, 1<<23))
		g.Place(fits)
		g.release(from)
	}
	region := g.frame
	name := fmt.Sprintf("gbt_for_%d", len(g.bodies))
	idx := len(g.bodies)
	g.bodies = append(g.bodies, nil) // nested loops' bodies come after
	g.bodies[idx] = g.compileBody(s, name, region, ctxSlot, doneSlot, fromSlot)
	ref := g.callback(name)
	if s.Map == nil {
		g.Emit(asm.Mov.Reg(asm.R1, count), ref)
	} else {
		g.userMap(s.Map)
		g.Emit(g.mapPtr(asm.R1, s.Map.Name), ref)
	}
	g.release(count)
	g.Emit(asm.Mov.Reg(asm.R3, asm.R10), asm.Add.Imm(asm.R3, int32(-region)), asm.Mov.Imm(asm.R4, 0))
	if s.Map == nil {
		g.Emit(asm.FnLoop.Call())
	} else {
		g.Emit(asm.FnForEachMapElem.Call())
	}
	g.Emit(asm.LoadMem(asm.R0, asm.R10, doneSlot, asm.DWord), asm.JNE.Imm(asm.R0, 0, g.exitL))
	if skip != "" {
		g.Place(skip)
	}
}

// compileBody compiles the callback of a for loop; region is the number of
// bytes at the top of the caller's frame that it mirrors.
func (g *gen) compileBody(s *ast.ForStmt, name string, region int, ctxSlot, doneSlot, fromSlot int16) *body {
	saveInsns, saveSpans, saveLoops, saveExit, saveFree, savePending := g.insns, g.spans, g.loops, g.exitL, g.free, g.pending
	saveFn, saveMax, saveSpare, saveLent := g.fn, g.maxUse, g.spare, g.lent
	mark := g.mark()
	defer func() {
		g.insns, g.spans, g.loops, g.exitL, g.free, g.pending = saveInsns, saveSpans, saveLoops, saveExit, saveFree, savePending
		g.fn, g.maxUse, g.spare, g.lent = saveFn, saveMax, saveSpare, saveLent
		g.reset(mark)
	}()
	g.spare, g.lent = nil, nil     // the caller's registers are not the callback's
	g.fn, g.maxUse = name, g.frame // the callback's frame holds the mirrored region too
	g.insns, g.spans, g.loops, g.pending = nil, nil, nil, nil
	g.free = []asm.Register{asm.R9, asm.R8, asm.R7}
	if g.sc.on {
		g.free = []asm.Register{asm.R8, asm.R7} // R9: the scratch base
	}
	ptrSlot := g.Alloc(8)
	cont, brk, done := g.Label(), g.Label(), g.Label()
	g.exitL = done
	g.loops = []loopLabels{{brk: brk, cont: cont}}

	// The caller's region pointer is in R3 (bpf_loop: R2).
	src := asm.R4
	if s.Map == nil {
		src = asm.R2
	}
	g.Place(name)
	g.Emit(asm.StoreMem(asm.R10, ptrSlot, src, asm.DWord))
	base := -1
	if g.sc.on {
		args := 4 // bpf_for_each_map_elem's (map, key, value, ctx)
		if s.Map == nil {
			args = 2 // bpf_loop's (index, ctx)
		}
		base = g.callbackScratch(args)
	}
	for off := -region; off < 0; off += 8 {
		g.Emit(asm.LoadMem(asm.R0, src, int16(off+region), asm.DWord), asm.StoreMem(asm.R10, int16(off), asm.R0, asm.DWord))
	}
	v := g.vars[g.pi.Slot(s.Var)]
	if s.Map == nil {
		// $i = from + index
		g.Emit(asm.LoadMem(asm.R0, asm.R10, fromSlot, asm.DWord), asm.Add.Reg(asm.R0, asm.R1),
			asm.StoreMem(asm.R10, v, asm.R0, asm.DWord))
	} else {
		kv := g.TypeOf(s.Var)
		offs := kv.TupleOffsets()
		md := g.userMap(s.Map)
		for i, r := range []asm.Register{asm.R2, asm.R3} {
			size := kv.Elems[i].ByteSize()
			n := min(int(md.Spec.KeySize), size)
			if i == 1 {
				n = min(int(md.Spec.ValueSize), size)
			}
			g.copyFrame(v+int16(offs[i]), r, 0, n)
			if n < size && inScratch(v) {
				// A home given at the loop was not zeroed (loopHome).
				g.zeroBytes(v+int16(offs[i]+n), size-n)
			}
		}
	}
	g.Emit(asm.LoadMem(ctxReg, asm.R10, ctxSlot, asm.DWord))
	g.block(s.Body)
	g.Place(cont)
	g.copyBack(ptrSlot, doneSlot, region)
	g.Emit(asm.Mov.Imm(asm.R0, 0), asm.Return())
	g.Place(done)
	g.Emit(asm.Mov.Imm(asm.R0, 1), asm.StoreMem(asm.R10, doneSlot, asm.R0, asm.DWord))
	g.Place(brk)
	g.copyBack(ptrSlot, doneSlot, region)
	g.Emit(asm.Mov.Imm(asm.R0, 1), asm.Return())
	return &body{name: name, loop: s.Map == nil, insns: g.insns, spans: g.spans, base: base, frame: g.maxUse}
}

// copyBack copies the $variables and the loop's done slot back to the
// caller's frame, whose pointer is at R10+ptrSlot. Only they: the region
// also holds enclosing loops' pointers into their callers' frames, which
// the verifier does not let a callee store in its caller's frame.
func (g *gen) copyBack(ptrSlot, doneSlot int16, region int) {
	g.Emit(asm.LoadMem(asm.R1, asm.R10, ptrSlot, asm.DWord))
	word := func(off int16) {
		g.Emit(asm.LoadMem(asm.R0, asm.R10, off, asm.DWord), asm.StoreMem(asm.R1, off+int16(region), asm.R0, asm.DWord))
	}
	names := make([]string, 0, len(g.vars))
	for n := range g.vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if inScratch(g.vars[n]) {
			continue // the caller reaches the same scratch memory
		}
		size := g.pi.Vars[n].Type.ByteSize()
		for i := 0; i < max(size, 8); i += 8 {
			word(g.vars[n] + int16(i))
		}
	}
	word(doneSlot)
}

// emitBody appends a for loop's callback, its scratch accesses rebased.
func (g *gen) emitBody(name string) (loop, ok bool) {
	for _, b := range g.bodies {
		if b.name == name {
			start := len(g.insns)
			g.insns = append(g.insns, b.insns...)
			g.spans = append(g.spans, b.spans...)
			if b.base >= 0 {
				g.rebaseRange(start+b.base, start, len(g.insns))
			}
			return b.loop, true
		}
	}
	return false, false
}
