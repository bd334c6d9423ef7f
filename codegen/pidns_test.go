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
	"github.com/gbt-dev/gbt/stdlib"
)

// TestPidNamespace: run in a pid namespace other than the initial one,
// pid and tid (and their curr_ns forms) ask bpf_get_ns_current_pid_tgid
// with that namespace's device and inode; pid(init) and tid(init) keep
// bpf_get_current_pid_tgid. The programs pass the kernel's verifier.
func TestPidNamespace(t *testing.T) {
	src := `BEGIN { printf("%d %d %d %d %d %d\n", pid, pid(curr_ns), pid(init), tid, tid(curr_ns), tid(init)); }`
	prog, diags := parse.Parse("stdin", src)
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	table := stdlib.New()
	info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: table})
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	obj, diags := codegen.Compile(info, table, codegen.Options{PidNSDev: 4, PidNSIno: 4026532299})
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	got := disasm(obj)
	if n := strings.Count(got, "FnGetNsCurrentPidTgid"); n != 4 {
		t.Errorf("want 4 calls of bpf_get_ns_current_pid_tgid (pid, tid, both curr_ns forms), have %d", n)
	}
	golden.Check(t, "testdata/pid_namespace.golden", got, *update)
	testenv.RequireRoot(t)
	if err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: io.Discard, Stderr: io.Discard, DryRun: true}); err != nil {
		t.Error(err)
	}
}
