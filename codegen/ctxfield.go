package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// ctxField resolves a field read straight off the context of a kind
// whose ctx points to a kernel struct (probe.Kind.Ctx: an iterator's
// struct bpf_iter__task), an integer or a pointer: ctx->task, ctx->fd.
func (g *gen) ctxField(e *ast.Field) (types.Field, bool) {
	k := g.pi.Kind
	if k.Ctx == nil || len(g.pi.Points) == 0 {
		return types.Field{}, false
	}
	if _, ok := e.X.(*ast.Ident); !ok {
		return types.Field{}, false
	}
	t := g.TypeOf(e.X)
	if t.Kind != types.Pointer || t.Elem == nil || t.Elem.Kind != types.Record || t.Elem.Name != k.Ctx(g.pi.Points[0]) {
		return types.Field{}, false
	}
	f, ok := g.kernelField(e)
	if !ok || f.BitWidth != 0 || (f.Type.Kind != types.Int && f.Type.Kind != types.Pointer) {
		return types.Field{}, false
	}
	return f, true
}

// ctxFieldLoad loads field f of the context into dst, as the verifier
// wants it read: a load from the context, which gives a pointer field
// its BTF type (the object the iterator is at), so that a field of the
// object reached through it keeps that type (path(ctx->file->f_path)).
// Such a pointer may be NULL, and nothing may be done with it before it
// is tested: the block returns when it is, as bpftrace's does.
func (g *gen) ctxFieldLoad(f types.Field, dst asm.Register) {
	if f.Type.Kind == types.Pointer {
		g.Emit(asm.LoadMem(dst, ctxReg, int16(f.Offset), asm.DWord), asm.JEq.Imm(dst, 0, g.exitL))
		return
	}
	g.Emit(asm.LoadMem(dst, ctxReg, int16(f.Offset), sizeOf(f.Type)))
	if f.Type.Signed && f.Type.Bits < 64 {
		g.extend(dst, f.Type)
	}
}

// argsValue writes args as a value, the record rec of a kind that passes
// arguments in registers or, for tracing programs (kfunc, kretfunc,
// tp_btf), in context slots, at R10+off: each argument at its slot, as
// wide as its type, the rest of the slot zero (equal args hash equal as
// keys); a struct passed by value, its slots whole.
func (g *gen) argsValue(rec types.Type, off int16) {
	g.zero(off, rec.ByteSize())
	if g.dispatching(false) {
		g.syscallArgsValue(rec, off)
		return
	}
	if g.prog.Kind == probe.ProgTracing {
		g.tracingArgsValue(rec, off)
		return
	}
	r := g.reg()
	defer g.release(r)
	for _, f := range rec.Fields {
		g.regArg(f, r)
		g.Emit(asm.StoreMem(asm.R10, off+int16(f.Offset), r, sizeOf(f.Type)))
	}
}

// tracingArgsValue copies a tracing program's context slots into the
// record at R10+off with bpf_probe_read_kernel, so that the copy holds
// plain numbers (loaded from the context, a pointer argument stays a
// typed pointer, whose bytes the verifier will not let a program read
// one at a time: buf(args, 4)), then clears what lies above each
// argument narrower than its slot.
func (g *gen) tracingArgsValue(rec types.Type, off int16) {
	g.addr(asm.R1, off)
	g.Emit(asm.Mov.Imm(asm.R2, int32(rec.ByteSize())), asm.Mov.Reg(asm.R3, ctxReg), asm.FnProbeReadKernel.Call())
	for _, f := range rec.Fields {
		if n := f.Type.ByteSize(); isScalar(f.Type) && n < 8 {
			at := off + int16(f.Offset)
			g.Emit(asm.LoadMem(asm.R1, asm.R10, at, sizeOf(f.Type)), asm.StoreMem(asm.R10, at, asm.R1, asm.DWord))
		}
	}
}
