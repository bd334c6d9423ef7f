package stdlib

import (
	"slices"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/types"
)

// tseriesEntry is tseries(v, interval, intervals[, "avg"|"max"|"min"|"sum"]):
// the value of each of the last intervals intervals of interval ns (the
// last value stored in it, or their reduction). The value keeps one slot
// per interval (types.TSeriesSlot), filed by the time now/interval.
func tseriesEntry() *Entry {
	return &Entry{Name: "tseries", Kind: check.Agg, Doc: `tseries(v, interval, intervals[, "avg"|"max"|"min"|"sum"]): time series of v over the last intervals intervals`,
		Type: tseriesType, Emit: AggEmitter(tseriesEmit)}
}

func tseriesType(u *check.Use) types.Type {
	if !arity(u, 3, 4) || !unstableFeature(u, "unstable_tseries", "tseries") {
		return types.Type{}
	}
	if t := u.ArgTypes[0]; !t.IsInt() {
		u.Errorf("tseries() only supports int arguments (%s provided)", t.KindWord())
		return types.Type{}
	}
	interval, ok := u.Const(1)
	if !ok {
		u.Errorf("tseries: invalid interval_ns value (must be non-negative literal)")
		return types.Type{}
	}
	n, ok := u.Const(2)
	if !ok {
		u.Errorf("tseries: invalid num_intervals value (must be non-negative literal)")
		return types.Type{}
	}
	switch {
	case interval <= 0:
		u.Errorf("tseries() interval_ns must be >= 1 (%d provided)", interval)
		return types.Type{}
	case n <= 0:
		u.Errorf("tseries() num_intervals must be >= 1 (%d provided)", n)
		return types.Type{}
	case n > types.MaxTSeriesIntervals:
		u.ErrorHint("gbt keeps a time series in one map value, which holds at most 1024 intervals",
			"tseries() num_intervals must be <= %d (%d provided)", types.MaxTSeriesIntervals, n)
		return types.Type{}
	}
	p := types.AggParams{Interval: interval, Intervals: n}
	if len(u.Args) == 4 {
		lit, ok := u.Args[3].(*ast.StrLit)
		r, known := types.TSeriesReduce(0), false
		if ok {
			r, known = types.TSeriesReduces[lit.Value]
		}
		if !known {
			names := make([]string, 0, len(types.TSeriesReduces))
			for name := range types.TSeriesReduces {
				names = append(names, name)
			}
			slices.Sort(names)
			got := u.ArgTypes[3].KindWord()
			if ok {
				got = `"` + lit.Value + `"`
			}
			u.Errorf("tseries() expects one of the following aggregation functions: %s (%s provided)", strings.Join(names, ", "), got)
			return types.Type{}
		}
		p.Reduce = r
	}
	u.SetAggParams(p)
	return types.AggOf(types.TSeries, u.ArgTypes[0].Signed)
}

// tseriesEmit files val in the slot of the current interval. A slot's
// epoch word holds epoch+1, so that 0 marks a slot never used; a slot of
// an older epoch starts over.
func tseriesEmit(g Gen, c *ast.Call, ptr, val asm.Register) {
	interval, _ := g.Const(c.Args[1])
	n, _ := g.Const(c.Args[2])
	reduce := types.TSeriesLast
	if len(c.Args) == 4 {
		if lit, ok := c.Args[3].(*ast.StrLit); ok {
			reduce = types.TSeriesReduces[lit.Value]
		}
	}
	now, epoch, slot := asm.R1, asm.R2, asm.R3
	done := g.Label()
	g.TSeriesClock(asm.R0)
	g.Emit(asm.Mov.Reg(now, asm.R0), asm.Mov.Reg(epoch, asm.R0))
	g.LoadConst(asm.R4, interval)
	g.Emit(asm.Div.Reg(epoch, asm.R4), asm.Mov.Reg(slot, epoch))
	g.LoadConst(asm.R4, n)
	g.Emit(
		asm.Mod.Reg(slot, asm.R4),
		asm.JGE.Imm(slot, int32(n), done), // bounds the offset for the verifier
		asm.Mul.Imm(slot, types.TSeriesSlot),
		asm.Add.Reg(slot, ptr),
		asm.Add.Imm(epoch, 1),
	)
	if reduce != types.TSeriesLast {
		same := g.Label()
		g.Emit(
			asm.LoadMem(asm.R4, slot, 16, asm.DWord),
			asm.JEq.Reg(asm.R4, epoch, same),
			asm.Mov.Imm(asm.R4, 0),
			asm.StoreMem(slot, 0, asm.R4, asm.DWord),
			asm.StoreMem(slot, 8, asm.R4, asm.DWord),
		)
		g.Place(same)
	}
	switch reduce {
	case types.TSeriesAvg, types.TSeriesSum:
		if reduce == types.TSeriesAvg {
			addWord(g, slot, 8, 1)
		}
		g.Emit(asm.LoadMem(asm.R4, slot, 0, asm.DWord), asm.Add.Reg(asm.R4, val), asm.StoreMem(slot, 0, asm.R4, asm.DWord))
	case types.TSeriesMin, types.TSeriesMax:
		signed, unsigned := asm.JSGT, asm.JGT
		if reduce == types.TSeriesMin {
			signed, unsigned = asm.JSLT, asm.JLT
		}
		keepExtreme(g, slot, val, asm.R4, extremeJump(g, c, signed, unsigned))
	default:
		g.Emit(asm.StoreMem(slot, 0, val, asm.DWord), asm.StoreMem(slot, 8, now, asm.DWord))
	}
	g.Emit(asm.StoreMem(slot, 16, epoch, asm.DWord))
	g.Place(done)
}
