package check

import (
	"fmt"

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

// aggCopyExamples are the calls the newest bpftrace's error about copying
// an aggregation suggests, by kind.
var aggCopyExamples = map[types.AggKind]string{
	types.Count: "count()", types.Sum: "sum(retval)", types.Min: "min(retval)", types.Max: "max(retval)",
	types.Avg: "avg(retval)", types.Hist: "hist(retval)", types.Lhist: "lhist(rand %10, 0, 10, 1)",
	types.TSeries: "tseries(rand %10, 10s, 1)", types.Stats: "stats(arg2)",
}

// aggCopy reports `@b = @a` of an aggregation, which the newest bpftrace
// refuses (0.17 copied the value; gbt printed 0): an aggregation's map
// is written by its function alone. A number is what a cast gives.
func (c *checker) aggCopy(s *ast.AssignStmt, to, from *ast.MapRef, t types.Type) {
	d := c.errorf(spanOf(s), "Map value '%s_t' cannot be assigned from one map to another. The function that returns this type must be called directly e.g. `%s = %s;`.",
		t.AggKind, to.Name, aggCopyExamples[t.AggKind])
	if castableAgg(t) {
		d.Hint = fmt.Sprintf("Add a cast to integer if you want the value of the aggregate, e.g. `%s = (int64)%s;`.", to.Name, from.Name)
	}
}
