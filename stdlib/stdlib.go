package stdlib

import (
	"errors"

	"github.com/gbt-dev/gbt/internal/cfmt"
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// Type rule helpers shared by the families.

func fixed(t types.Type) func(*check.Use) types.Type {
	return func(*check.Use) types.Type { return t }
}

// arity checks the argument count with bpftrace's messages.
func arity(u *check.Use, min, max int) bool {
	n := len(u.Args)
	if n >= min && n <= max {
		return true
	}
	name := u.Name()
	switch {
	case max == 0:
		u.Errorf("%s() requires no arguments (%d provided)", name, n)
	case min == max && min == 1:
		u.Errorf("%s() requires one argument (%d provided)", name, n)
	case min == max:
		u.Errorf("%s() requires %d arguments (%d provided)", name, min, n)
	case n < min && min == 1:
		u.Errorf("%s() requires at least one argument (%d provided)", name, n)
	case n < min:
		u.Errorf("%s() requires at least %d arguments (%d provided)", name, min, n)
	case max == 1:
		u.Errorf("%s() takes up to one argument (%d provided)", name, n)
	default:
		u.Errorf("%s() takes up to %d arguments (%d provided)", name, max, n)
	}
	return false
}

// intArg checks that argument i is an integer, saying so in the newest
// bpftrace's words for hist, lhist and exit: "int arguments (string
// provided)".
func intArg(u *check.Use, i int) bool {
	return checkIntArg(u, i, "int", false)
}

// integerArg is intArg in the newest bpftrace's words for sum, min, max,
// avg and stats: "integer arguments (string[2] provided)".
func integerArg(u *check.Use, i int) bool {
	return checkIntArg(u, i, "integer", true)
}

// checkIntArg reports argument i unless it is an integer, in the newest
// bpftrace's words (what, the type whole or its kind), or in 0.17's
// ("integer arguments (string provided)").
func checkIntArg(u *check.Use, i int, what string, whole bool) bool {
	t := u.ArgTypes[i]
	if t.IsInt() {
		return true
	}
	provided := t.KindWord()
	if !u.Compat().Has(compat.NewestWords) {
		what = "integer"
	} else if whole {
		provided = t.String()
	}
	u.Errorf("%s() only supports %s arguments (%s provided)", u.Name(), what, provided)
	return false
}

// maxFormatArgs is how many arguments printf, cat and system take, the
// format included, as bpftrace.
const maxFormatArgs = 128

// formatArity checks the argument count of a printf-like call, in
// bpftrace's words.
func formatArity(u *check.Use) bool {
	if len(u.Args) > maxFormatArgs {
		u.Errorf("%s() takes up to %d arguments (%d provided)", u.Name(), maxFormatArgs, len(u.Args))
		return false
	}
	return arity(u, 1, maxFormatArgs)
}

// CheckPrintf checks a printf-style format string (argument first) against
// the other arguments and returns the parsed pieces.
func CheckPrintf(u *check.Use, first int) []cfmt.Piece {
	name := u.Name()
	format, ok := literalArg(u, first)
	if !ok {
		return nil
	}
	pieces, err := cfmt.Parse(format)
	if err != nil {
		u.ErrorAt(u.Args[first], "%s: %v", name, err)
		return nil
	}
	verbs := make([]*cfmt.Verb, 0, len(pieces))
	for _, p := range pieces {
		if p.Verb != nil {
			verbs = append(verbs, p.Verb)
		}
	}
	args := u.ArgTypes[first+1:]
	switch {
	case len(args) < len(verbs):
		u.Errorf("%s", u.Compat().Sprintf(compat.FewFormatArgs, name, len(args), len(verbs)))
		return nil
	case len(args) > len(verbs):
		u.Errorf("%s", u.Compat().Sprintf(compat.ManyFormatArgs, name, len(args), len(verbs)))
		return nil
	}
	for i, v := range verbs {
		t := args[i]
		switch {
		case v.IsString() && t.Kind != types.String && t.Kind != types.Buffer && !isPrintable(t) &&
			!(u.Compat().Has(compat.NewestWords) && (t.IsInt() || t.Kind == types.Pointer)):
			// The newest bpftrace prints any value with %s; 0.17 refuses
			// integers.
			u.Errorf("%s", u.Compat().Sprintf(compat.FormatType, name, v.Conv, t, "string", t.KindWord()))
			return nil
		case !v.IsString() && !t.IsInt() && t.Kind != types.Pointer:
			if p, ok := u.Args[first+1+i].(*ast.Positional); ok {
				u.ErrorAt(p, "$%d used numerically but given \"%s\". Try using str($%d).", p.Index, u.Param(p.Index), p.Index)
				return nil
			}
			u.Errorf("%s", u.Compat().Sprintf(compat.FormatType, name, v.Conv, t, "integer", t.KindWord()))
			return nil
		}
	}
	return pieces
}

// isPrintable reports whether a value renders as text with %s (probe names,
// symbols, tuples, enum variants...).
func isPrintable(t types.Type) bool {
	switch t.Kind {
	case types.Int:
		return t.Enum != nil
	case types.Probe, types.Ksym, types.Usym, types.Username, types.Timestamp, types.Tuple, types.Inet, types.Mac, types.Stack,
		types.CgroupPath, types.Strerror, types.Bool:
		return true
	}
	return false
}

// literalKind names the kind of a value given where a string literal
// must be: "int" in the newest bpftrace's words, "integer" in 0.17's.
func literalKind(u *check.Use, t types.Type) string {
	if u.Compat().Has(compat.NewestWords) {
		return bpftraceKind(t)
	}
	return t.KindWord()
}

// literalArg returns argument i of a use, which must be a string literal.
func literalArg(u *check.Use, i int) (string, bool) {
	s, ok := u.StringLit(i)
	if !ok {
		u.Errorf("%s() expects a string literal (%s provided)", u.Name(), literalKind(u, u.ArgTypes[i]))
	}
	return s, ok
}

func oneInt(res types.Type) func(*check.Use) types.Type {
	return func(u *check.Use) types.Type {
		if !arity(u, 1, 1) {
			return types.Type{}
		}
		if !u.ArgTypes[0].IsInt() && u.ArgTypes[0].Kind != types.Pointer {
			u.Errorf("%s() expects an integer argument (%s provided)", u.Name(), u.ArgTypes[0].KindWord())
			return types.Type{}
		}
		return res
	}
}

func oneString(res types.Type) func(*check.Use) types.Type {
	return func(u *check.Use) types.Type {
		if !arity(u, 1, 1) {
			return types.Type{}
		}
		if _, ok := literalArg(u, 0); !ok {
			return types.Type{}
		}
		return res
	}
}

// resolved is the type rule of builtins whose string argument names
// something the environment turns into a number when the script is
// compiled (kaddr, uaddr, cgroupid): the use becomes that constant, or
// what the lookup expanded it to (errExpanded).
func resolved(lookup func(ae probe.Env, u *check.Use, name string) (uint64, types.Type, error)) func(*check.Use) types.Type {
	return func(u *check.Use) types.Type {
		if !arity(u, 1, 1) {
			return types.Type{}
		}
		name, ok := literalArg(u, 0)
		if !ok {
			return types.Type{}
		}
		var v uint64
		var t types.Type
		err := probe.ErrUnavailable
		if ae, ok := u.Env(); ok {
			v, t, err = lookup(ae, u, name)
		}
		if errors.Is(err, probe.ErrUnavailable) {
			u.Errorf("%s() needs the running system to resolve %q", u.Name(), name)
			return types.Type{}
		}
		if errors.Is(err, errExpanded) {
			return t
		}
		var failed *resolveError
		if errors.As(err, &failed) {
			u.ErrorHint(failed.cause.Error(), "%s", failed.msg)
			return types.Type{}
		}
		if err != nil {
			u.Errorf("%s(%q): %v", u.Name(), name, err)
			return types.Type{}
		}
		u.Fold(int64(v))
		return t
	}
}

// errExpanded says a resolved lookup expanded the use (u.Expand) instead
// of giving a constant; the type it returns is the expansion's.
var errExpanded = errors.New("expanded")

// resolveError is a failed lookup of resolved() reported in bpftrace's
// words (msg), with its cause as the hint.
type resolveError struct {
	msg   string
	cause error
}

func (e *resolveError) Error() string { return e.msg + ": " + e.cause.Error() }
func (e *resolveError) Unwrap() error { return e.cause }

// addrSpaceType is the rule of kptr and uptr: an integer or pointer,
// retyped as a pointer into the address space.
func addrSpaceType(as types.AddrSpace) func(*check.Use) types.Type {
	return func(u *check.Use) types.Type {
		if !arity(u, 1, 1) {
			return types.Type{}
		}
		t := u.ArgTypes[0]
		switch {
		case t.Kind == types.Pointer:
		case t.IsInt():
			t = types.PointerTo(types.U8, as)
		default:
			u.Errorf("%s() only supports integer or pointer arguments (%s provided)", u.Name(), t.KindWord())
			return types.Type{}
		}
		t.AddrSpace = as
		return t
	}
}

func probeKind(u *check.Use) *probe.Kind {
	if u.Probe == nil {
		return nil
	}
	return u.Probe.Kind
}

func kindName(u *check.Use, k *probe.Kind) string {
	switch {
	case k == nil:
		return "unknown"
	case u.Compat().Has(compat.NewestWords):
		return k.Newest() // "begin", "fentry"
	}
	return k.Name
}
