package stdlib

import (
	"encoding/binary"
	"fmt"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// socketEntries are the builtins of the kernel's helpers for sockets and
// packets that only tracing programs (kfunc, kretfunc, tp_btf) may call,
// on the BTF-typed pointers their arguments are: socket_cookie, skboutput.
func socketEntries() []*Entry {
	return []*Entry{
		{Name: "socket_cookie", Kind: check.Func, Doc: "socket_cookie(sk): the kernel's cookie of a struct sock * (made on first use, stable for the socket's life; 0 for NULL), in kfunc/kretfunc/tp_btf probes",
			Type: socketCookieType, Emit: IntEmitter(socketCookieEmit)},
		{Name: "skboutput", Kind: check.Func, Doc: "skboutput(path, skb, len, offset): write len bytes of a struct sk_buff's data, less the first offset, to the pcap file (raw IP) at path; 0 or a negative error, as a uint32 (kfunc/kretfunc/tp_btf probes)",
			Type: skbOutputType, Emit: IntEmitter(skbOutputEmit), Events: []*Codec{skbOutputEv}},
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
		u.ErrorHint("tp_btf:NAME is the raw tracepoint with BTF-typed arguments, where the kernel allows the helper", "%s can not be used with \"%s\" probes", u.Name(), kindName(u, k))
		return false
	}
	u.Errorf("%s can not be used with \"%s\" probes", u.Name(), kindName(u, k))
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

// skbOutputType is skboutput's rule, in the newest bpftrace's words: a
// path literal, a pointer (the verifier wants a struct sk_buff as the
// program got it), an integer length and an integer literal offset; a
// uint32.
func skbOutputType(u *check.Use) types.Type {
	if !tracingOnly(u) || !arity(u, 4, 4) {
		return types.Type{}
	}
	if _, ok := literalArg(u, 0); !ok {
		return types.Type{}
	}
	if t := u.ArgTypes[1]; t.Kind != types.Pointer {
		u.Errorf("skboutput() only supports pointer arguments (%s provided)", argWord(t))
		return types.Type{}
	}
	if t := u.ArgTypes[2]; !t.IsInt() {
		u.Errorf("skboutput() only supports int arguments (%s provided)", argWord(t))
		return types.Type{}
	}
	if v, ok := u.Const(3); !ok || v < 0 {
		u.ErrorAt(u.Args[3], "skboutput() expects a non-negative integer literal as its offset")
		return types.Type{}
	}
	return types.U32
}

// skbOutputHeader is the size of the record's header that
// bpf_skb_output puts before the packet's bytes: the event id, the time
// (CLOCK_BOOTTIME ns) and the length asked for (the perf ring pads the
// record to 8 bytes, so the length is what says where the packet ends).
const skbOutputHeader = 24

// skbOutputEmit sends the record and yields the helper's return, in 32
// bits.
func skbOutputEmit(g Gen, c *ast.Call, dst asm.Register) {
	sends(skbOutputEv)(g, c)
	g.Emit(asm.Mov.Reg32(dst, asm.R0))
}

// skbOutputEncode sends a header and len bytes of the skb's data through
// the perf event array with bpf_skb_output (flags: the length in the
// upper 32 bits, BPF_F_CURRENT_CPU in the lower), as bpftrace does,
// leaving the helper's return in R0.
func skbOutputEncode(g Gen, c *ast.Call, ev *Event) {
	ev.Format = g.StrLit(c.Args[0])
	off, _ := g.Const(c.Args[3])
	ev.Skip = int(off)
	ev.Size = skbOutputHeader
	skb, n := g.TakeReg(), g.TakeReg()
	defer g.FreeReg(skb)
	defer g.FreeReg(n)
	g.EvalInt(c.Args[1], skb)
	g.EvalInt(c.Args[2], n)
	rec := g.Alloc(skbOutputHeader)
	sendID(g, ev, rec)
	g.Emit(asm.FnKtimeGetBootNs.Call(), asm.StoreMem(asm.R10, rec+8, asm.R0, asm.DWord))
	g.Emit(asm.StoreMem(asm.R10, rec+16, n, asm.DWord))
	g.Emit(asm.Mov.Reg(asm.R1, skb), g.PerfEvents(asm.R2))
	g.Emit(asm.Mov.Reg(asm.R3, n), asm.LSh.Imm(asm.R3, 32), asm.Mov.Imm32(asm.R0, -1), asm.Or.Reg(asm.R3, asm.R0))
	g.Addr(asm.R4, rec)
	g.Emit(asm.Mov.Imm(asm.R5, skbOutputHeader), asm.FnSkbOutput.Call())
}

// skbOutputEv writes each record's packet, less its first Skip bytes, to
// the call's pcap file; a packet no longer than Skip is left out, as
// bpftrace leaves it.
var skbOutputEv = &Codec{Name: "skboutput", Encode: skbOutputEncode,
	Decode: func(ev *Event, h Host) (Handler, error) {
		f, err := h.Packets(ev.Format)
		if err != nil {
			return nil, err
		}
		return func(rec []byte) error {
			if len(rec) < skbOutputHeader {
				return fmt.Errorf("skboutput record of %d bytes", len(rec))
			}
			n := binary.NativeEndian.Uint64(rec[16:])
			pkt := rec[skbOutputHeader:]
			if n < uint64(len(pkt)) {
				pkt = pkt[:n]
			}
			if ev.Skip >= len(pkt) {
				return nil
			}
			return f.WritePacket(binary.NativeEndian.Uint64(rec[8:]), pkt[ev.Skip:])
		}, nil
	}}
