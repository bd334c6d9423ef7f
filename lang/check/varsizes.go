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
	if c.cfg.Compat.Has(compat.SizedLiteralVars) && !compound && !literalInt(rhs) && !c.assignedAlike(rhs, t) {
		vi.sized.mixed = true
	}
	switch {
	case compound:
		t = types.I64
	case literalInt(rhs):
		if n, ok := c.info.Consts[rhs]; ok && (t.Bits < 64 || t.Signed || n >= 0) {
			vi.sized.addLiteral(n)
			return
		}
	default:
		if y, ok := rhs.(*ast.Variable); ok {
			if s, ok := c.varSize(y); ok {
				t = s
			}
		}
	}
	vi.sized.addTyped(t)
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
	s := c.allAssigned(v, vi)
	t := s.size()
	if t.Kind != types.Int {
		return types.Type{}, false
	}
	return t, true
}

// allAssigned is what v's assignments accumulated, in the whole probe.
func (c *checker) allAssigned(v *ast.Variable, vi *VarInfo) varSized {
	s := vi.sized
	if g, ok := c.probe_.grown[c.slotOf(v)]; ok && g.sized.valid() {
		s.merge(g.sized) // the first pass saw every assignment
	} else if c.quiet {
		c.widened = true // a later assignment may widen it: check again
	}
	return s
}

// assignedAlike reports whether gbt types rhs, of type t, assigned to a
// variable, as the newest bpftrace does (castFrom's cases).
func (c *checker) assignedAlike(rhs ast.Expr, t types.Type) bool {
	if y, ok := rhs.(*ast.Variable); ok {
		yi, ok := c.lookupVar(y)
		return ok && !c.allAssigned(y, yi).mixed
	}
	return typedAlike(rhs, t)
}

// castFromVar is castFrom of a variable v of type t: the type the newest
// bpftrace gives it, when every value assigned to it is one gbt types
// alike (castFrom's cases).
func (c *checker) castFromVar(v *ast.Variable, t types.Type) (types.Type, bool) {
	vi, ok := c.lookupVar(v)
	if !ok || !c.cfg.Compat.Has(compat.SizedLiteralVars) {
		return types.Type{}, false
	}
	s := c.allAssigned(v, vi)
	if !s.valid() || s.mixed {
		return types.Type{}, false
	}
	if t.Kind == types.Int {
		return c.varSize(v)
	}
	return t, true
}

// varSized accumulates the values assigned to a variable as the newest
// bpftrace sizes it: typed values join as joinInt joins them (an int16
// and a uint32 make an int64), and integer literals size it only where
// they do not fit the typed values' type ($x = 5; $x = (uint16)7 is a
// uint16, $x = -5; $x = (uint32)7 an int64), else as the smallest signed
// integer holding them ($x = 1 is an int8). A value that is not an
// integer replaces what came before.
type varSized struct {
	typed          types.Type // the join of the typed values; Kind Invalid when none
	lits           bool       // whether literals were assigned
	litMin, litMax int64
	// mixed: a value was assigned that gbt may type otherwise than the
	// newest bpftrace (an expression on literals, a call...).
	mixed bool
}

func (s *varSized) valid() bool { return s.typed.IsValid() || s.lits }

func (s *varSized) addLiteral(n int64) {
	if !s.lits {
		s.lits, s.litMin, s.litMax = true, n, n
		return
	}
	s.litMin, s.litMax = min(s.litMin, n), max(s.litMax, n)
}

func (s *varSized) addTyped(t types.Type) {
	if t.Kind != types.Int || (s.typed.IsValid() && s.typed.Kind != types.Int) {
		*s = varSized{typed: t, mixed: s.mixed}
		return
	}
	if !s.typed.IsValid() {
		s.typed = t
		return
	}
	s.typed = joinInt(s.typed, t)
}

// merge adds what o accumulated.
func (s *varSized) merge(o varSized) {
	s.mixed = s.mixed || o.mixed
	if o.typed.IsValid() {
		s.addTyped(o.typed)
	}
	if o.lits {
		s.addLiteral(o.litMin)
		s.addLiteral(o.litMax)
	}
}

