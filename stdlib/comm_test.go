package stdlib_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/stdlib"
)

// TestCommTypes: comm is a variable, comm() the same, and comm(pid) the
// name of the process with that pid, where the kernel lets the probe's
// kind call bpf_task_from_pid (the canned kernel: tracepoint, iter,
// kfunc, profile; not BEGIN or rawtracepoint); elsewhere it is refused in
// the newest bpftrace's words, with the kind as its probetype says it.
func TestCommTypes(t *testing.T) {
	for _, c := range []struct{ probe, expr, want string }{
		{"BEGIN", "comm", "string[16]"},
		{"BEGIN", "comm()", "string[16]"},
		{"tracepoint:syscalls:sys_enter_openat", "comm(pid)", "string[16]"},
		{"tracepoint:syscalls:sys_enter_openat", "comm(1)", "string[16]"},
		{"iter:task", "comm(ctx->task->tgid)", "string[16]"},
		{"kfunc:vfs_read", "comm(pid)", "string[16]"},
		{"profile:hz:99", "comm((uint64)tid)", "string[16]"},
	} {
		if got, errs := probeTypeOf(t, c.probe, c.expr); got != c.want {
			t.Errorf("%s { %s }: got %q, want %q %s", c.probe, c.expr, got, c.want, errs)
		}
	}
	for _, c := range []struct{ probe, expr, want string }{
		{"BEGIN", "comm(pid)", "stdin:1:14-23: ERROR: Syntax comm(PID) is not supported in this probe type yet. Type: special"},
		{"END", "comm(1)", "ERROR: Syntax comm(PID) is not supported in this probe type yet. Type: special"},
		{"rawtracepoint:sched_switch", "comm(pid)", "ERROR: Syntax comm(PID) is not supported in this probe type yet. Type: rawtracepoint"},
		{"tracepoint:syscalls:sys_enter_openat", `comm("x")`, "ERROR: Only integer supported for comm()'s pid"},
		{"tracepoint:syscalls:sys_enter_openat", "comm(pid, 1)", "ERROR: comm() takes up to one argument (2 provided)"},
	} {
		if _, errs := probeTypeOf(t, c.probe, c.expr); !strings.Contains(errs, c.want) {
			t.Errorf("%s { %s }: got errors %q, want %q", c.probe, c.expr, errs, c.want)
		}
	}
}

// noKfuncEnv is a kernel without the kernel function bpf_task_from_pid
// (before Linux 6.2), or without BTF.
type noKfuncEnv struct {
	*probetest.Env
	err error
}

func (e noKfuncEnv) KfuncAllowed(name string, k *probe.Kind, target string) (bool, error) {
	return false, e.err
}

// TestCommOfPidWithoutKfunc: where the kernel has no bpf_task_from_pid,
// or no BTF to find it in, comm(pid) is refused in the words of
// bpftrace's warning for that case (its macro finds the weak symbol NULL
// when it runs; gbt knows before it loads), with what it needs.
func TestCommOfPidWithoutKfunc(t *testing.T) {
	for _, err := range []error{probe.ErrNoStruct, probe.ErrUnavailable} {
		src := `tracepoint:syscalls:sys_enter_openat { $x = comm(pid); }`
		prog, diags := parse.Parse("stdin", src)
		if diags.HasErrors() {
			t.Fatal(diags.Err())
		}
		_, diags = check.Check(prog, check.Config{Env: noKfuncEnv{probetest.New(), err}, Builtins: stdlib.New()})
		var b strings.Builder
		diag.RenderAll(&b, diag.Source{Name: "stdin", Text: src}, diags)
		want := "stdin:1:45-54: ERROR: 'bpf_task_from_pid kfunc', which is used for getting the process comm, is not supported on your system."
		if !strings.Contains(b.String(), want) || !strings.Contains(b.String(), "HINT: comm(pid) calls the kernel function bpf_task_from_pid") {
			t.Errorf("%v: got %q, want %q and the hint", err, b.String(), want)
		}
	}
}
