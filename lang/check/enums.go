package check

import (
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// Enums, as the newest bpftrace types them: an enumerator of a script's
// enum (`enum Foo { ONE = 1 }`) has the type of its enum, an integer that
// prints as the variant's name. A variable or map slot keeps the enum
// while every value stored in it has that enum; arithmetic, ++, += and a
// mix with other integers make a plain integer (see widen).

// enumCast types (enum NAME)x: x is an integer; a constant x must be the
// value of one of the enum's variants, a computed one may be any number
// (it prints as the number when no variant has it).
func (c *checker) enumCast(e *ast.Cast, t types.Type, name string) types.Type {
	enum := c.enumNames[name]
	if enum == nil {
		c.errorf(castSpan(e), "Unknown enum: %s", name)
		return types.Type{}
	}
	to := types.EnumOf(enum)
	if !t.IsInt() {
		c.errorf(castSpan(e), "Cannot cast from \"%s\" to \"%s\"", t, to)
		return types.Type{}
	}
	if t.Enum == enum {
		c.warnf(castSpan(e), "Unnecessary cast: expression is already of type %s", to)
	}
	if v, ok := c.info.Consts[e.X]; ok {
		if _, found := enum.VariantOf(v); !found {
			c.errorf(castSpan(e), "Enum: %s doesn't contain a variant value of %d", name, v)
			return types.Type{}
		}
		c.setConst(e, v)
	}
	return to
}

// castSpan is the span bpftrace points at for a cast's errors: the type
// in its parentheses, `(enum Foo)`.
func castSpan(e *ast.Cast) ast.Span {
	if e.Span.Start == e.Type.Span.Start {
		return e.Type.Span // let $v: enum Foo = x
	}
	return ast.Span{Start: e.Span.Start, End: e.X.NodeSpan().Start}
}

// plainInt makes *t, the type of a variable or map value that ++, -- or a
// compound assignment changes, a plain integer: the result of arithmetic
// is no variant of the enum. It reports whether *t changed.
func plainInt(t *types.Type) bool {
	if t.Enum == nil {
		return false
	}
	t.Enum = nil
	return true
}

// mapInt returns the type integer type t takes in a map key or value:
// 64 bits; a value of an enum (a kernel enum's are 4 bytes, as a
// tracepoint field or struct member holds them) takes its enum's type
// (EnumOf, as the enum's enumerators have), so that a map given both
// keeps the enum.
func mapInt(t types.Type) types.Type {
	if t.Enum != nil {
		return types.EnumOf(t.Enum)
	}
	return types.IntOf(64, t.Signed)
}

// isScriptEnum reports whether name is `enum NAME` of a script's enum,
// whose values sizeof gives 8 bytes.
func (c *checker) isScriptEnum(name string) bool {
	bare, ok := strings.CutPrefix(name, "enum ")
	return ok && c.enumNames[strings.TrimSpace(bare)] != nil
}
