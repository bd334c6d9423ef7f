package check

import (
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
)

// The sizes sizeof gives $variables, as the newest bpftrace types them.
//
// bpftrace 0.2x types a variable by the values assigned to it: an integer
// literal has the smallest signed integer type holding it ($x = 1 is an
// int8), and a later assignment that needs more widens the variable, in
// the whole probe ($x = 1; ...; $x = 1000 makes it an int16 even where
// the first value is read); ++, -- and compound assignments make it an
// int64. gbt keeps such variables 64-bit, so that arithmetic and printing
// are the same; only sizeof($x) reports bpftrace's size. VarInfo.sized
// accumulates it as assignments are checked; since a later assignment
// may widen it, the first pass asks for a second, whose sizeof reads the
// first pass's final size.

// noteVarSize records that v was assigned rhs, whose checked type is t
// (compound: by ++, -- or a compound assignment).
func (c *checker) noteVarSize(v *ast.Variable, rhs ast.Expr, t types.Type, compound bool) {
	vi, ok := c.lookupVar(v)
	if !ok {
		return
	}
	switch {
	case compound:
		t = types.I64
	case literalInt(rhs):
		if n, ok := c.info.Consts[rhs]; ok && (t.Bits < 64 || t.Signed || n >= 0) {
			t = types.IntOf(signedBits(n), true)
		}
	default:
		if y, ok := rhs.(*ast.Variable); ok {
			if s, ok := c.varSize(y); ok {
				t = s
			}
		}
	}
	vi.sized = widenSize(vi.sized, t)
}

// varSize returns the type the newest bpftrace gives v, for sizeof: ok is
// false when gbt's own type of v is what sizeof reports (not an integer
// variable, or 0.17's sizes).
func (c *checker) varSize(v *ast.Variable) (types.Type, bool) {
	if !c.cfg.Compat.Has(compat.SizedLiteralVars) {
		return types.Type{}, false
	}
	vi, ok := c.lookupVar(v)
	if !ok || vi.Type.Kind != types.Int || vi.Type.Enum != nil {
		return types.Type{}, false
	}
	s := vi.sized
	if g, ok := c.probe_.grown[c.slotOf(v)]; ok && g.sized.Kind == types.Int {
		s = widenSize(s, g.sized) // the first pass saw every assignment
	} else if c.quiet {
		c.widened = true // a later assignment may widen it: check again
	}
	if s.Kind != types.Int {
		return types.Type{}, false
	}
	return s, true
}

// widenSize returns integer type a grown to hold the values of integer
// type b: the wider width, signed if either is. A type that is not an
// integer replaces a.
func widenSize(a, b types.Type) types.Type {
	if a.Kind != types.Int || b.Kind != types.Int {
		return b
	}
	return types.IntOf(max(a.Bits, b.Bits), a.Signed || b.Signed)
}
