package codegen

import (
	"fmt"
	"slices"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/stdlib"
)

// The frame, and scratch memory for big values.
//
// A program whose values do not fit the 512-byte BPF stack (strings of a
// large BPFTRACE_MAX_STRLEN, the tuples and records holding them) is
// generated again with its big values (scratchObject bytes and more) in a
// per-CPU array, as bpftrace keeps them. Programs that fit the stack are
// generated as before, with no scratch lookup.
//
// The rest of codegen and the emitters address every value as R10+off. A
// scratch value gets an offset below the stack's -512, and the program
// keeps in R9 the address of its scratch area plus its size plus 512, so
// that R9+off lands in the area for those offsets. rebase then moves each
// access to such an offset from R10 to R9: loads and stores at R10+off,
// addresses made as R10+off (mov dst, r10; add dst, off) and element
// addresses (add dst, r10 before a load or store at dst+off).

const (
	scratchMap = "gbt_scratch"
	// scratchObject is the least size of a value kept in scratch memory.
	scratchObject = 128
	// maxScratch bounds scratch memory: offsets are 16-bit, and a per-CPU
	// value holds at most 32 KiB.
	maxScratch = 32768 - 512
	// scratchReg holds the scratch base in programs that use it.
	scratchReg = asm.R9
)

// generate generates the program of a probe, again with its big values in
// scratch memory if they overflow the stack, or if the frames of its call
// chains do together (callstack.go): then with smaller values there too,
// while they still do; nil if it failed (the diagnostics say why). A
// program whose chains need more stack however small its frames are, or
// whose smaller values do not fit scratch memory, is left to the kernel
// as it was: newer verifiers accept some.
func (c *compiler) generate(pi *check.ProbeInfo, prog *Program) *gen {
	events, diags := len(c.obj.Events), len(c.diags)
	g := newGen(c, pi, prog)
	ok, tooBig := g.run()
	if c.undispatchable {
		return nil
	}
	var before *gen // the last program generated whose frames fit one by one
	var sent []*stdlib.Event
	for _, least := range scratchSizes {
		deep := ok && g.combinedStack() > maxStack
		if !tooBig && !deep {
			break
		}
		if deep {
			before, sent = g, slices.Clone(c.obj.Events[events:])
		}
		c.obj.Events = c.obj.Events[:events] // those of the try before are never sent
		g = newGen(c, pi, prog)
		g.useScratch(least)
		ok, tooBig = g.run()
		if c.undispatchable {
			return nil
		}
	}
	if !ok && before != nil {
		c.obj.Events, c.diags = append(c.obj.Events[:events], sent...), c.diags[:diags]
		g, ok = before, true
	}
	if !ok {
		return nil
	}
	return g
}

// Alloc implements stdlib.Gen: it reserves 8-aligned frame bytes.
func (g *gen) Alloc(size int) int16 {
	if g.sc.on && size >= g.sc.least {
		return g.allocScratch(size)
	}
	return g.allocStack(size)
}

// allocStack reserves size bytes (rounded to 8) on the BPF stack itself,
// never in scratch memory: for what is stored before the scratch base is
// loaded (a callback's arguments).
func (g *gen) allocStack(size int) int16 {
	g.frame += (size + 7) &^ 7
	if g.frame > 512 {
		panic(unsupported{span: g.cur, frame: true, msg: fmt.Sprintf("this statement needs %d bytes of BPF stack, more than the 512 the kernel allows", g.frame)})
	}
	if g.frame > g.maxUse {
		g.maxUse = g.frame
	}
	return int16(-g.frame)
}

// mark and reset scope temporary frame use to a statement.
// The mark holds both the stack and the scratch memory in use.
func (g *gen) mark() int      { return g.sc.used<<16 | g.frame }
func (g *gen) reset(mark int) { g.frame, g.sc.used = mark&0xffff, mark>>16 }

// scratchUse is a program's use of scratch memory.
type scratchUse struct {
	on       bool // the program keeps its big values in scratch memory
	least    int  // the least size of a value kept there
	used     int  // bytes in use by the current statement and the variables
	most     int  // the most bytes in use at once
	baseInsn int  // index of the instruction that offsets the base
}

