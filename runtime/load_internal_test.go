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

// TestMultiLinkShape: only a block of several functions of one mechanism
// whose multi link can take them all is loaded for kprobe_multi or
// uprobe_multi links, and none when --no-feature turns them off (where the
// kernel has them: multiLinkerFor probes).
func TestMultiLinkShape(t *testing.T) {
	kp, up, urp := probe.Lookup("kprobe"), probe.Lookup("uprobe"), probe.Lookup("uretprobe")
	tp := probe.Lookup("tracepoint")
	pt := func(k *probe.Kind, fn string, off uint64) probe.Point {
		return probe.Point{Kind: k, Func: fn, Offset: off, Path: "/bin/sh"}
	}
	size0 := pt(up, "f", 0)
	size0.NoBoundary = true
	tests := []struct {
		name string
		p    *codegen.Program
		ml   *multiLinker // the linker whose shape it has, or nil
	}{
		{"one kprobe", &codegen.Program{Type: ebpf.Kprobe, Points: []probe.Point{pt(kp, "vfs_read", 0)}}, nil},
		{"kprobe at an offset", &codegen.Program{Type: ebpf.Kprobe, Points: []probe.Point{pt(kp, "vfs_read", 0), pt(kp, "vfs_write", 4)}}, nil},
		{"kprobes", &codegen.Program{Type: ebpf.Kprobe, Points: []probe.Point{pt(kp, "vfs_read", 0), pt(kp, "vfs_write", 0)}}, kprobeMultiLinker},
		{"tracepoints", &codegen.Program{Type: ebpf.TracePoint, Points: []probe.Point{pt(tp, "", 0), pt(tp, "", 0)}}, nil},
		{"uprobes", &codegen.Program{Type: ebpf.Kprobe, Points: []probe.Point{pt(up, "a", 0), pt(up, "b", 0)}}, uprobeMultiLinker},
		{"uprobes and uretprobes at offsets", &codegen.Program{Type: ebpf.Kprobe, Points: []probe.Point{pt(up, "a", 4), pt(urp, "b", 0)}}, uprobeMultiLinker},
		{"uprobe and kprobe", &codegen.Program{Type: ebpf.Kprobe, Points: []probe.Point{pt(up, "a", 0), pt(kp, "b", 0)}}, nil},
		{"uprobe at an address", &codegen.Program{Type: ebpf.Kprobe, Points: []probe.Point{pt(up, "a", 0), pt(up, "0x1130", 0)}}, nil},
		{"uprobe at a symbol of size 0", &codegen.Program{Type: ebpf.Kprobe, Points: []probe.Point{pt(up, "a", 0), size0}}, nil},
	}
	for _, tt := range tests {
		if got := multiLinkShape(tt.p.Points, nil); got != tt.ml {
			t.Errorf("%s: loaded for the multi links of %v, want %v", tt.name, got, tt.ml)
		}
		if got := multiLinkShape(tt.p.Points, NoFeatureNames); got != nil {
			t.Errorf("%s: loaded for %s links with --no-feature", tt.name, got.feature)
		}
	}
}
