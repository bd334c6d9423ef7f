package check

import (
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// typeofCast types a cast or `let` declaration whose type is
// typeof(expr) (bpftrace 0.22): the expression's type, never evaluated,
// with the pointer levels written after it. A
// declaration's zero takes any such type; a value is cast to an integer,
// bool or pointer type as to one written by name, or kept when it already
// has the type.
func (c *checker) typeofCast(e *ast.Cast) types.Type {
	to := c.expr(e.Type.Of)
	if !to.IsValid() {
		return to
	}
	if to.Kind == types.Agg || to.Kind == types.Void {
		c.errorf(spanOf(e.Type), "typeof() of a value of type %s cannot be a variable's type", aggOrType(to))
		return types.Type{}
	}
	for i := 0; i < e.Type.Ptr; i++ {
		to = types.PointerTo(to, types.AddrNone)
	}
	t := c.expr(e.X)
	if !t.IsValid() || ast.DeclaredZero(e) || t.Equal(to) {
		return to
	}
	switch {
	case to.Kind == types.Bool:
		return c.boolCast(e, t)
	case to.IsInt() || to.Kind == types.Pointer:
		if t.IsInt() || t.Kind == types.Pointer {
			if v, ok := c.info.Consts[e.X]; ok && to.IsInt() {
				c.setConst(e, truncate(v, to))
			}
			return to
		}
	}
	c.errorf(spanOf(e), "Cannot cast from \"%s\" to \"%s\"", t, to)
	return types.Type{}
}
