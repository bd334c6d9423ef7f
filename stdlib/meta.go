package stdlib

import (
	"errors"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// metaEntries are answered when the script is compiled, from the types of
// their arguments: the is_* checks, static_assert, fail, strcap,
// default_str_length, assert_str, kfunc_exist, kfunc_allowed. Their arguments are not
// evaluated.
func metaEntries() []*Entry {
	folded := "the type rule folds every use to a constant"
	// static_assert and assert_str are checked when the script is
	// compiled; a use that passes yields no code.
	checked := StmtEmitter(func(Gen, *ast.Call) {})
	return []*Entry{
		{Name: "is_str", Kind: check.Func, Doc: "is_str(e): whether e is a string", Type: isType(func(_ *check.Use, t types.Type) bool {
			return t.Kind == types.String
		}), NoCode: folded},
		{Name: "is_ptr", Kind: check.Func, Doc: "is_ptr(e): whether e is a pointer", Type: isType(func(_ *check.Use, t types.Type) bool {
			return t.Kind == types.Pointer
		}), NoCode: folded},
		{Name: "is_array", Kind: check.Func, Doc: "is_array(e): whether e is an array", Type: isType(func(_ *check.Use, t types.Type) bool {
			return t.Kind == types.Array
		}), NoCode: folded},
		{Name: "is_integer", Kind: check.Func, Doc: "is_integer(e): whether e is an integer", Type: isType(isInteger),
			NoCode: folded},
		{Name: "is_unsigned_integer", Kind: check.Func, Doc: "is_unsigned_integer(e): whether e is an unsigned integer", Type: isType(func(u *check.Use, t types.Type) bool {
			return isInteger(u, t) && !t.Signed
		}), NoCode: folded},
		{Name: "is_literal", Kind: check.Func, Doc: "is_literal(e): whether e is a literal (or folds to a constant)", Type: isType(func(u *check.Use, _ types.Type) bool {
			_, isInt := u.Const(0)
			_, isStr := u.StringLit(0)
			return isInt || isStr
		}), NoCode: folded},
		{Name: "static_assert", Kind: check.Func, Doc: "static_assert(cond, msg): fail to compile with msg unless the constant cond holds", Type: func(u *check.Use) types.Type {
			if !arity(u, 2, 2) {
				return types.Type{}
			}
			msg, ok := literalArg(u, 1)
			if !ok {
				return types.Type{}
			}
			v, ok := u.Const(0)
			switch {
			case !ok:
				u.ErrorAt(u.Args[0], "Unable to resolve comptime expression")
				return types.Type{}
			case v == 0:
				u.Errorf("%s", msg)
				return types.Type{}
			}
			return types.Type{Kind: types.Void}
		}, Emit: checked},
		{Name: "kfunc_exist", Kind: check.Func, Doc: "kfunc_exist(name): whether the kernel's BTF has the function name", Type: kfuncExist,
			NoCode: folded},
		{Name: "kfunc_allowed", Kind: check.Func, Doc: "kfunc_allowed(name): whether the probe's kind of program may call the kernel function (kfunc) name, as the kernel's verifier answers", Type: kfuncAllowed,
			NoCode: folded},
		{Name: "fail", Kind: check.Func, Doc: "fail(fmt, literals...): fail to compile with a formatted message wherever it is", Type: failType,
			NoCode: "the type rule refuses every use"},
		{Name: "assert_str", Kind: check.Func, Doc: "assert_str(e): fail to compile unless e is string-like (a string, or a char array or pointer)", Type: func(u *check.Use) types.Type {
			if arity(u, 1, 1) {
				stringLike(u, 0)
			}
			return types.Type{Kind: types.Void}
		}, Emit: checked},
		{Name: "strcap", Kind: check.Func, Doc: "strcap(s): capacity of a string or char array (its size)", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 1) || !stringLike(u, 0) {
				return types.Type{}
			}
			t := u.ArgTypes[0]
			if t.Kind == types.Pointer {
				u.Errorf("strcap() of a pointer is its strlen(), which gbt does not read yet; use strlen()")
				return types.Type{}
			}
			n := t.Size
			if t.Kind == types.Array {
				n = t.Len
			}
			u.Fold(int64(n))
			return types.I64
		}, NoCode: folded},
		{Name: "default_str_length", Kind: check.VarOrFunc, Doc: "default_str_length(): the size of the strings str() reads (BPFTRACE_MAX_STRLEN)", Type: func(u *check.Use) types.Type {
			if !arity(u, 0, 0) {
				return types.Type{}
			}
			u.Fold(int64(u.Strlen))
			return types.U64
		}, NoCode: folded},
	}
}

