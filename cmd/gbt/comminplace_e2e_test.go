package main

import (
	"strings"
	"testing"
	"time"
)

// TestE2ECommInPlace: comm compared with a literal, read in the task
// where the kernel allows it (bpf_get_current_task_btf, this machine's
// 6.18), gives what the copy gave: equal to the workload's name, not to a
// prefix, a longer name or one letter; with --compat=0.17 too (the same
// code, 0.17's bool keys).
func TestE2ECommInPlace(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	prog := `tracepoint:syscalls:sys_enter_openat /pid == @PID@ && comm == "gbtwork"/ {
	@eq[comm == "gbtwork"] = count(); @ne[comm != "gbtwor"] = count();
	@long[comm == "gbtwork-and-more"] = count(); @one[comm == "g"] = count();
}
tracepoint:syscalls:sys_enter_getpgid /pid == @PID@/ { exit(); }`
	for _, tt := range []struct{ compat, want string }{
		{"newest", "\n\n@eq[true]: 3\n@long[false]: 3\n@ne[true]: 3\n@one[false]: 3\n"},
		{"0.17", "\n\n@eq[1]: 3\n@long[0]: 3\n@ne[1]: 3\n@one[0]: 3\n"},
	} {
		res := runTracer(t, traceRun{argv: []string{gbt, "--compat=" + tt.compat, "-e", prog}, workload: []string{"open", "3", "/dev/null"}, work: work, timeout: 30 * time.Second})
		if res.exitCode != 0 {
			t.Fatalf("--compat=%s: exit code %d\nstderr:\n%s", tt.compat, res.exitCode, clip(res.stderr))
		}
		if out := strings.TrimPrefix(res.stdout, "Attaching 2 probes...\n"); out != tt.want {
			t.Errorf("--compat=%s: stdout:\n%s\nwant:\n%s\nstderr:\n%s", tt.compat, out, tt.want, clip(res.stderr))
		}
	}
}
