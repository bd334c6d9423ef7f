package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
)

// aggEntries are the aggregations, assigned to map elements and updated
// in place in each CPU's value: count, sum, avg, min, max, stats, hist,
// lhist, tseries. User space sums the CPUs' values when it prints them.
func aggEntries() []*Entry {
	return []*Entry{
		{Name: "count", Kind: check.Agg, Doc: "count(): count events", Type: aggregation(types.Count, 0),
			Emit: AggEmitter(func(g Gen, _ *ast.Call, ptr, _ asm.Register) { addWord(g, ptr, 0, 1) })},
		{Name: "sum", Kind: check.Agg, Doc: "sum(v): sum of values", Type: aggregation(types.Sum, 1),
			Emit: AggEmitter(func(g Gen, _ *ast.Call, ptr, val asm.Register) {
				g.Emit(asm.LoadMem(asm.R1, ptr, 0, asm.DWord), asm.Add.Reg(asm.R1, val), asm.StoreMem(ptr, 0, asm.R1, asm.DWord))
			})},
		{Name: "avg", Kind: check.Agg, Doc: "avg(v): average of values", Type: aggregation(types.Avg, 1), Emit: AggEmitter(sumCount)},
		{Name: "min", Kind: check.Agg, Doc: "min(v): smallest value", Type: aggregation(types.Min, 1), Emit: extreme(asm.JSLT, asm.JLT)},
		{Name: "max", Kind: check.Agg, Doc: "max(v): largest value", Type: aggregation(types.Max, 1), Emit: extreme(asm.JSGT, asm.JGT)},
		{Name: "stats", Kind: check.Agg, Doc: "stats(v): count, average and total", Type: aggregation(types.Stats, 1), Emit: AggEmitter(sumCount)},
		{Name: "hist", Kind: check.Agg, Doc: "hist(v[, bits]): power-of-two histogram, each power split in 2^bits buckets (bits 0..5)", Type: histType, Emit: AggEmitter(histEmit)},
		{Name: "lhist", Kind: check.Agg, Doc: "lhist(v, min, max, step): linear histogram", Type: aggregation(types.Lhist, 4), Emit: AggEmitter(lhistEmit)},
		tseriesEntry(),
	}
}

func aggregation(k types.AggKind, nargs int) func(*check.Use) types.Type {
	return func(u *check.Use) types.Type {
		if !arity(u, nargs, nargs) {
			return types.Type{}
		}
		signed := false
		if nargs > 0 {
			argOK := integerArg
			if k == types.Lhist {
				argOK = intArg
			}
			if !argOK(u, 0) {
				return types.Type{}
			}
			signed = u.ArgTypes[0].Signed
		}
		if k == types.Lhist {
			var p [3]int64
			newest := u.Compat().Has(compat.NewestWords)
			for i, name := range [...]string{"min", "max", "step"} {
				v, ok := u.Const(i + 1)
				switch {
				case newest && name == "step" && (!ok || v < 0):
					u.Errorf("lhist: invalid step value")
					return types.Type{}
				case newest && (!ok || v < 0):
					// The newest bpftrace reads each as an unsigned literal.
					u.Errorf("lhist: invalid %s value (must be non-negative literal)", name)
					return types.Type{}
				case !ok:
					u.Errorf("lhist() expects a integer literal (%s provided)", u.ArgTypes[i+1].KindWord())
					return types.Type{}
				}
				p[i] = v
			}
			switch {
			case p[0] < 0:
				u.Errorf("lhist() min must be non-negative (provided min %d)", p[0])
				return types.Type{}
			case p[2] < 1:
				u.Errorf("lhist() step must be >= 1 (%d provided)", p[2])
				return types.Type{}
			case p[1] <= p[0]:
				u.Errorf("lhist() min must be less than max (provided min %d and max %d)", p[0], p[1])
				return types.Type{}
			case p[1]-p[0] < p[2]:
				u.Errorf("lhist() step is too large for the given range (provided step %d for range %d)", p[2], p[1]-p[0])
				return types.Type{}
			case (p[1]-p[0])/p[2] > 1000:
				u.Errorf("lhist() too many buckets, must be <= 1000 (would need %d)", (p[1]-p[0])/p[2])
				return types.Type{}
			}
			u.SetAggParams(types.AggParams{Min: p[0], Max: p[1], Step: p[2]})
		}
		return types.AggOf(k, signed)
	}
}

// addWord adds an immediate to the u64 at ptr+off.
func addWord(g Gen, ptr asm.Register, off int16, v int32) {
	g.Emit(asm.LoadMem(asm.R1, ptr, off, asm.DWord), asm.Add.Imm(asm.R1, v), asm.StoreMem(ptr, off, asm.R1, asm.DWord))
}

// sumCount updates {sum, count} (avg and stats).
func sumCount(g Gen, _ *ast.Call, ptr, val asm.Register) {
	g.Emit(asm.LoadMem(asm.R1, ptr, 0, asm.DWord), asm.Add.Reg(asm.R1, val), asm.StoreMem(ptr, 0, asm.R1, asm.DWord))
	addWord(g, ptr, 8, 1)
}

// extreme updates {value, set} for min (less) and max (greater).
func extreme(signedJump, unsignedJump asm.JumpOp) AggEmitter {
	return func(g Gen, c *ast.Call, ptr, val asm.Register) {
		keepExtreme(g, ptr, val, asm.R1, extremeJump(g, c, signedJump, unsignedJump))
	}
}

// extremeJump is the comparison min or max keeps a value by, for the
// signedness of the map's values (the call's type: signed if any update's
// values are).
func extremeJump(g Gen, c *ast.Call, signed, unsigned asm.JumpOp) asm.JumpOp {
	if g.TypeOf(c).AggSigned {
		return signed
	}
	return unsigned
}