// useScratch makes the generator keep values of least bytes and more in
// scratch memory.
func (g *gen) useScratch(least int) {
	g.sc.on, g.sc.least = true, least
	g.free = []asm.Register{asm.R8, asm.R7}
}

// allocScratch reserves size bytes of scratch memory for the current
// statement and returns the offset that stands for them.
func (g *gen) allocScratch(size int) int16 {
	g.sc.used += (size + 7) &^ 7
	if g.sc.used > maxScratch {
		panic(unsupported{span: g.cur, msg: fmt.Sprintf("this statement needs %d bytes of scratch memory for its values, more than the %d gbt has (lower BPFTRACE_MAX_STRLEN)", g.sc.used, maxScratch)})
	}
	g.sc.most = max(g.sc.most, g.sc.used)
	return int16(-512 - g.sc.used)
}

// scratchBase loads the scratch base into R9 at the start of a program
// (or callback) that uses scratch memory, and returns the index of the
// instruction whose offset rebase fills in (-1 without scratch memory).
func (g *gen) scratchBase() int {
	if !g.sc.on {
		return -1
	}
	if _, ok := g.c.maps[scratchMap]; !ok {
		g.c.addMap(&MapDesc{Name: scratchMap, Role: RoleScratch, PerCPU: true, FailSlot: -1, Spec: &ebpf.MapSpec{
			Name: scratchMap, Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: 1}})
	}
	key := g.Alloc(8)
	g.Emit(asm.Mov.Imm(asm.R0, 0), asm.StoreMem(asm.R10, key, asm.R0, asm.DWord),
		g.mapPtr(asm.R1, scratchMap), asm.Mov.Reg(asm.R2, asm.R10), asm.Add.Imm(asm.R2, int32(key)),
		asm.FnMapLookupElem.Call(), asm.JEq.Imm(asm.R0, 0, g.exitL), asm.Mov.Reg(scratchReg, asm.R0))
	base := len(g.insns)
	g.Emit(asm.Add.Imm(scratchReg, 0))
	return base
}

// rebase moves the accesses to scratch offsets from R10 to the scratch
// base, and sets the base's offset and the scratch map's size.
func (g *gen) rebase() {
	if !g.sc.on {
		return
	}
	size := (g.sc.most + 7) &^ 7
	if spec := g.c.maps[scratchMap].Spec; spec.ValueSize < uint32(size) {
		spec.ValueSize = uint32(size)
	}
	g.rebaseRange(g.sc.baseInsn, 0, len(g.insns))
}

// rebaseRange sets the scratch base's offset at instruction base and moves
// the accesses to scratch offsets in insns[from:to] from R10 to the base.
func (g *gen) rebaseRange(base, from, to int) {
	g.insns[base].Constant = int64((g.sc.most+7)&^7 + 512)
	for i := from; i < to; i++ {
		ins := &g.insns[i]
		cls := ins.OpCode.Class()
		switch {
		case cls.IsLoad() && ins.OpCode.Mode() == asm.MemMode && ins.Src == asm.R10 && inScratch(ins.Offset):
			ins.Src = scratchReg
		case cls.IsStore() && ins.Dst == asm.R10 && inScratch(ins.Offset):
			ins.Dst = scratchReg
		case cls.IsALU() && ins.Src == asm.R10 && ins.OpCode.Source() == asm.RegSource && i+1 < to:
			// mov dst, r10; add dst, off — or add dst, r10; ldx/stx at dst+off
			next := g.insns[i+1]
			switch op := ins.OpCode.ALUOp(); {
			case op == asm.Mov && next.OpCode.Class() == asm.ALU64Class && next.OpCode.ALUOp() == asm.Add && next.OpCode.Source() == asm.ImmSource &&
				next.Dst == ins.Dst && next.Constant < -512:
				ins.Src = scratchReg
			case op == asm.Add && next.OpCode.Class().IsLoad() && next.Src == ins.Dst && inScratch(next.Offset),
				op == asm.Add && next.OpCode.Class().IsStore() && next.Dst == ins.Dst && inScratch(next.Offset):
				ins.Src = scratchReg
			}
		}
	}
}
