package codegen_test

import (
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/stdlib"
)

// TestCommInPlace: comm compared with a literal is read in the task
// (bpf_get_current_task_btf and word loads at comm's offset) where
// Options.TaskField gives the offset, and copied with
// bpf_get_current_comm where it does not (no BTF, a program type without
// the helper, an offset the loads cannot take); comm used otherwise is
// always copied. The kernel's verdict is TestE2ECommInPlace's.
func TestCommInPlace(t *testing.T) {
	src := `tracepoint:syscalls:sys_enter_openat /comm == "gbtwork"/ { @[comm] = count(); }`
	at := func(off int, ok bool) func(ebpf.ProgramType, string) (int, bool) {
		return func(pt ebpf.ProgramType, field string) (int, bool) {
			if pt != ebpf.TracePoint || field != "comm" {
				t.Errorf("TaskField(%v, %q)", pt, field)
			}
			return off, ok
		}
	}
	for _, tt := range []struct {
		name            string
		field           func(ebpf.ProgramType, string) (int, bool)
		taskBTF, copies int
		load            string
	}{
		{"offset", at(1752, true), 1, 1, "LdXMemDW dst: r1 src: r7 off: 1752"},
		{"no BTF or helper", at(0, false), 0, 2, ""},
		{"unaligned", at(1753, true), 0, 2, ""},
		{"nil", nil, 0, 2, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			prog, diags := parse.Parse("stdin", src)
			if diags.HasErrors() {
				t.Fatal(diags.Err())
			}
			table := stdlib.New()
			info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: table})
			if diags.HasErrors() {
				t.Fatal(diags.Err())
			}
			obj, diags := codegen.Compile(info, table, codegen.Options{TaskField: tt.field})
			if diags.HasErrors() {
				t.Fatal(diags.Err())
			}
			got := disasm(obj)
			if n := strings.Count(got, "Call FnGetCurrentTaskBtf"); n != tt.taskBTF {
				t.Errorf("%d calls of bpf_get_current_task_btf, want %d:\n%s", n, tt.taskBTF, got)
			}
			if n := strings.Count(got, "Call FnGetCurrentComm"); n != tt.copies {
				t.Errorf("%d calls of bpf_get_current_comm, want %d:\n%s", n, tt.copies, got)
			}
			if tt.load != "" && !strings.Contains(got, tt.load) {
				t.Errorf("no %q:\n%s", tt.load, got)
			}
		})
	}
}