// isType is the rule of an is_* check: a constant bool.
func isType(is func(u *check.Use, t types.Type) bool) func(*check.Use) types.Type {
	return func(u *check.Use) types.Type {
		if !arity(u, 1, 1) {
			return types.Type{}
		}
		v := int64(0)
		if is(u, u.ArgTypes[0]) {
			v = 1
		}
		u.Fold(v)
		return types.Type{Kind: types.Bool}
	}
}

// isInteger: bpftrace's true and false are bools, not integers.
func isInteger(u *check.Use, t types.Type) bool {
	if _, ok := u.Args[0].(*ast.BoolLit); ok {
		return false
	}
	return t.Kind == types.Int
}

// stringLike checks that argument i is a string, a char array or a
// pointer to chars, in bpftrace's words.
func stringLike(u *check.Use, i int) bool {
	t := u.ArgTypes[i]
	switch {
	case t.Kind == types.String:
		return true
	case t.Kind == types.Array:
		if t.Elem == nil || t.Elem.Kind != types.Int || t.Elem.Bits != 8 {
			u.Errorf("string-like arrays must contain a char-like type")
			return false
		}
		return true
	case t.Kind == types.Pointer:
		if t.Elem == nil || t.Elem.Kind != types.Int || t.Elem.Bits != 8 {
			u.Errorf("string-like pointers must point to a char-like type")
			return false
		}
		return true
	}
	u.Errorf("string-like values must be either strings, arrays or pointers")
	return false
}

// failType reports fail()'s message, formatted from literal arguments.
func failType(u *check.Use) types.Type {
	if !formatArity(u) {
		return types.Type{}
	}
	pieces := CheckPrintf(u, 0)
	if pieces == nil {
		return types.Type{}
	}
	var msg []byte
	arg := 1
	for _, p := range pieces {
		if p.Verb == nil {
			msg = append(msg, p.Lit...)
			continue
		}
		if s, ok := u.StringLit(arg); ok {
			msg = p.Verb.AppendString(msg, []byte(s))
		} else if v, ok := u.Const(arg); ok {
			msg = p.Verb.AppendInt(msg, uint64(v))
		} else {
			u.Errorf("fail() arguments need to be literals")
			return types.Type{}
		}
		arg++
	}
	u.Errorf("%s", msg)
	return types.Type{Kind: types.Void}
}

// kfuncExist is kfunc_exist's rule: true when the kernel's BTF describes
// the function (as bpftrace looks it up: by name in vmlinux's BTF), false
// when it does not or the kernel has no BTF.
func kfuncExist(u *check.Use) types.Type {
	if !arity(u, 1, 1) {
		return types.Type{}
	}
	name, ok := u.StringLit(0)
	if !ok {
		u.Errorf("kfunc_exist() accepts a string literal only")
		return types.Type{}
	}
	exists := int64(0)
	if env, ok := u.Env(); ok {
		_, _, err := env.FuncArgs(probe.TracingEntry, name)
		// Any other error is about the function's prototype: it exists.
		if err == nil || !errors.Is(err, probe.ErrNoStruct) && !errors.Is(err, probe.ErrUnavailable) {
			exists = 1
		}
	}
	u.Fold(exists)
	return types.Boolean
}

// kfuncAllowed is kfunc_allowed's rule: true when the kernel lets a
// program of the probe's kind (loaded against its first point, for the
// tracing kinds) call the kernel function, which the environment asks
// the kernel by loading one (bpftrace's BPFfeature::kfunc_allowed); false
// when the kernel refuses the call, has no such function or no BTF.
func kfuncAllowed(u *check.Use) types.Type {
	if !arity(u, 1, 1) {
		return types.Type{}
	}
	name, ok := u.StringLit(0)
	if !ok {
		u.Errorf("kfunc_allowed() accepts a string literal only")
		return types.Type{}
	}
	yes, err := kfuncAllowedHere(u, name)
	if err != nil && !errors.Is(err, probe.ErrNoStruct) && !errors.Is(err, probe.ErrUnavailable) {
		u.Errorf("kfunc_allowed(%q): %v", name, err)
		return types.Type{}
	}
	allowed := int64(0)
	if err == nil && yes {
		allowed = 1
	}
	u.Fold(allowed)
	return types.Boolean
}
