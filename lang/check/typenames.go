package check

import (
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
)

// Type names written without the words that make them one: the kernel's
// and C's integer typedefs (uint64_t, __u32, u8, size_t) and structs or
// unions named without their keyword (offsetof(qspinlock, tail)), which
// the newest bpftrace resolves through BTF.

// intTypedef resolves a C integer typedef name to its integer type.
func intTypedef(name string) (types.Type, bool) {
	if t, ok := basicType(name); ok {
		return t, true
	}
	return basicType(strings.TrimSuffix(strings.TrimPrefix(name, "__"), "_t"))
}

// recordName names the struct or union a bare name means: "struct NAME"
// if there is one, else "union NAME" if there is one; a name with its
// keyword stays as it is.
func (c *checker) recordName(name string) string {
	if strings.HasPrefix(name, "struct ") || strings.HasPrefix(name, "union ") || strings.HasPrefix(name, "enum ") {
		return name
	}
	for _, kw := range []string{"struct ", "union "} {
		if _, err := c.structRecord(kw + name); err == nil {
			return kw + name
		}
	}
	return "struct " + name
}

// sizeofName folds sizeof(name) where name is no value but a type name: an
// integer typedef or a struct or union named without its keyword. ok is
// false when name is a value (a builtin, args, an enumerator) or no type.
func (c *checker) sizeofName(e *ast.Sizeof, id *ast.Ident) (types.Type, bool) {
	if id.Name == "args" || c.isVar(id.Name) {
		return types.Type{}, false
	}
	if _, ok := c.enums[id.Name]; ok {
		return types.Type{}, false
	}
	if c.cfg.Env != nil {
		if _, ok := c.cfg.Env.EnumValue(id.Name); ok {
			return types.Type{}, false
		}
	}
	if t, ok := intTypedef(id.Name); ok {
		c.setConst(e, int64(t.ByteSize()))
		return types.U64, true
	}
	rec, err := c.structRecord(c.recordName(id.Name))
	if err != nil {
		return types.Type{}, false
	}
	c.setConst(e, int64(rec.ByteSize()))
	return types.U64, true
}

// typeSize is the size of the type sizeof names: an integer, a pointer,
// a struct, union or enum, an array of any of them (`uint32*[10]` is 80
// bytes), `string[N]`, or typeof of a type or an expression (never
// evaluated).
func (c *checker) typeSize(e *ast.Sizeof, te *ast.TypeExpr) (int, bool) {
	if te.ArrayN < 0 {
		return 0, true // uint8[]: no elements, as the newest bpftrace says
	}
	if te.ArrayPtr > 0 {
		return 8, true // uint32[4]*: a pointer
	}
	n := max(te.ArrayN, 1)
	switch {
	case te.Of != nil:
		size, ok := c.exprSize(te.Of)
		if te.Ptr > 0 {
			size = 8
		}
		return size * n, ok
	case te.Ptr > 0:
		return 8 * n, true
	case te.Name == "string" && te.ArrayN > 0:
		return te.ArrayN, true
	}
	if t, ok := basicType(te.Name); ok {
		return t.ByteSize() * n, true
	}
	if c.isScriptEnum(te.Name) {
		return types.I64.ByteSize() * n, true
	}
	span := spanOf(e)
	if c.cfg.Compat.Has(compat.NewestWords) {
		span = spanOf(te) // the newest bpftrace's: the type
	}
	rec, ok := c.namedRecord(te.Name, span)
	if !ok {
		return 0, false
	}
	return rec.ByteSize() * n, true
}

// exprSize is the size of x's type for sizeof(x) and sizeof(typeof(x)),
// x never evaluated: as the newest bpftrace types it ($x = 1 is an int8;
// a comparison is a bool, an int64 in 0.17), a struct of any size.
func (c *checker) exprSize(x ast.Expr) (int, bool) {
	t := c.inPlace(x)
	if !t.IsValid() {
		return 0, false
	}
	if v, ok := x.(*ast.Variable); ok {
		if s, ok := c.varSize(v); ok {
			t = s
		}
	}
	n := t.ByteSize()
	if _, field := x.(*ast.Field); t.Kind == types.Bool && !field && !c.cfg.Compat.Has(compat.BoolType) {
		n = 8 // 0.17 has no bool: a comparison is an int64 (a bool field is a byte)
	}
	return n, true
}
