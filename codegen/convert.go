package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/types"
)

// sameLayout reports whether a value of type src fits a slot of type dst
// byte for byte: the same kind and size, and for tuples the same offsets
// and elements. Tuples of narrower integers or shorter strings do not.
func sameLayout(src, dst types.Type) bool {
	if src.Kind != dst.Kind || src.ByteSize() != dst.ByteSize() {
		return false
	}
	if src.Kind != types.Tuple {
		return true
	}
	if len(src.Elems) != len(dst.Elems) {
		return false
	}
	so, do := src.TupleOffsets(), dst.TupleOffsets()
	for i := range src.Elems {
		if so[i] != do[i] || !sameLayout(src.Elems[i], dst.Elems[i]) {
			return false
		}
	}
	return true
}

// convertInto copies a tuple value of type src at src+soff into a slot of
// type dst at R10+doff, element by element: integers widened with their
// sign (a (int8)-4 in an int16 slot stays -4), strings and other values
// copied as far as both hold. The slot must be zeroed. Only R1 is used
// besides src.
func (g *gen) convertInto(doff int16, dst types.Type, src asm.Register, soff int16, st types.Type) {
	switch {
	case sameLayout(st, dst):
		g.copyFrame(doff, src, soff, dst.ByteSize())
	case st.Kind == types.Tuple && dst.Kind == types.Tuple && len(st.Elems) == len(dst.Elems):
		so, do := st.TupleOffsets(), dst.TupleOffsets()
		for i := range st.Elems {
			g.convertInto(doff+int16(do[i]), dst.Elems[i], src, soff+int16(so[i]), st.Elems[i])
		}
	case st.Kind == types.Int && dst.Kind == types.Int:
		g.Emit(asm.LoadMem(asm.R1, src, soff, sizeOf(st)))
		g.signExtend(asm.R1, st)
		g.Emit(asm.StoreMem(asm.R10, doff, asm.R1, sizeOf(dst)))
	default:
		g.copyFrame(doff, src, soff, min(st.ByteSize(), dst.ByteSize()))
	}
}
