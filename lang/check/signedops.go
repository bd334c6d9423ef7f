package check

import (
	"math"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// Whether an operation on two integers is signed: its result's type, and
// how a comparison compares. The newest bpftrace (compat.SignedIntJoin):
// a literal that is not negative (and fits an int64) takes the other
// operand's sign; then an operation is signed when either operand is, and
// a subtraction always is: (uint8)5 - 10 is -5, nsecs - $start an int64,
// (uint8)7 < (int8)-1 false, $addr > 0x1000 of a uint64 unsigned, pid + 1
// a uint64. In 0.17 an operation is signed only when both operands are.

// signedOp reports whether the operation op on operands of types lt and
// rt is signed; l and r are the operands' values when they are integer
// literals (nil otherwise).
func signedOp(join bool, op ast.Op, lt, rt types.Type, l, r *litVal) bool {
	ls, rs := lt.Signed, rt.Signed
	if !join {
		return ls && rs
	}
	switch lflex, rflex := flexible(l), flexible(r); {
	case lflex && !rflex:
		ls = rs
	case rflex && !lflex:
		rs = ls
	}
	return ls || rs || op == ast.OpSub
}

// flexible reports whether a literal operand takes the other operand's
// sign: it is one, not negative, and an int64 holds it.
func flexible(v *litVal) bool {
	return v != nil && !v.neg && v.v <= math.MaxInt64
}

// signedOp is signedOp of a binary operation of the pass being checked.
func (c *checker) signedOp(e *ast.Binary, lt, rt types.Type) bool {
	lit := func(x ast.Expr) *litVal {
		v, ok := c.info.Consts[x]
		return literalOf(x, v, ok, c.info.Types[x])
	}
	return signedOp(c.info.joinSigned, e.Op, lt, rt, lit(e.X), lit(e.Y))
}

// SignedOp reports whether e, an arithmetic operation or a comparison of
// two integers in probe pi's block, is signed (see signedOp): its
// comparison's jump, its result's sign.
func (in *Info) SignedOp(pi *ProbeInfo, e *ast.Binary) bool {
	lit := func(x ast.Expr) *litVal {
		v, ok := in.ConstOf(pi, x)
		return literalOf(x, v, ok, in.TypeOf(pi, x))
	}
	return signedOp(in.joinSigned, e.Op, in.TypeOf(pi, e.X), in.TypeOf(pi, e.Y), lit(e.X), lit(e.Y))
}

// compoundSigned reports whether x op= rhs (x++ and x-- when rhs is nil:
// a 1) makes x, of plain unsigned integer type lt, signed: as x = x op rhs
// would be (signedOp), so x-- and x -= 1 are signed, x += 1 keeps x's
// sign. It is false for any other lt.
func (c *checker) compoundSigned(op ast.Op, lt types.Type, rhs ast.Expr, rt types.Type) bool {
	if !unsignedInt(lt) {
		return false
	}
	r := &litVal{v: 1}
	if rhs != nil {
		v, ok := c.info.Consts[rhs]
		r = literalOf(rhs, v, ok, rt)
	} else {
		rt = types.I64
	}
	return signedOp(c.info.joinSigned, op.Base(), lt, rt, nil, r)
}

// unsignedInt reports whether t is a plain unsigned integer (no enum).
func unsignedInt(t types.Type) bool {
	return t.Kind == types.Int && t.Enum == nil && !t.Signed
}

// signedJoin reports whether a map of plain unsigned integers is given a
// plain signed value: the newest bpftrace's join of the two is signed.
func signedJoin(old, val types.Type) bool {
	return unsignedInt(old) && val.Kind == types.Int && val.Enum == nil && val.Signed
}
