package check

import (
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// boolCast types (bool)x, as the newest bpftrace allows it: an integer,
// bool or pointer is true when it is not zero, a string when it is not
// empty.
func (c *checker) boolCast(e *ast.Cast, t types.Type) types.Type {
	switch {
	case t.IsInt() || t.Kind == types.Pointer:
		if v, ok := c.info.Consts[e.X]; ok {
			c.setConst(e, b2i(v != 0))
		}
	case t.Kind == types.String:
		if s, ok := e.X.(*ast.StrLit); ok {
			c.setConst(e, b2i(len(s.Value) > 0 && s.Value[0] != 0))
		}
	default:
		c.errorf(spanOf(e), "Cannot cast from \"%s\" to \"bool\"", aggOrType(t))
		return types.Type{}
	}
	return types.Boolean
}

// mixBool returns the type a variable or map slot of type a takes when it
// is also given a value of type b: a bool slot that is given an integer
// becomes an int64 (the newest bpftrace rejects the mix; 0.17 scripts
// store comparisons and integers in one place, and keep working).
func mixBool(a, b types.Type) (types.Type, bool) {
	if a.Kind == types.Bool && b.Kind == types.Int {
		return types.IntOf(64, b.Signed), true
	}
	return a, false
}
