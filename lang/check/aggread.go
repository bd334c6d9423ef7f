package check

import (
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// Reading an aggregation as a number, as the newest bpftrace (0.22 and
// later) allows it: a map of count(), sum(), min(), max() or avg() values
// used in a cast, an operator's operand, a tuple or a $variable's value
// is the number it prints ((bool)@hits, @bytes / @calls, $n = @c). Its
// per-CPU values are reduced in BPF (codegen's aggRead). Other
// aggregations (hist, stats, ...) have no single number and stay errors,
// as do aggregations where the newest bpftrace still refuses them: a
// condition (if (@c)), a unary operator (-@c) and another map's value
// (@b = @a).

// castableAgg reports whether t is an aggregation that reads as a number.
func castableAgg(t types.Type) bool {
	if t.Kind != types.Agg {
		return false
	}
	switch t.AggKind {
	case types.Count, types.Sum, types.Min, types.Max, types.Avg:
		return true
	}
	return false
}

// aggNumber returns the integer type a castable aggregation reads as:
// uint64 for count(), int64 or uint64 after the aggregated values for
// the others.
func aggNumber(t types.Type) types.Type {
	return types.IntOf(64, t.AggSigned && t.AggKind != types.Count)
}

// aggValue returns the type x, of type t, has where a number is wanted: a
// map reference to a castable aggregation reads as its number (recorded
// as x's type, which codegen reads), anything else keeps t.
func (c *checker) aggValue(x ast.Expr, t types.Type) types.Type {
	if _, ok := x.(*ast.MapRef); !ok || !castableAgg(t) {
		return t
	}
	n := aggNumber(t)
	c.info.Types[x] = n
	return n
}
