package codegen_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/internal/golden"
	"github.com/gbt-dev/gbt/internal/testenv"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/cgroup"
	"github.com/gbt-dev/gbt/stdlib"
)

// TestCgroupFilter: with a cgroup (--cgroup, --container) the programs of
// the kinds that fire in a task begin by asking
// bpf_current_task_under_cgroup of the cgroup map's element 0, before the
// predicate; begin, end and interval do not. The programs pass the
// kernel's verifier.
func TestCgroupFilter(t *testing.T) {
	src := `BEGIN { @b = 1; } END { @e = 1; } interval:s:1 { @i = 1; }
tracepoint:syscalls:sys_enter_openat /pid > 1/ { @t = 1; } profile:hz:99 { @p = 1; } uprobe:/bin/sh:main { @u = 1; }`
	prog, diags := parse.Parse("stdin", src)
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	table := stdlib.New()
	info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: table})
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	dir := "/sys/fs/cgroup"
	if root, err := cgroup.Root(cgroup.DefaultMounts); err == nil {
		dir = root
	}
	obj, diags := codegen.Compile(info, table, codegen.Options{Cgroup: dir})
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	if obj.Cgroup != dir {
		t.Errorf("Object.Cgroup = %q, want %q", obj.Cgroup, dir)
	}
	want := map[string]bool{"BEGIN": false, "END": false, "interval:s:1": false,
		"tracepoint:syscalls:sys_enter_openat": true, "profile:hz:99": true, "uprobe:/bin/sh:main": true}
	for _, p := range obj.Programs {
		text := p.Insns.String()
		calls := strings.Count(text, "FnCurrentTaskUnderCgroup")
		if w, ok := want[p.Name]; !ok || (calls == 1) != w || calls > 1 {
			t.Errorf("%s: %d calls of bpf_current_task_under_cgroup, want filtered=%v", p.Name, calls, w)
		}
		if calls == 1 && strings.Index(text, "FnCurrentTaskUnderCgroup") > strings.Index(text, "FnGetCurrentPidTgid") && strings.Contains(text, "FnGetCurrentPidTgid") {
			t.Errorf("%s: the cgroup filter comes after the predicate", p.Name)
		}
	}
	golden.Check(t, "testdata/cgroup_filter.golden", disasm(obj), *update)
	testenv.RequireRoot(t)
	if err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: io.Discard, Stderr: io.Discard, DryRun: true}); err != nil {
		t.Error(err)
	}
}
