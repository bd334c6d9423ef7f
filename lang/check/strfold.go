package check

import (
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// String literals are folded as the newest bpftrace (0.24 and later)
// folds them, before anything runs: "ab" + "cd" is "abcd", "abcdef" + 2
// is "cdef" (past the end, "" and a warning), "a" < "b" and "x" && true
// are booleans, and a literal string is true where a condition wants a
// truth value when it is not empty (if ("x"), a predicate, a ternary).
// Other operators on two literals are refused. A folded string stands
// for a new literal (Info.Expansions), a folded truth value is a
// constant.

// foldStrings folds e, of operand types lt and rt, when one operand is a
// string literal and the other a literal the newest bpftrace folds with
// it; ok is false when e is no such expression.
func (c *checker) foldStrings(e *ast.Binary, lt, rt types.Type) (t types.Type, ok bool) {
	ls, lok := c.info.StrLit(e.X)
	rs, rok := c.info.StrLit(e.Y)
	switch {
	case lok && rok:
		return c.foldTwoStrings(e, ls, rs)
	case lok || rok:
		s, other, ot := ls, e.Y, rt
		if rok {
			s, other, ot = rs, e.X, lt
		}
		if v, isConst := c.info.Consts[other]; isConst && ot.IsInt() && ot.Kind != types.Bool && literalInt(other) && v >= 0 && e.Op == ast.OpAdd {
			// "foo" + 3, also 3 + "foo": the literal from its byte 3.
			if v >= int64(len(s)) {
				c.warnf(spanOf(e), "literal string will always be empty")
				s = ""
			} else {
				s = s[v:]
			}
			return c.standFor(e, s), true
		}
		if ot.Kind == types.Bool && (e.Op == ast.OpLAnd || e.Op == ast.OpLOr) {
			if v, isConst := c.info.Consts[other]; isConst {
				return c.foldTruth(e, e.Op, s != "", v != 0), true
			}
		}
	}
	return types.Type{}, false
}

// foldTwoStrings folds an operator on two string literals: the ordering
// comparisons, && and || by the strings' truth (the newest bpftrace
// takes the right operand's as its emptiness there: "x" && "y" is false
// in it, true in gbt), + to their concatenation; == and != compare them
// when the program runs, as for any strings. Any other operator is an
// error, in the newest bpftrace's words.
func (c *checker) foldTwoStrings(e *ast.Binary, l, r string) (types.Type, bool) {
	var v bool
	switch e.Op {
	case ast.OpEql, ast.OpNeq:
		return types.Type{}, false
	case ast.OpAdd:
		return c.standFor(e, l+r), true
	case ast.OpLss:
		v = l < r
	case ast.OpLeq:
		v = l <= r
	case ast.OpGtr:
		v = l > r
	case ast.OpGeq:
		v = l >= r
	case ast.OpLAnd, ast.OpLOr:
		return c.foldTruth(e, e.Op, l != "", r != ""), true
	default:
		c.errorf(spanOf(e), "illegal literal operation with strings")
		return types.Type{}, true
	}
	c.setConst(e, b2i(v))
	return types.Boolean, true
}

// foldTruth makes e the constant a && b or a || b.
func (c *checker) foldTruth(e ast.Expr, op ast.Op, a, b bool) types.Type {
	v := a && b
	if op == ast.OpLOr {
		v = a || b
	}
	c.setConst(e, b2i(v))
	return types.Boolean
}

// standFor makes e stand for the string literal s, and types it so.
func (c *checker) standFor(e ast.Expr, s string) types.Type {
	if c.info.Expansions == nil {
		c.info.Expansions = map[ast.Expr]ast.Expr{}
	}
	lit, ok := c.info.Expansions[e]
	if !ok {
		lit = &ast.StrLit{Span: spanOf(e), Value: s}
		c.info.Expansions[e] = lit
	}
	return c.expr(lit)
}

// literalTruth reports whether cond, of type t, is a string literal (or
// stands for one), which a condition takes as true when it is not empty,
// as the newest bpftrace does; cond is then that constant.
func (c *checker) literalTruth(cond ast.Expr, t types.Type) bool {
	if t.Kind != types.String {
		return false
	}
	s, ok := c.info.StrLit(cond)
	if !ok {
		return false
	}
	c.setConst(cond, b2i(s != ""))
	if x, ok := c.info.Expansions[cond]; ok {
		c.setConst(x, b2i(s != ""))
	}
	return true
}
