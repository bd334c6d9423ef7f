package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// path(p [, size]) is the full path of a struct path, written by the
// kernel's bpf_d_path helper, as the newest bpftrace has it. The helper
// takes a BTF-typed pointer, so p is a kfunc's argument (args.path) or a
// struct path field reached through one (args.file->f_path, whose address
// is the pointer plus the field's offset); the kernel allows the helper
// only in tracing programs of the functions of its btf_allowlist_d_path
// (vfs_getattr, filp_close, security_file_open, ...) and refuses the
// program elsewhere, which runtime reports at the call.

// pathType is path's type rule: a string of size bytes, by default
// BPFTRACE_MAX_STRLEN's.
func pathType(u *check.Use) types.Type {
	if !arity(u, 1, 2) {
		return types.Type{}
	}
	if k := probeKind(u); k == nil || k.Prog != probe.ProgIter && (k.Prog != probe.ProgTracing || (k.Tracing != probe.TracingEntry && k.Tracing != probe.TracingExit)) {
		u.Errorf("The path function can only be used with 'fentry', 'fexit', 'iter' probes")
		return types.Type{}
	}
	if t := u.ArgTypes[0]; t.Kind != types.Pointer && t.Kind != types.Record {
		u.Errorf("path() only supports pointer or C type argument (%s provided)", t.KindWord())
		return types.Type{}
	}
	n := u.Strlen
	if len(u.Args) == 2 {
		v, ok := u.Const(1)
		if _, lit := u.Args[1].(*ast.IntLit); !ok || !lit || v < 0 {
			u.Errorf("path: invalid size value, need non-negative literal")
			return types.Type{}
		}
		n = int(v)
	}
	return types.StringOf(n)
}

// pathEmit has bpf_d_path write the path into the string (zeroed by the
// caller), at most path's own size: a path too long for it keeps its tail
// (the kernel's ENAMETOOLONG), and a failed call is reported with -k as
// bpftrace does.
func pathEmit(g Gen, c *ast.Call, off int16, size int) {
	size = min(size, g.TypeOf(c).ByteSize())
	p := g.TakeReg()
	defer g.FreeReg(p)
	arg := c.Args[0]
	if g.TypeOf(arg).Kind == types.Pointer {
		g.EvalInt(arg, p)
	} else if _, ok := g.AddrOf(arg, p); !ok {
		// A struct value the probe computed ($p = *args.path) has no
		// kernel address: the helper gets the frame copy's, which the
		// verifier refuses (it wants a struct path pointer), at this call.
		t := g.TypeOf(arg)
		tmp := g.Alloc(t.ByteSize())
		g.Zero(tmp, t.ByteSize())
		g.EvalMem(arg, t, tmp)
		g.Addr(p, tmp)
	}
	g.Emit(asm.Mov.Reg(asm.R1, p))
	g.Addr(asm.R2, off)
	g.Emit(asm.Mov.Imm(asm.R3, int32(size)), asm.FnDPath.Call())
	g.HelperFailed("d_path", c)
}
