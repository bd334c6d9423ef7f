package stdlib_test

import (
	"strings"
	"testing"
)

// TestSocketCookieTypes: socket_cookie() of a struct sock pointer in a
// tracing program is a uint64; other uses are refused in the newest
// bpftrace's words.
func TestSocketCookieTypes(t *testing.T) {
	for _, c := range []struct{ probe, expr string }{
		{"tp_btf:inet_sock_set_state", "socket_cookie(args->sk)"},
		{"tp_btf:consume_skb", "socket_cookie(args->skb->sk)"},
		{"kfunc:vfs_read", "socket_cookie(((struct sk_buff *)args->buf)->sk)"},
		{"kretfunc:vfs_read", "socket_cookie(((struct sk_buff *)args->buf)->sk)"},
	} {
		if got, errs := probeTypeOf(t, c.probe, c.expr); got != "uint64" {
			t.Errorf("%s { %s }: got %q, want uint64 %s", c.probe, c.expr, got, errs)
		}
	}
	for _, c := range []struct{ probe, expr, want string }{
		{"kprobe:vfs_read", "socket_cookie(arg0)", `ERROR: socket_cookie can not be used with "kprobe" probes`},
		{"tracepoint:sched:sched_switch", "socket_cookie(0)", `ERROR: socket_cookie can not be used with "tracepoint" probes`},
		{"rawtracepoint:sched_switch", "socket_cookie(arg0)", "HINT: tp_btf:NAME is the raw tracepoint with BTF-typed arguments"},
		{"BEGIN", "socket_cookie(0)", `ERROR: socket_cookie can not be used with "begin" probes`},
		{"tp_btf:inet_sock_set_state", "socket_cookie(args->oldstate)", "ERROR: socket_cookie() only supports pointer arguments (int provided)"},
		{"tp_btf:consume_skb", "socket_cookie(args->skb)", "ERROR: socket_cookie() only supports 'struct sock *' as the argument ('struct sk_buff *' provided)"},
		{"tp_btf:inet_sock_set_state", "socket_cookie()", "ERROR: socket_cookie() requires one argument (0 provided)"},
	} {
		got, errs := probeTypeOf(t, c.probe, c.expr)
		if got != "" || !strings.Contains(errs, c.want) {
			t.Errorf("%s { %s }: got %q %s, want the error %q", c.probe, c.expr, got, errs, c.want)
		}
	}
}

// TestSkbOutputTypes: skboutput(path, skb, len, offset) in a tracing
// program is a uint32; other uses are refused in the newest bpftrace's
// words.
func TestSkbOutputTypes(t *testing.T) {
	for _, c := range []struct{ probe, expr string }{
		{"tp_btf:consume_skb", `skboutput("x.pcap", args->skb, args->skb->len, 14)`},
		{"kfunc:vfs_read", `skboutput("x.pcap", (struct sk_buff *)args->buf, 100, 0)`},
	} {
		if got, errs := probeTypeOf(t, c.probe, c.expr); got != "uint32" {
			t.Errorf("%s { %s }: got %q, want uint32 %s", c.probe, c.expr, got, errs)
		}
	}
	for _, c := range []struct{ probe, expr, want string }{
		{"kprobe:vfs_read", `skboutput("one.pcap", arg0, 1500, 0)`, `ERROR: skboutput can not be used with "kprobe" probes`},
		{"rawtracepoint:sched_switch", `skboutput("one.pcap", arg0, 1500, 0)`, `ERROR: skboutput can not be used with "rawtracepoint" probes`},
		{"tp_btf:consume_skb", `skboutput("one.pcap")`, "ERROR: skboutput() requires 4 arguments (1 provided)"},
		{"tp_btf:consume_skb", `skboutput(comm, args->skb, 1, 0)`, "ERROR: skboutput() expects a string literal (string provided)"},
		{"tp_btf:consume_skb", `skboutput("one.pcap", args->skb->len, 1, 0)`, "ERROR: skboutput() only supports pointer arguments (int provided)"},
		{"tp_btf:consume_skb", `skboutput("one.pcap", args->skb, "a", 0)`, "ERROR: skboutput() only supports int arguments (string provided)"},
		{"tp_btf:consume_skb", `skboutput("one.pcap", args->skb, 1, args->skb->len)`, "ERROR: skboutput() expects a non-negative integer literal as its offset"},
	} {
		got, errs := probeTypeOf(t, c.probe, c.expr)
		if got != "" || !strings.Contains(errs, c.want) {
			t.Errorf("%s { %s }: got %q %s, want the error %q", c.probe, c.expr, got, errs, c.want)
		}
	}
}
