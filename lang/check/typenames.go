package check

import (
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
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
