package main

import (
	"testing"
	"time"
)

// TestE2ECommOfPid: comm(pid) is the name of the process with that pid,
// read through the kernel function bpf_task_from_pid, in the probe types
// the kernel allows it in: an iterator over every task (which runs as
// gbt, so the workload's pid is passed), and a tracepoint the workload
// fires; "N/A" for a pid no process has, as bpftrace writes.
func TestE2ECommOfPid(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	for _, c := range []struct {
		name, prog, want string
	}{
		{"iter", `iter:task { if (ctx->task->pid == @PID@) { printf("%s %s %s\n", comm(ctx->task->tgid), comm(@PID@), comm); } }`,
			"gbtwork gbtwork gbt\n\n\n"},
		{"tracepoint", `tracepoint:syscalls:sys_enter_getpgid /pid == @PID@/ { $p = pid; printf("%s|%s|%s\n", comm($p), comm(2147483647), comm()); exit(); }`,
			"gbtwork|N/A|gbtwork\n\n\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := runTracer(t, traceRun{argv: []string{gbt, "-e", c.prog}, workload: []string{"kill", "1"}, work: work, timeout: 30 * time.Second})
			if res.exitCode != 0 {
				t.Fatalf("exit code %d\nstderr:\n%s", res.exitCode, clip(res.stderr))
			}
			if res.stdout != c.want {
				t.Errorf("stdout:\n%q\nwant:\n%q\nstderr:\n%s", res.stdout, c.want, clip(res.stderr))
			}
		})
	}
}
