package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// socketEntries are the builtins of the kernel's helpers for sockets and
// packets that only tracing programs (kfunc, kretfunc, tp_btf) may call,
// on the BTF-typed pointers their arguments are: socket_cookie.
func socketEntries() []*Entry {
	return []*Entry{
		{Name: "socket_cookie", Kind: check.Func, Doc: "socket_cookie(sk): the kernel's cookie of a struct sock * (made on first use, stable for the socket's life; 0 for NULL), in kfunc/kretfunc/tp_btf probes",
			Type: socketCookieType, Emit: IntEmitter(socketCookieEmit)},
	}
}

// tracingOnly checks that a builtin calling a helper the kernel gives only
// to tracing programs is used in a probe that compiles to one, in the
// newest bpftrace's words (bpftrace runs its rawtracepoints as tp_btf
// programs; gbt's rawtracepoint is a raw tracepoint program, and tp_btf is
// the kind that has the helper).
func tracingOnly(u *check.Use) bool {
	k := probeKind(u)
	if k != nil && k.Prog == probe.ProgTracing {
		return true
	}
	if k != nil && k.Prog == probe.ProgRawTP {
		u.ErrorHint("tp_btf:NAME is the raw tracepoint with BTF-typed arguments, where the kernel allows the helper", "%s can not be used with \"%s\" probes", u.Name(), kindName(k))
		return false
	}
	u.Errorf("%s can not be used with \"%s\" probes", u.Name(), kindName(k))
	return false
}

// argWord is how bpftrace names the type of a value an argument of a
// builtin cannot take: "int" for integers.
func argWord(t types.Type) string {
	if t.IsInt() {
		return "int"
	}
	return t.KindWord()
}

// socketCookieType is socket_cookie's rule: a struct sock pointer, in a
// tracing program; a uint64.
func socketCookieType(u *check.Use) types.Type {
	if !tracingOnly(u) || !arity(u, 1, 1) {
		return types.Type{}
	}
	t := u.ArgTypes[0]
	if t.Kind != types.Pointer || t.Elem == nil {
		u.Errorf("socket_cookie() only supports pointer arguments (%s provided)", argWord(t))
		return types.Type{}
	}
	if t.Elem.Kind != types.Record || t.Elem.Name != "struct sock" {
		u.Errorf("socket_cookie() only supports 'struct sock *' as the argument ('%s' provided)", t)
		return types.Type{}
	}
	return types.U64
}

// socketCookieEmit calls bpf_get_socket_cookie on the pointer as the
// program holds it: the verifier wants a BTF-typed struct sock (or
// sock_common) pointer, which a tracing program's argument, or a pointer
// field read through one, is; a pointer the script computed is refused,
// at this call.
func socketCookieEmit(g Gen, c *ast.Call, dst asm.Register) {
	g.EvalInt(c.Args[0], dst)
	g.Emit(asm.Mov.Reg(asm.R1, dst), asm.FnGetSocketCookie.Call(), asm.Mov.Reg(dst, asm.R0))
}
