package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// aggRead sets dst to the number a count(), sum(), min(), max() or avg()
// element reads as in an expression ((bool)@c, @bytes / @calls): its
// per-CPU values reduced as user space prints them, in BPF, as bpftrace
// does (CreatePerCpuMapAggElems). A loop over the possible CPUs looks
// each CPU's value up with bpf_map_lookup_percpu_elem (Linux 5.19) and
// adds it up (count, sum, avg's sum and count) or keeps the extreme of
// the CPUs that hold one (min, max); avg is then sum / count, rounded
// toward zero. A missing element reads as 0 (reported with -k). Value
// layouts: types/agg.go.
func (g *gen) aggRead(e *ast.MapRef, md *MapDesc, dst asm.Register) {
	m := g.mark()
	defer g.reset(m)
	t := md.Info.Value
	key := g.buildKeyVia(e, md, dst)
	cpuSlot, auxSlot := g.Alloc(8), g.Alloc(8) // the CPU looked at; avg's count or min/max's "have one"
	loop, next, done := g.Label(), g.Label(), g.Label()
	g.Emit(asm.Mov.Imm(dst, 0), asm.Mov.Imm(asm.R1, 0),
		asm.StoreMem(asm.R10, cpuSlot, asm.R1, asm.DWord), asm.StoreMem(asm.R10, auxSlot, asm.R1, asm.DWord))
	g.Place(loop)
	g.Emit(asm.LoadMem(asm.R3, asm.R10, cpuSlot, asm.DWord), asm.JGE.Imm(asm.R3, int32(g.NumCPUs()), done))
	g.Emit(g.mapPtr(asm.R1, e.Name))
	g.addr(asm.R2, key)
	g.Emit(asm.FnMapLookupPercpuElem.Call())
	g.aggMiss(cpuSlot, done, spanOf(e))
	switch t.AggKind {
	case types.Count, types.Sum:
		g.Emit(asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord), asm.Add.Reg(dst, asm.R1))
	case types.Avg:
		g.Emit(asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord), asm.Add.Reg(dst, asm.R1),
			asm.LoadMem(asm.R1, asm.R0, 8, asm.DWord), asm.LoadMem(asm.R2, asm.R10, auxSlot, asm.DWord),
			asm.Add.Reg(asm.R2, asm.R1), asm.StoreMem(asm.R10, auxSlot, asm.R2, asm.DWord))
	case types.Min, types.Max:
		// A CPU's value counts once it was set; the first set one is
		// taken, a later one when it is beyond the one kept.
		beyond := map[[2]bool]asm.JumpOp{{false, false}: asm.JLT, {false, true}: asm.JSLT, {true, false}: asm.JGT, {true, true}: asm.JSGT}[[2]bool{t.AggKind == types.Max, t.AggSigned}]
		take := g.Label()
		g.Emit(asm.LoadMem(asm.R1, asm.R0, 8, asm.DWord), asm.JEq.Imm(asm.R1, 0, next),
			asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord), asm.LoadMem(asm.R2, asm.R10, auxSlot, asm.DWord),
			asm.JEq.Imm(asm.R2, 0, take), beyond.Reg(asm.R1, dst, take), asm.Ja.Label(next))
		g.Place(take)
		g.Emit(asm.Mov.Reg(dst, asm.R1), asm.Mov.Imm(asm.R1, 1), asm.StoreMem(asm.R10, auxSlot, asm.R1, asm.DWord))
	}
	g.Place(next)
	g.Emit(asm.LoadMem(asm.R1, asm.R10, cpuSlot, asm.DWord), asm.Add.Imm(asm.R1, 1),
		asm.StoreMem(asm.R10, cpuSlot, asm.R1, asm.DWord), asm.Ja.Label(loop))
	g.Place(done)
	if t.AggKind == types.Avg {
		g.aggAverage(dst, auxSlot, t.AggSigned)
	}
}

// aggMiss ends the loop of aggRead when the lookup just made (R0) found
// nothing: on the first CPU the element is missing, reported with -k as
// bpftrace reports it; past it there are no more CPUs.
func (g *gen) aggMiss(cpuSlot int16, done string, at ast.Span) {
	found := g.Label()
	g.Emit(asm.JNE.Imm(asm.R0, 0, found))
	if g.c.opts.HelperErrors != HelperErrorsOff {
		g.Emit(asm.LoadMem(asm.R1, asm.R10, cpuSlot, asm.DWord), asm.JNE.Imm(asm.R1, 0, done))
		g.helperError("map_lookup_percpu_elem", at)
	}
	g.Emit(asm.Ja.Label(done))
	g.Place(found)
}

// aggAverage divides the sum in dst by the count in slot, toward zero
// for a signed sum (BPF's division is unsigned); a count of 0 gives 0.
func (g *gen) aggAverage(dst asm.Register, slot int16, signed bool) {
	g.Emit(asm.LoadMem(asm.R1, asm.R10, slot, asm.DWord))
	if !signed {
		g.Emit(asm.Div.Reg(dst, asm.R1))
		return
	}
	pos, done := g.Label(), g.Label()
	g.Emit(asm.JSGE.Imm(dst, 0, pos), asm.Neg.Imm(dst, 0), asm.Div.Reg(dst, asm.R1), asm.Neg.Imm(dst, 0), asm.Ja.Label(done))
	g.Place(pos)
	g.Emit(asm.Div.Reg(dst, asm.R1))
	g.Place(done)
}
