package stdlib

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/internal/cfmt"
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/types"
)

// printf in a pinned iterator (iter:task:PIN). Its program runs when the
// pinned file is read, after gbt has exited, so nothing of gbt formats
// its output: the kernel does, with bpf_seq_printf, into the reader, as
// bpftrace's iterator programs print. The kernel's formatter knows less
// than printf() does elsewhere: integers (%d %i %u %x %X %c, with the
// flags "-+ 0", a width and the lengths l and ll) and strings (%s). The
// checker refuses the rest at the call; the emitter builds the kernel's
// format from the same verbs, so both agree.

// maxSeqArgs is the most values bpf_seq_printf formats (the kernel's
// MAX_BPRINTF_VARARGS).
const maxSeqArgs = 12

// seqHint follows each refusal: what the unpinned iterator does instead.
const seqHint = "a pinned iterator's printf is formatted by the kernel (bpf_seq_printf); without the pin, gbt reads the iterator and formats printf as everywhere else"

// pinnedIter reports whether the probe of a use is a pinned iterator.
func pinnedIter(u *check.Use) bool {
	return u.Probe != nil && len(u.Probe.Points) == 1 && u.Probe.Points[0].Pinned()
}

// checkSeqPrintf refuses, in a pinned iterator, what the kernel's
// formatter cannot print; pieces are the format's, checked already.
func checkSeqPrintf(u *check.Use, pieces []cfmt.Piece) {
	if !pinnedIter(u) {
		return
	}
	args := u.ArgTypes[1:]
	if len(args) > maxSeqArgs {
		u.ErrorHint(seqHint, "printf() in a pinned iterator takes at most %d values (%d given)", maxSeqArgs, len(args))
		return
	}
	i := 0
	for _, p := range pieces {
		if p.Verb == nil {
			continue
		}
		if _, err := seqVerb(p.Verb, args[i]); err != nil {
			u.ErrorHint(seqHint, "printf() in a pinned iterator: %v", err)
			return
		}
		i++
	}
}

// seqVerb returns the kernel's spelling of verb v printing a value of
// type t, or why the kernel cannot print it.
func seqVerb(v *cfmt.Verb, t types.Type) (string, error) {
	spec := "%" + v.Spec()
	if strings.Contains(v.Flags, "#") {
		return "", fmt.Errorf("the kernel's formatter has no '#' flag (%s)", spec)
	}
	if v.Prec >= 0 {
		return "", fmt.Errorf("the kernel's formatter has no precision (%%.%d%s)", v.Prec, v.Spec())
	}
	var length string
	switch v.Conv {
	case 'd', 'u', 'x', 'X', 'c':
		if t.Kind != types.Int && t.Kind != types.Bool && t.Kind != types.Pointer || t.Enum != nil && v.Conv == 'c' {
			return "", fmt.Errorf("%s of a %s: the kernel formats integers only", spec, t)
		}
		switch v.Length {
		case "":
		case "l", "ll", "z", "j", "t":
			length = "ll"
		default:
			return "", fmt.Errorf("the kernel's formatter has no length %q (%s)", v.Length, spec)
		}
		if v.Conv == 'c' {
			length = ""
		}
	case 's':
		if t.Kind != types.String {
			return "", fmt.Errorf("%s of a %s: gbt formats it, and gbt does not run when the file is read", spec, t)
		}
	default:
		return "", fmt.Errorf("the kernel's formatter has no %s", spec)
	}
	out := "%" + v.Flags
	if v.Width >= 0 {
		out += strconv.Itoa(v.Width)
	}
	return out + length + string(v.Conv), nil
}

// seqFormat is the kernel's format of a printf in a pinned iterator:
// literal text with '%' doubled, each verb as seqVerb spells it.
func seqFormat(pieces []cfmt.Piece, args []types.Type) string {
	var b strings.Builder
	i := 0
	for _, p := range pieces {
		if p.Verb == nil {
			b.WriteString(strings.ReplaceAll(p.Lit, "%", "%%"))
			continue
		}
		s, _ := seqVerb(p.Verb, args[i]) // checked: checkSeqPrintf
		b.WriteString(s)
		i++
	}
	return b.String()
}

// seqPrintfEmit emits a pinned iterator's printf, and reports false,
// emitting nothing, in other probes. bpf_seq_printf takes the format and
// an array of 8-byte values: an integer, or the address of a string in
// the frame (NUL-terminated there: one byte past a string's size is
// zero).
func seqPrintfEmit(g Gen, c *ast.Call) bool {
	if !g.SeqFile(asm.R1) {
		return false
	}
	seq := g.Alloc(8)
	g.Emit(asm.StoreMem(asm.R10, seq, asm.R1, asm.DWord))
	args := c.Args[1:]
	ts := make([]types.Type, len(args))
	var data int16
	if len(args) > 0 {
		data = g.Alloc(8 * len(args))
	}
	for i, a := range args {
		t := g.TypeOf(a)
		ts[i] = t
		slot := data + int16(8*i)
		if g.InRegister(t) {
			r := g.TakeReg() // EvalInt may call helpers: R1-R5 are its scratch
			g.EvalInt(a, r)
			g.Emit(asm.StoreMem(asm.R10, slot, r, asm.DWord))
			g.FreeReg(r)
			continue
		}
		size := t.ByteSize()
		off := g.Alloc(size + 1)
		g.Zero(off, size+1)
		g.EvalMem(a, t, off)
		g.Addr(asm.R1, off)
		g.Emit(asm.StoreMem(asm.R10, slot, asm.R1, asm.DWord))
	}
	pieces, _ := cfmt.Parse(g.StrLit(c.Args[0])) // checked: CheckPrintf
	format := append([]byte(seqFormat(pieces, ts)), 0)
	foff := g.Alloc(len(format))
	for i := 0; i < len(format); i += 8 {
		var word [8]byte
		copy(word[:], format[i:])
		g.LoadConst(asm.R1, int64(binary.LittleEndian.Uint64(word[:])))
		g.Emit(asm.StoreMem(asm.R10, foff+int16(i), asm.R1, asm.DWord))
	}
	g.Emit(asm.LoadMem(asm.R1, asm.R10, seq, asm.DWord))
	g.Addr(asm.R2, foff)
	g.Emit(asm.Mov.Imm(asm.R3, int32(len(format))))
	if len(args) > 0 {
		g.Addr(asm.R4, data)
	} else {
		g.Emit(asm.Mov.Imm(asm.R4, 0))
	}
	g.Emit(asm.Mov.Imm(asm.R5, int32(8*len(args))), asm.FnSeqPrintf.Call())
	return true
}