// keepExtreme stores val in the {value, set} pair at ptr when the pair is
// not set yet or val is beyond its value by jump (less for min, greater for
// max); tmp is a scratch register. min, max and tseries' min and max.
func keepExtreme(g Gen, ptr, val, tmp asm.Register, jump asm.JumpOp) {
	store, done := g.Label(), g.Label()
	g.Emit(
		asm.LoadMem(tmp, ptr, 8, asm.DWord),
		asm.JEq.Imm(tmp, 0, store),
		asm.LoadMem(tmp, ptr, 0, asm.DWord),
		jump.Reg(val, tmp, store),
		asm.Ja.Label(done),
	)
	g.Place(store)
	g.Emit(asm.StoreMem(ptr, 0, val, asm.DWord), asm.Mov.Imm(tmp, 1), asm.StoreMem(ptr, 8, tmp, asm.DWord))
	g.Place(done)
}

// histType is hist(v[, bits]): bits, a literal 0..5, splits each power of
// two into 2^bits buckets.
func histType(u *check.Use) types.Type {
	if !arity(u, 1, 2) || !intArg(u, 0) {
		return types.Type{}
	}
	var bits int64
	if len(u.Args) == 2 {
		v, ok := u.Const(1)
		if !ok {
			u.Errorf("hist() expects a integer literal (%s provided)", u.ArgTypes[1].KindWord())
			return types.Type{}
		}
		if v < 0 || v > types.MaxHistBits {
			u.Errorf("hist: bits %d must be 0..%d", v, types.MaxHistBits)
			return types.Type{}
		}
		bits = v
	}
	u.SetAggParams(types.AggParams{Bits: int(bits)})
	return types.AggOf(types.Hist, u.ArgTypes[0].Signed)
}

// histEmit increments the log2 bucket of val (see types.HistBucket). With
// bits 0: negative → 0, 0 → 1, else floor(log2(v)) + 2. The leading one
// is found by binary search.
func histEmit(g Gen, c *ast.Call, ptr, val asm.Register) {
	var bits int64
	if len(c.Args) == 2 {
		bits, _ = g.Const(c.Args[1])
	}
	idx := asm.R2
	v := asm.R3
	done := g.Label()
	mask := int32(1)<<bits - 1
	g.Emit(asm.Mov.Imm(idx, 0), asm.JSLT.Imm(val, 0, done))
	if bits == 0 {
		g.Emit(asm.Mov.Imm(idx, 1), asm.JEq.Imm(val, 0, done))
	} else {
		g.Emit(asm.Mov.Reg(idx, val), asm.Add.Imm(idx, 1), asm.JLE.Imm(val, mask, done))
	}
	g.Emit(asm.Mov.Reg(v, val))
	// idx counts the position of the leading one (plus 2, for bits 0).
	g.Emit(asm.Mov.Imm(idx, int32(2-min(bits, 1)*2)))
	for _, shift := range []int32{32, 16, 8, 4, 2, 1} {
		skip := g.Label()
		g.Emit(
			asm.Mov.Reg(asm.R4, v),
			asm.RSh.Imm(asm.R4, shift),
			asm.JEq.Imm(asm.R4, 0, skip),
			asm.Mov.Reg(v, asm.R4),
			asm.Add.Imm(idx, shift),
		)
		g.Place(skip)
	}
	if bits > 0 {
		// l = position - bits; idx = (l+1)<<bits + (val>>l & mask) + 1.
		g.Emit(
			asm.Sub.Imm(idx, int32(bits)),
			asm.Mov.Reg(asm.R4, val),
			asm.RSh.Reg(asm.R4, idx),
			asm.And.Imm(asm.R4, mask),
			asm.Add.Imm(idx, 1),
			asm.LSh.Imm(idx, int32(bits)),
			asm.Add.Reg(idx, asm.R4),
			asm.Add.Imm(idx, 1),
		)
	}
	g.Place(done)
	bumpBucket(g, ptr, idx, types.HistBuckets(int(bits)))
}

// lhistEmit increments the linear bucket of val (see types.LhistBucket).
func lhistEmit(g Gen, c *ast.Call, ptr, val asm.Register) {
	min, _ := g.Const(c.Args[1])
	max, _ := g.Const(c.Args[2])
	step, _ := g.Const(c.Args[3])
	n := types.LhistBuckets(min, max, step)
	idx := asm.R2
	done := g.Label()
	g.Emit(asm.Mov.Imm(idx, 0))
	g.Emit(asm.JSLT.Imm(val, int32(min), done))
	g.Emit(asm.Mov.Imm(idx, int32(n-1)))
	g.Emit(asm.JSGE.Imm(val, int32(max), done))
	g.Emit(
		asm.Mov.Reg(idx, val),
		asm.Sub.Imm(idx, int32(min)),
		asm.Div.Imm(idx, int32(step)),
		asm.Add.Imm(idx, 1),
	)
	g.Place(done)
	bumpBucket(g, ptr, idx, n)
}

// bumpBucket increments the u64 counter idx of an n-counter array at ptr.
// The bound check on idx lets the verifier accept the variable offset.
func bumpBucket(g Gen, ptr, idx asm.Register, n int) {
	done := g.Label()
	g.Emit(
		asm.JGE.Imm(idx, int32(n), done),
		asm.LSh.Imm(idx, 3),
		asm.Mov.Reg(asm.R1, ptr),
		asm.Add.Reg(asm.R1, idx),
		asm.LoadMem(asm.R3, asm.R1, 0, asm.DWord),
		asm.Add.Imm(asm.R3, 1),
		asm.StoreMem(asm.R1, 0, asm.R3, asm.DWord),
	)
	g.Place(done)
}
