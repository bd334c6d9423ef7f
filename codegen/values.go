package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// elvis computes `a ?: b` into dst: a when it is true, else b.
func (g *gen) elvis(e *ast.Ternary, dst asm.Register) {
	done := g.Label()
	g.EvalInt(e.Cond, dst)
	g.Emit(asm.JNE.Imm(dst, 0, done))
	g.EvalInt(e.Else, dst)
	g.Place(done)
}

// recordMem writes the record literal e into a record slot of type t at
// R10+off: each field, evaluated in the order written, goes where t has
// the field of its name (a variable's type is that of its first record,
// whose fields may be written in another order).
func (g *gen) recordMem(e *ast.Record, t types.Type, off int16) {
	g.zero(off, t.ByteSize())
	for _, f := range e.Fields {
		for _, sf := range t.Fields {
			if sf.Name == f.Name {
				g.storeValue(f.Value, sf.Type, off+int16(sf.Offset))
				break
			}
		}
	}
}

// commonTuple is the layout two compatible tuples (or buffers) are
// compared in: each string or buffer as long as the longer of the two,
// nested tuples alike.
func commonTuple(a, b types.Type) types.Type {
	switch {
	case a.Kind == b.Kind && (a.Kind == types.String || a.Kind == types.Buffer):
		a.Size = max(a.Size, b.Size)
	case a.Kind == types.Int && b.Kind == types.Int && a.Enum == nil && b.Enum == nil && b.Bits > a.Bits:
		a = types.IntOf(b.Bits, a.Signed || b.Signed) // (1, 2) == (1000, 2): compared at the wider width
	case a.Kind == types.Tuple && b.Kind == types.Tuple && len(a.Elems) == len(b.Elems):
		elems := make([]types.Type, len(a.Elems))
		for i := range a.Elems {
			elems[i] = commonTuple(a.Elems[i], b.Elems[i])
		}
		a.Elems = elems
	}
	return a
}
