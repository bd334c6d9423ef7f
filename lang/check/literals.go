package check

import (
	"math"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
)

// Integer literals in tuples, sized by value as the newest bpftrace sizes
// them: (1, "a") holds an int8, (300, "a") an int16, so a tuple takes the
// room its values need ((int8)-100, 3, (int32)1) is 8 bytes, not 16).
// A slot given tuples of wider integers later widens those elements
// (widenElem), and codegen converts a narrower tuple into it.

// sizedLiteral returns the type tuple element x, of type t, takes: the
// smallest signed integer that holds its value when x is an integer
// literal or arithmetic of literals, else t.
func (c *checker) sizedLiteral(x ast.Expr, t types.Type) types.Type {
	if !c.cfg.Compat.Has(compat.SizedTupleLiterals) || t.Kind != types.Int || t.Enum != nil || !literalInt(x) {
		return t
	}
	v, ok := c.info.Consts[x]
	if !ok || (t.Bits == 64 && !t.Signed && v < 0) {
		return t // past math.MaxInt64: a uint64
	}
	return types.IntOf(signedBits(v), true)
}

// literalInt reports whether e is an integer literal or arithmetic of
// them (-1, 2 * 3), with no cast, variable or builtin that gives it
// another type.
func literalInt(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.IntLit:
		return true
	case *ast.Unary:
		return (e.Op == ast.OpSub || e.Op == ast.OpCompl) && literalInt(e.X)
	case *ast.Binary:
		return !e.Op.YieldsBool() && literalInt(e.X) && literalInt(e.Y)
	}
	return false
}

// signedBits is the width of the smallest signed integer holding v.
func signedBits(v int64) int {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return 8
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return 16
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return 32
	}
	return 64
}

// widenElem returns tuple element type a grown to hold integers of type
// b: the wider width, signed if either is. Values of one enum keep it (a
// kernel enum's field is 4 bytes, its enumerators 8).
func widenElem(a, b types.Type) types.Type {
	if a.Kind != types.Int || b.Kind != types.Int || b.Bits <= a.Bits {
		return a
	}
	if a.Enum != nil && a.Enum == b.Enum {
		return b
	}
	if a.Enum != nil || b.Enum != nil {
		return a
	}
	return types.IntOf(b.Bits, a.Signed || b.Signed)
}
