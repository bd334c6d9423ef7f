package codegen_test

import (
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/gbt-dev/gbt/codegen"
)

func TestFuncName(t *testing.T) {
	long := "uprobe:/" + strings.Repeat("x", 200) + ":f"
	for _, tt := range []struct {
		name  string
		index int
		want  string
	}{
		{"interval:us:100000", 1, "interval_us_100000_1"},
		{"begin", 1, "begin_1"},
		{"tracepoint:syscalls:sys_enter_openat", 4, "tracepoint_syscalls_sys_enter_openat_4"},
		{"uprobe:/bin/bash:readline", 5, "uprobe__bin_bash_readline_5"},
		{"fentry:bpf:12:interval_us_100000_1", 2, "fentry_bpf_12_interval_us_100000_1_2"},
	} {
		if got := codegen.FuncName(tt.name, tt.index); got != tt.want {
			t.Errorf("FuncName(%q, %d) = %q, want %q", tt.name, tt.index, got, tt.want)
		}
	}
	// Past the kernel's 127 characters: a prefix and a hash, as
	// bpftrace does, different for different names.
	a, b := codegen.FuncName(long, 1), codegen.FuncName(long+"g", 1)
	if len(a) != 127 || a == b || !strings.HasPrefix(a, "uprobe__xxx") || !strings.HasSuffix(a, "_1") {
		t.Errorf("long names: %q, %q", a, b)
	}
}

// Every program carries BTF function info naming it, the first
// instruction's: bpftool, bpftrace and gbt's fentry:bpf probes find it by
// that name. A program with callbacks has theirs too.
func TestProgramFuncInfo(t *testing.T) {
	obj := compile(t, `BEGIN { @a[1] = 1; } interval:s:1 { for ($kv : @a) { print($kv.0); } } tracepoint:syscalls:sys_enter_openat { @n = count(); }`)
	want := []string{"BEGIN_1", "interval_s_1_2", "tracepoint_syscalls_sys_enter_openat_3"}
	if len(obj.Programs) != len(want) {
		t.Fatalf("%d programs, want %d", len(obj.Programs), len(want))
	}
	for i, p := range obj.Programs {
		fn := btf.FuncMetadata(&p.Insns[0])
		if fn == nil || fn.Name != want[i] || p.FuncName != want[i] || fn.Linkage != btf.GlobalFunc {
			t.Errorf("program %s: func info %+v, FuncName %q; want %q", p.Name, fn, p.FuncName, want[i])
		}
		funcs := 0
		for j := range p.Insns {
			if btf.FuncMetadata(&p.Insns[j]) != nil {
				funcs++
			}
		}
		wantFuncs := 1
		if i == 1 {
			wantFuncs = 2 // the for loop's callback
		}
		if funcs != wantFuncs {
			t.Errorf("program %s: %d functions with BTF info, want %d", p.Name, funcs, wantFuncs)
		}
	}
}
