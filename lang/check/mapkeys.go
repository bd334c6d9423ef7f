package check

import (
	"fmt"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// keyMismatch is the message for a map used with a key of another shape
// than it has, in the newest bpftrace's words: key is the key of the use,
// want the map's, both as the script spells them (see keyAsWritten).
func keyMismatch(name string, key, want types.Type) string {
	switch {
	case want.Kind == types.Void && key.Kind != types.Void:
		return name + " used as a map with an explicit key (non-scalar map), previously used without an explicit key (scalar map)"
	case key.Kind == types.Void && want.Kind != types.Void:
		return name + " used as a map without an explicit key (scalar map), previously used with an explicit key (non-scalar map)"
	}
	return fmt.Sprintf("Argument mismatch for %s: trying to access with arguments: '%s' when map expects arguments: '%s'", name, keyTypeString(key), keyTypeString(want))
}

// keyTypeString spells a map key's type as the newest bpftrace does:
// `int8`, `string[3]`, and several keys or a tuple as `(int8,string[3])`.
func keyTypeString(t types.Type) string {
	if t.Kind != types.Tuple {
		return t.String()
	}
	parts := make([]string, len(t.Elems))
	for i, e := range t.Elems {
		parts[i] = keyTypeString(e)
	}
	return "(" + strings.Join(parts, ",") + ")"
}

// keyAsWritten is the key of map reference m, whose key type in the map
// is key, as the script spells it: its integers keep their own width (a
// literal's is the smallest that holds it), where the map widens them to
// 64 bits.
func (c *checker) keyAsWritten(m *ast.MapRef, key types.Type) types.Type {
	switch {
	case len(m.Keys) == 1:
		return c.keyElemAsWritten(m.Keys[0], key)
	case len(m.Keys) > 1 && key.Kind == types.Tuple && len(key.Elems) == len(m.Keys):
		elems := make([]types.Type, len(m.Keys))
		for i, k := range m.Keys {
			elems[i] = c.keyElemAsWritten(k, key.Elems[i])
		}
		return types.TupleOf(elems...)
	}
	return key
}

func (c *checker) keyElemAsWritten(k ast.Expr, inKey types.Type) types.Type {
	if t, ok := c.info.Types[k]; ok && inKey.Kind == types.Int && t.Kind == types.Int && t.Enum == nil {
		return c.sizedLiteral(k, t)
	}
	return inKey
}

// widenWritten grows a map's key as written (MapInfo.written) to hold a
// use's key as written, as bpftrace resolves the map's key type:
// `@x[1]` then `@x[100000]` make it int32.
func widenWritten(a, b types.Type) types.Type {
	return widenElem(widen(a, b), b)
}
