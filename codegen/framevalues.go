package codegen

import (
	"encoding/binary"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/types"
)

// Values written to the frame whole: a variable's or a tuple element's
// bytes copied, constant bytes stored, a tracepoint's string read.

// copyElem copies a value of type vt at R10+src (a variable, a tuple's
// element) to R10+off as a value of type t, the same or wider: a string
// shorter than t is zero-padded, not followed by what the frame held
// there before (the else of c ? "longer" : $s; a word-wise strlen()
// would read a spilled pointer there), nor by the bytes after the
// source, which may lie past the frame (@s[1] = $t.1 of a string[16]
// into a map of string[64]).
func (g *gen) copyElem(off int16, t types.Type, src int16, vt types.Type) {
	if vt.Kind == types.Tuple && !sameLayout(vt, t) {
		g.zero(off, t.ByteSize())
		g.convertInto(off, t, asm.R10, src, vt)
		return
	}
	n := min(vt.ByteSize(), t.ByteSize())
	g.copyFrame(off, asm.R10, src, n)
	if t.Kind == types.String && n < t.ByteSize() {
		g.zeroExact(off+int16(n), t.ByteSize()-n)
	}
}

// storeBytes writes b zero-padded to size bytes at R10+off.
func (g *gen) storeBytes(off int16, b []byte, size int) {
	buf := make([]byte, size+8)
	copy(buf, b)
	if len(b) >= size && size > 0 {
		buf[size-1] = 0
	}
	for i := 0; i < size; {
		n, sz := g.piece(off, i, size)
		v := int64(binary.LittleEndian.Uint64(buf[i:]))
		if n < 8 {
			v &= 1<<(8*n) - 1
		}
		g.loadConst(asm.R1, v)
		g.Emit(asm.StoreMem(asm.R10, off+int16(i), asm.R1, sz))
		i += n
	}
}

// argString reads a string field of the tracepoint record at base: char
// arrays in place, __data_loc strings through their (len << 16 | offset)
// locator.
func (g *gen) argString(base asm.Register, f types.Field, off int16, size int) {
	g.zero(off, size)
	g.addr(asm.R1, off)
	if f.Type.Len == -1 {
		g.Emit(
			asm.LoadMem(asm.R3, base, int16(f.Offset), asm.Word),
			asm.And.Imm(asm.R3, 0xffff),
			asm.Add.Reg(asm.R3, base),
			asm.Mov.Imm(asm.R2, int32(size)),
			asm.FnProbeReadKernelStr.Call(),
		)
		return
	}
	n := min(size, f.Type.Size)
	g.Emit(
		asm.Mov.Reg(asm.R3, base), asm.Add.Imm(asm.R3, int32(f.Offset)),
		asm.Mov.Imm(asm.R2, int32(n)),
		asm.FnProbeReadKernelStr.Call(),
	)
}
