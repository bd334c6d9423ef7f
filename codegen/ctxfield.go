package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
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