// size is the variable's type for sizeof; Kind Invalid when nothing was
// assigned.
func (s *varSized) size() types.Type {
	if !s.lits {
		return s.typed
	}
	lit := types.IntOf(max(signedBits(s.litMin), signedBits(s.litMax)), true)
	t := s.typed
	switch {
	case !t.IsValid():
		return lit
	case t.Kind != types.Int:
		return t
	case fitsInt(s.litMin, lit, t) && fitsInt(s.litMax, lit, t):
		return t
	}
	return joinInt(t, lit)
}

// An integer variable also holds every value assigned to it, as in the
// newest bpftrace: `$x = (uint8)255; $x = 300` makes it an int16 and
// prints 300 (gbt kept the first value's type and stored 44), and ++, --
// and compound assignments make a narrower variable an int64
// (`$x = (uint8)255; $x++` is 256). A literal that fits the variable
// changes nothing (`$x = (uint64)-1; $x = 1` stays a uint64). A variable
// declared with a type (`let $x: uint8 = 1`) keeps it, and a value that
// does not fit is refused, in bpftrace's words. The first pass widens
// the variable where it is assigned and asks for a second, in which the
// variable has that type from its first assignment (defineVar). Under
// --compat=0.17 a variable keeps its first value's type and wraps, as in
// 0.17 (compat.WideIntVars).

// growIntVar widens the integer variable vi to hold the value rhs, of
// type t, assigned to it (compound: by ++, --, or op=); it reports
// whether vi's type changed, and refuses a value a declared variable
// cannot hold.
func (c *checker) growIntVar(v *ast.Variable, vi *VarInfo, rhs ast.Expr, t types.Type, compound bool) {
	old := vi.Type
	if old.Kind != types.Int || old.Enum != nil || !t.IsInt() || !c.cfg.Compat.Has(compat.WideIntVars) {
		return
	}
	want := t
	switch {
	case compound:
		want = types.I64
		if old.Bits == 64 && !(c.info.joinSigned && !old.Signed && t.Signed) {
			return // a 64-bit variable keeps its sign, unless joined with a signed value
		}
	case literalInt(rhs):
		n, ok := c.info.Consts[rhs]
		switch {
		case !ok || fitsInt(n, t, old):
			return
		case bigUint(n, t) && old.Signed:
			c.assignMismatch(v, v.Name, "variable", t, joinInt(old, t))
			return
		case bigUint(n, t):
			want = t
		default:
			want = types.IntOf(signedBits(n), true)
		}
	case t.Kind == types.Bool:
		return
	}
	w := joinInt(old, want)
	if w.Equal(old) {
		return
	}
	if vi.declared {
		if !compound {
			c.assignMismatch(v, v.Name, "variable", want, old)
		}
		return
	}
	vi.Type, c.widened = w, true
}

// bigUint reports whether the literal n, of gbt's type t, is a uint64
// past math.MaxInt64, which no signed variable or map holds: the newest
// bpftrace refuses to store it in one ("trying to assign value of type
// 'uint64' when variable already has a type 'int64'"), where a wrap
// would turn 18446744073709551615 into -1.
func bigUint(n int64, t types.Type) bool {
	return t.Bits == 64 && !t.Signed && n < 0
}

// fitsInt reports whether the literal n, of gbt's type t, fits integer
// type to (a uint64 literal past math.MaxInt64 has n < 0).
func fitsInt(n int64, t, to types.Type) bool {
	if bigUint(n, t) {
		return to.Bits == 64 && !to.Signed
	}
	if to.Signed {
		lim := int64(1) << (to.Bits - 1)
		return to.Bits == 64 || n >= -lim && n < lim
	}
	return n >= 0 && (to.Bits == 64 || n < int64(1)<<to.Bits)
}

// joinInt returns the integer type that holds the values of integer
// types a and b: the wider of the two when their signs agree, else a
// signed type wide enough for the unsigned one (uint8 and int8 make an
// int16; uint64 and a signed type an int64, as the newest bpftrace makes
// them).
func joinInt(a, b types.Type) types.Type {
	if a.Signed == b.Signed {
		return types.IntOf(max(a.Bits, b.Bits), a.Signed)
	}
	s, u := a, b
	if b.Signed {
		s, u = b, a
	}
	if s.Bits > u.Bits {
		return types.IntOf(s.Bits, true)
	}
	return types.IntOf(min(2*u.Bits, 64), true)
}
