package main

import (
	"regexp"
	"testing"
	"time"
)

// TestE2ESocketCookie: socket_cookie() in a tp_btf probe (the tracing
// program this kernel loads; internal/vmtest runs it in kfuncs): gbtwork
// connects to itself over [::1] once, and the client socket's cookie is
// not 0 and the same when it goes from CLOSE (7) to SYN_SENT (2) and from
// SYN_SENT to ESTABLISHED (1).
func TestE2ESocketCookie(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	prog := `tp_btf:inet_sock_set_state /pid == @PID@ && args->oldstate == 7 && args->newstate == 2/ { @c = socket_cookie(args->sk); }
		tp_btf:inet_sock_set_state /pid == @PID@ && args->oldstate == 2 && args->newstate == 1/ { printf("%d %d\n", @c != 0, @c == socket_cookie(args->sk)); } ` + exitWhenDone
	res := runTracer(t, traceRun{argv: []string{gbt, "-e", prog}, workload: []string{"tcp6", "1"}, work: work, timeout: 30 * time.Second})
	if res.exitCode != 0 || !regexp.MustCompile(`\A(Attaching 3 probes\.\.\.\n)?1 1\n\n\n@c: [1-9][0-9]*\n\z`).MatchString(res.stdout) {
		t.Errorf("exit %d, stdout %q, want \"1 1\"\nstderr:\n%s", res.exitCode, res.stdout, res.stderr)
	}
}
