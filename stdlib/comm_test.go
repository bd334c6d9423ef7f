package stdlib_test

import (
	"strings"
	"testing"
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
		{"tracepoint:syscalls:sys_enter_openat", "comm(pid, 1)", "ERROR: comm() takes at most 1 arguments (2 provided)"},
	} {
		if _, errs := probeTypeOf(t, c.probe, c.expr); !strings.Contains(errs, c.want) {
			t.Errorf("%s { %s }: got errors %q, want %q", c.probe, c.expr, errs, c.want)
		}
	}
}
