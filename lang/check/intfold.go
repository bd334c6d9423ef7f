package check

import (
	"math"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
)

// Integer literals fold as the newest bpftrace (0.24 and later) folds
// them, exactly, before anything runs: an operator on two literals (or on
// literals folded before) is computed over the integers and its result
// is a literal again, a uint64 when not negative (1 << 63 is
// 9223372036854775808), an int64 when negative (-16 >> 2 is -4, as C
// shifts a negative value). A result neither holds, a division by zero
// and a shift by 64 or more are refused in bpftrace's words ("unable to
// fold literals due to overflow or underflow"), where gbt wrapped
// silently (9223372036854775807 + 1 was -9223372036854775808). The
// program computes nothing of it: the result is a constant. Under
// --compat=0.17 literals wrap as 0.17's do (compat.FoldIntLiterals).

const foldOverflow = "unable to fold literals due to overflow or underflow"

// litVal is an integer literal's value as bpftrace folds it: an int64
// when neg, else a uint64.
type litVal struct {
	neg bool
	v   uint64 // two's complement when neg
}

// typ is the type gbt gives the literal: a uint64 past math.MaxInt64,
// as an integer literal that large is, else gbt's int64.
func (l litVal) typ() types.Type {
	if !l.neg && l.v > math.MaxInt64 {
		return types.U64
	}
	return types.I64
}

// literalValue returns the value of x when it is an integer literal, or
// an operator on such literals, already checked.
func (c *checker) literalValue(x ast.Expr) (litVal, bool) {
	v, ok := c.info.Consts[x]
	if l := literalOf(x, v, ok, c.info.Types[x]); l != nil {
		return *l, true
	}
	return litVal{}, false
}

// literalOf is the value of x when it is an integer literal, of type t
// and folded to v (hasConst); nil when it is not.
func literalOf(x ast.Expr, v int64, hasConst bool, t types.Type) *litVal {
	if !hasConst || !literalInt(x) || t.Kind != types.Int {
		return nil
	}
	if !t.Signed && t.Bits == 64 && v < 0 {
		return &litVal{v: uint64(v)} // a uint64 past math.MaxInt64
	}
	return &litVal{neg: v < 0, v: uint64(v)}
}

// foldIntLiterals folds e when both operands are integer literals (see
// above); ok is false when they are not, or under --compat=0.17.
// Comparisons, && and || fold elsewhere (foldBinary).
func (c *checker) foldIntLiterals(e *ast.Binary) (t types.Type, ok bool) {
	if !c.cfg.Compat.Has(compat.FoldIntLiterals) || e.Op.YieldsBool() {
		return types.Type{}, false
	}
	l, lok := c.literalValue(e.X)
	r, rok := c.literalValue(e.Y)
	if !lok || !rok {
		return types.Type{}, false
	}
	res, ok := evalLiterals(e.Op, l, r)
	if !ok {
		c.errorf(spanOf(e), foldOverflow)
		return types.Type{}, true
	}
	c.setConst(e, int64(res.v))
	return res.typ(), true
}

// foldIntUnary folds -x and ~x of an integer literal x as bpftrace
// does: -x of a literal past 2^63 is "negative value will underflow",
// ~x is never negative (~5 is 18446744073709551610, ~-5 is 4).
func (c *checker) foldIntUnary(e *ast.Unary) (t types.Type, ok bool) {
	if !c.cfg.Compat.Has(compat.FoldIntLiterals) || (e.Op != ast.OpSub && e.Op != ast.OpCompl) || e.Postfix {
		return types.Type{}, false
	}
	x, ok := c.literalValue(e.X)
	if !ok {
		return types.Type{}, false
	}
	var res litVal
	switch {
	case e.Op == ast.OpCompl:
		res = litVal{v: ^x.v}
	case x.neg:
		res = litVal{v: -x.v}
	case x.v > 1<<63:
		c.errorf(spanOf(e), "negative value will underflow")
		return types.Type{}, true
	case x.v != 0:
		res = litVal{neg: true, v: -x.v}
	}
	c.setConst(e, int64(res.v))
	return res.typ(), true
}

// evalLiterals computes l op r as bpftrace's literal folder does: over
// uint64 when neither is negative, over int64 when both are or when the
// one that is not fits one; ok is false when the result overflows.
func evalLiterals(op ast.Op, l, r litVal) (litVal, bool) {
	switch {
	case !l.neg && !r.neg:
		return evalUnsigned(op, l.v, r.v)
	case l.neg && r.neg, l.neg && r.v <= math.MaxInt64, r.neg && l.v <= math.MaxInt64:
		return evalSigned(op, int64(l.v), int64(r.v))
	}
	return litVal{}, false
}

func evalUnsigned(op ast.Op, a, b uint64) (litVal, bool) {
	u := func(v uint64) (litVal, bool) { return litVal{v: v}, true }
	switch op {
	case ast.OpAdd:
		if s := a + b; s >= a {
			return u(s)
		}
	case ast.OpSub:
		if a >= b {
			return u(a - b)
		}
		if delta := b - a - 1; delta <= math.MaxInt64 {
			return litVal{neg: true, v: uint64(-int64(delta) - 1)}, true
		}
	case ast.OpMul:
		if a == 0 || b == 0 {
			return u(0)
		}
		if p := a * b; p/a == b {
			return u(p)
		}
	case ast.OpQuo:
		if b != 0 {
			return u(a / b)
		}
	case ast.OpRem:
		if b != 0 {
			return u(a % b)
		}
	case ast.OpAnd:
		return u(a & b)
	case ast.OpOr:
		return u(a | b)
	case ast.OpXor:
		return u(a ^ b)
	case ast.OpShl:
		if b < 64 {
			return u(a << b)
		}
	case ast.OpShr:
		if b < 64 {
			return u(a >> b)
		}
	}
	return litVal{}, false
}

func evalSigned(op ast.Op, a, b int64) (litVal, bool) {
	s := func(v int64) (litVal, bool) { return litVal{neg: v < 0, v: uint64(v)}, true }
	switch op {
	case ast.OpAdd:
		switch {
		case a > 0 && b > 0:
			return evalUnsigned(op, uint64(a), uint64(b))
		case a < 0 && b < 0 && math.MinInt64-a > b:
			return litVal{}, false
		}
		return s(a + b)
	case ast.OpSub:
		switch {
		case b == 0:
			return s(a)
		case a > 0 && b < 0 && math.MaxInt64-a < -b:
			// Past math.MaxInt64: over uint64, as bpftrace's does not.
			return litVal{}, false
		case a < 0 && b > 0 && math.MinInt64-a > -b:
			return litVal{}, false
		}
		return s(a - b)
	case ast.OpMul:
		switch {
		case a == 0 || b == 0:
			return s(0)
		case a < 0 && b < 0:
			return evalUnsigned(op, uint64(-(a+1))+1, uint64(-(b+1))+1)
		}
		if p := a * b; p/a == b {
			return s(p)
		}
	case ast.OpQuo:
		if b != 0 {
			return s(a / b)
		}
	case ast.OpRem:
		if b != 0 {
			return s(a % b)
		}
	case ast.OpAnd:
		return s(a & b)
	case ast.OpOr:
		return s(a | b)
	case ast.OpXor:
		return s(a ^ b)
	case ast.OpShl:
		if b >= 0 && b < 64 {
			return s(a << b)
		}
	case ast.OpShr:
		if b >= 0 && b < 64 {
			return s(a >> b)
		}
	}
	return litVal{}, false
}
