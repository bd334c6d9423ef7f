package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/types"
)

// concatEntries: str_concat (bpftrace 0.24), two strings into a new one.
func concatEntries() []*Entry {
	return []*Entry{
		{Name: "str_concat", Kind: check.Func, Doc: "str_concat(s1, s2): a new string, s1 then s2", Type: strConcatType,
			Emit: MemEmitter(strConcatEmit)},
	}
}

// strConcatType: two strings; the result holds both (bpftrace's is a
// string[1024] whatever they are; gbt's is as long as the two can be, to
// spare the 512-byte stack).
func strConcatType(u *check.Use) types.Type {
	if !arity(u, 2, 2) {
		return types.Type{}
	}
	for i, t := range u.ArgTypes {
		if t.Kind != types.String {
			u.ErrorAt(u.Args[i], "str_concat() expects strings (%s provided)", t.KindWord())
			return types.Type{}
		}
	}
	return types.StringOf(u.ArgTypes[0].Size + u.ArgTypes[1].Size - 1)
}

// strConcatEmit writes s1 at R10+off, then s2's bytes from s1's NUL on,
// up to s2's NUL or the result's last byte (which stays the NUL codegen
// zeroed). Two bounded loops over the frame: the length of s1, then the
// copy.
func strConcatEmit(g Gen, c *ast.Call, off int16, size int) {
	t1, t2 := g.TypeOf(c.Args[0]), g.TypeOf(c.Args[1])
	g.EvalMem(c.Args[0], types.StringOf(min(t1.Size, size)), off)
	m := g.Mark()
	defer g.Reset(m)
	tmp := g.Alloc(t2.ByteSize())
	g.Zero(tmp, t2.ByteSize())
	g.EvalMem(c.Args[1], t2, tmp)
	i, p, j, b := asm.R1, asm.R2, asm.R3, asm.R4
	lenLoop, copyStart, copyLoop, done := g.Label(), g.Label(), g.Label(), g.Label()
	// i = strlen(s1), at most size-1.
	g.Emit(asm.Mov.Imm(i, 0))
	g.Place(lenLoop)
	g.Emit(asm.JGE.Imm(i, int32(size-1), done),
		asm.Mov.Reg(p, asm.R10), asm.Add.Imm(p, int32(off)), asm.Add.Reg(p, i), asm.LoadMem(b, p, 0, asm.Byte),
		asm.JEq.Imm(b, 0, copyStart), asm.Add.Imm(i, 1), asm.Ja.Label(lenLoop))
	g.Place(copyStart)
	// for j: s[i+j] = s2[j] until s2's NUL, s2's end or the result's last byte.
	g.Emit(asm.Mov.Imm(j, 0))
	g.Place(copyLoop)
	g.Emit(asm.JGE.Imm(j, int32(t2.Size), done),
		asm.Mov.Reg(p, asm.R10), asm.Add.Imm(p, int32(tmp)), asm.Add.Reg(p, j), asm.LoadMem(b, p, 0, asm.Byte),
		asm.JEq.Imm(b, 0, done),
		asm.Mov.Reg(p, i), asm.Add.Reg(p, j), asm.JGE.Imm(p, int32(size-1), done),
		asm.Add.Imm(p, int32(off)), asm.Add.Reg(p, asm.R10), asm.StoreMem(p, 0, b, asm.Byte),
		asm.Add.Imm(j, 1), asm.Ja.Label(copyLoop))
	g.Place(done)
}
