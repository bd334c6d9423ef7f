package codegen_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"
	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/runtime"
)

// TestDiagnosticEvents checks which runtime diagnostics a script sends, by
// -k level: each as "codec helper legacy line:col-col".
func TestDiagnosticEvents(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		level int
		want  []string
	}{
		{"lookup without -k", `i:ms:100 { @[1] = 1; printf("%d\n", @[2]); }`, codegen.HelperErrorsOff, nil},
		{"lookup -k", `i:ms:100 { @[1] = 1; printf("%d\n", @[2]); }`, codegen.HelperErrorsOn,
			[]string{"helper error map_lookup_elem false 1:37-41"}},
		{"lookup -kk", `i:ms:100 { @[1] = 1; printf("%d\n", @[2]); }`, codegen.HelperErrorsLegacy,
			[]string{"helper error map_lookup_elem true 1:37-41"}},
		{"increment reports no lookup", `i:ms:100 { @[1]++; @x += 2; }`, codegen.HelperErrorsOn, nil},
		{"delete -k is 0.17's", `i:ms:100 { @[1] = 1; delete(@[2]); }`, codegen.HelperErrorsOn,
			[]string{"helper error map_delete_elem true 1:22-34"}},
		{"probe read -k", `struct foo {int a;}; BEGIN { $tmp = ((struct foo*) 0)->a; }`, codegen.HelperErrorsOn,
			[]string{"helper error probe_read false 1:38-57"}},
		{"probe read -kk starts at the operand's '(', as 0.17's", `struct foo {int a;}; BEGIN { $tmp = ((struct foo*) 0)->a; }`, codegen.HelperErrorsLegacy,
			[]string{"helper error probe_read true 1:37-57"}},
		{"probe read without -k", `struct foo {int a;}; BEGIN { $tmp = ((struct foo*) 0)->a; }`, codegen.HelperErrorsOff, nil},
		{"division by a variable", `BEGIN { $z = 0; @q = 10 / $z; @r = 10 % $z; @s = 10 / 2; }`, codegen.HelperErrorsOff,
			[]string{"runtime error  false 1:22-29", "runtime error  false 1:36-43"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj, _, err := runtime.Compile("stdin", tt.src, runtime.CompileOptions{Env: probetest.New(), NumCPUs: 2, HelperErrors: tt.level})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ev := range obj.Events {
				if ev.Codec.Name != "helper error" && ev.Codec.Name != "runtime error" {
					continue
				}
				helper := ev.Format
				if ev.Codec.Name == "runtime error" {
					helper = ""
				}
				got = append(got, fmt.Sprintf("%s %s %v %d:%d-%d", ev.Codec.Name, helper, ev.Legacy, ev.Span.Start.Line, ev.Span.Start.Col, ev.Span.End.Col))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestIntegerAddressReads checks which helper reads through an integer
// cast to a pointer, by probe kind, as bpftrace picks it: the probed
// process's memory in uprobes, the kernel's in kprobes and tracepoints,
// and bpf_probe_read, which picks by the address, in kinds that run in no
// particular task's context; kptr() and uptr() say it themselves.
func TestIntegerAddressReads(t *testing.T) {
	tests := []struct {
		src  string
		want asm.BuiltinFunc
	}{
		{`BEGIN { @ = *(int32 *)0x1000; }`, asm.FnProbeRead},
		{`END { @ = *(int32 *)0x1000; }`, asm.FnProbeRead},
		{`i:ms:100 { @ = *(int32 *)0x1000; }`, asm.FnProbeRead},
		{`profile:hz:99 { @ = ((struct task_struct *)0x1000)->pid; }`, asm.FnProbeRead},
		{`BEGIN { @ = str((int8 *)0x1000); }`, asm.FnProbeReadStr},
		{`tracepoint:syscalls:sys_enter_execve { @ = *(int32 *)0x1000; }`, asm.FnProbeReadKernel},
		{`kprobe:vfs_read { @ = *(int32 *)0x1000; }`, asm.FnProbeReadKernel},
		{`uprobe:/bin/sh:main { @ = *(int32 *)0x1000; }`, asm.FnProbeReadUser},
		{`BEGIN { @ = *kptr((int32 *)0x1000); }`, asm.FnProbeReadKernel},
		{`BEGIN { @ = *uptr((int32 *)0x1000); }`, asm.FnProbeReadUser},
		{`BEGIN { @ = curtask->pid; }`, asm.FnProbeReadKernel},
	}
	reads := map[asm.BuiltinFunc]bool{asm.FnProbeRead: true, asm.FnProbeReadStr: true,
		asm.FnProbeReadKernel: true, asm.FnProbeReadKernelStr: true, asm.FnProbeReadUser: true, asm.FnProbeReadUserStr: true}
	for _, tt := range tests {
		obj, _, err := runtime.Compile("stdin", tt.src, runtime.CompileOptions{Env: probetest.New(), NumCPUs: 2})
		if err != nil {
			t.Fatalf("%s: %v", tt.src, err)
		}
		var got []asm.BuiltinFunc
		for _, p := range obj.Programs {
			for _, ins := range p.Insns {
				if fn := asm.BuiltinFunc(ins.Constant); ins.IsBuiltinCall() && reads[fn] {
					got = append(got, fn)
				}
			}
		}
		if len(got) == 0 || got[0] != tt.want {
			t.Errorf("%s: reads with %v, want %v first", tt.src, got, tt.want)
		}
	}
}
