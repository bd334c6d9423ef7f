package runtime

import (
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/internal/testenv"
	"github.com/gbt-dev/gbt/lang/probe"
)

func TestHelperName(t *testing.T) {
	for fn, want := range map[asm.BuiltinFunc]string{
		asm.FnDPath:               "bpf_d_path",
		asm.FnGetCurrentPidTgid:   "bpf_get_current_pid_tgid",
		asm.FnSkcToTcp6Sock:       "bpf_skc_to_tcp6_sock",
		asm.FnGetNsCurrentPidTgid: "bpf_get_ns_current_pid_tgid",
	} {
		if got := helperName(fn); got != want {
			t.Errorf("%v: got %q, want %q", fn, got, want)
		}
	}
}

// TestCalledHelper: the helper of the call the verifier's verdict follows.
func TestCalledHelper(t *testing.T) {
	log := []string{
		"36: (b7) r3 = 64                      ; R3_w=64",
		"37: (85) call bpf_d_path#147",
		"helper call is not allowed in probe",
		"processed 38 insns (limit 1000000)",
	}
	if got := calledHelper(log); got != "bpf_d_path" {
		t.Errorf("got %q, want bpf_d_path", got)
	}
	if got := calledHelper(log[:1]); got != "" {
		t.Errorf("no call: got %q", got)
	}
}

// TestKernelMissingHelper probes this kernel: kprobe programs have
// bpf_ktime_get_ns but not bpf_d_path (tracing programs only).
func TestKernelMissingHelper(t *testing.T) {
	testenv.RequireRoot(t)
	p := &codegen.Program{Type: ebpf.Kprobe, Insns: asm.Instructions{
		asm.FnKtimeGetNs.Call(), asm.FnDPath.Call(), asm.Mov.Imm(asm.R0, 0), asm.Return(),
	}}
	if got := missingHelper(p); got != "bpf_d_path" {
		t.Errorf("got %q, want bpf_d_path", got)
	}
	p.Insns = p.Insns[2:]
	if got := missingHelper(p); got != "" {
		t.Errorf("no helper calls: got %q", got)
	}
}

// TestKprobeMultiShape: only a kprobe block of several functions, none at
// an offset, is loaded for a kprobe_multi link (and then only where the
// kernel has them, which this test does not reach).
func TestKprobeMultiShape(t *testing.T) {
	kp := probe.Lookup("kprobe")
	tp := probe.Lookup("tracepoint")
	pt := func(k *probe.Kind, fn string, off uint64) probe.Point {
		return probe.Point{Kind: k, Func: fn, Offset: off}
	}
	for name, p := range map[string]*codegen.Program{
		"one function": {Type: ebpf.Kprobe, Points: []probe.Point{pt(kp, "vfs_read", 0)}},
		"an offset":    {Type: ebpf.Kprobe, Points: []probe.Point{pt(kp, "vfs_read", 0), pt(kp, "vfs_write", 4)}},
		"tracepoints":  {Type: ebpf.TracePoint, Points: []probe.Point{pt(tp, "", 0), pt(tp, "", 0)}},
	} {
		if kprobeMulti(p) {
			t.Errorf("%s: loaded for kprobe_multi", name)
		}
	}
}
