package scripts

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/internal/testenv"
	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/kernel"
)

// TestKernelToolsRun runs each tool against a workload it should see, stops
// it as Ctrl-C would, and checks the lines the workload must have produced.
//
// The tools trace the whole system and other processes (other tracers,
// other test runs) may run beside them, so the checks pick the workload's
// lines: in a pattern @PID@ stands for the workload's pid. Tools that print
// only process names are matched on @NAME@, the workload's name, which is
// unique to this test process; the programs it runs are named by @TRUE@, a
// link to /bin/true in a directory of this test's own.
func TestKernelToolsRun(t *testing.T) {
	testenv.RequireRoot(t)
	work := buildWorkload(t)
	name := filepath.Base(work)
	trueLink := filepath.Join(t.TempDir(), "true")
	if err := os.Symlink("/bin/true", trueLink); err != nil {
		t.Fatal(err)
	}
	scratch, err := os.MkdirTemp(".", "toolwork-") // on a block device, unlike a tmpfs /tmp
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(scratch) })
	file := filepath.Join(scratch, "data")
	tests := []struct {
		script   string
		workload []string
		wait     time.Duration  // after the workload, before stopping
		want     map[string]int // pattern → exact number of matches (-1: at least one)
	}{
		{"opensnoop", []string{"open", "3", "/dev/null"}, 0, map[string]int{
			`(?m)^@PID@\s+@NAME@\s+\d+\s+0 /dev/null$`: 3}},
		{"execsnoop", []string{"exec", "2", "@TRUE@"}, 0, map[string]int{
			`(?m)^\d+\s+\d+\s+true\s+@TRUE@$`: 2}},
		{"syscount", []string{"kill", "5"}, 0, map[string]int{
			`(?m)^@syscalls\[@NAME@\]: \d+$`: 1}},
		{"readsize", []string{"stat", "1", "/etc/hostname"}, 0, map[string]int{
			`(?m)^@requested\[.+\]:$`: -1, `(?m)^@total: { \.count = \d+, \.average = \d+, \.total = \d+ }$`: 1}},
		{"killsnoop", []string{"kill", "3"}, 0, map[string]int{
			`(?m)^\d\d:\d\d:\d\d @PID@\s+@NAME@\s+0\s+@PID@\s+0$`: 3}},
		{"statsnoop", []string{"stat", "4", "/etc/hostname"}, 0, map[string]int{
			`(?m)^@PID@\s+@NAME@\s+0 /etc/hostname$`: 4}},
		{"statsnoop", []string{"stat", "2", "/nonexistent/gbt"}, 0, map[string]int{
			`(?m)^@PID@\s+@NAME@\s+2 /nonexistent/gbt$`: 2}},
		{"syncsnoop", []string{"fsync", "2", file}, 0, map[string]int{
			`(?m)^\d\d:\d\d:\d\d @PID@\s+@NAME@\s+tracepoint:syscalls:sys_enter_fsync$`: 2,
			`(?m)^@syncs\[@NAME@, tracepoint:syscalls:sys_enter_fsync\]: 2$`:            1}},
		{"pidpersec", []string{"exec", "3", "@TRUE@"}, 1100 * time.Millisecond, map[string]int{
			`(?m)^\d\d:\d\d:\d\d PIDs/sec: @new: \d+$`: -1,
			`(?m)^@parents\[@NAME@\]: \d+$`:            1}},
		{"runqlat", []string{"sleep", "100"}, 0, map[string]int{
			`(?m)^@usecs:$`: 1, `(?m)^\[\d+[KM]?, \d+[KM]?\)\s+\d+ \|@*\s*\|$`: -1}},
		{"cpuwalk", []string{"open", "50000", "/dev/null"}, 0, map[string]int{
			`(?m)^@cpu:$`: 1, `(?m)^\[\d+\]\s+\d+ \|@*\s*\|$`: -1}},
		{"biolatency", []string{"fsync", "5", file}, 0, map[string]int{
			`(?m)^@usecs\[\d+, \d+\]:$`: -1, `(?m)^\[\d+[KM]?, \d+[KM]?\)\s+\d+ \|@*\s*\|$`: -1}},
		{"bitesize", []string{"fsync", "5", file}, 0, map[string]int{
			`(?m)^@kbytes\[.+\]:$`: -1}},
	}
	env := kernel.NewEnv()
	if _, err := env.EnsureTracefs(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			src, err := os.ReadFile(tt.script + ".bt")
			if err != nil {
				t.Fatal(err)
			}
			obj, _, err := runtime.Compile(tt.script+".bt", string(src), runtime.CompileOptions{Env: env})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			attached := make(chan struct{})
			var out bytes.Buffer
			done := make(chan error, 1)
			go func() {
				done <- runtime.Run(ctx, obj, runtime.Options{Stdout: &out, Stderr: io.Discard,
					Live: func(*runtime.Live) { close(attached) }})
			}()
			select {
			case <-attached:
			case err := <-done:
				t.Fatalf("run ended before attaching: %v", err)
			case <-time.After(30 * time.Second):
				t.Fatal("not attached after 30 s")
			}
			args := make([]string, len(tt.workload))
			for i, a := range tt.workload {
				args[i] = strings.ReplaceAll(a, "@TRUE@", trueLink)
			}
			var wout bytes.Buffer
			w := exec.Command(work, args...)
			w.Stdout, w.Stderr = &wout, &wout
			if err := w.Start(); err != nil {
				t.Fatalf("workload %v: %v", args, err)
			}
			if err := w.Wait(); err != nil {
				t.Fatalf("workload %v: %v\n%s", args, err, tail(wout.String()))
			}
			time.Sleep(tt.wait)
			cancel() // what Ctrl-C does
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			subst := strings.NewReplacer("@PID@", strconv.Itoa(w.Process.Pid), "@NAME@", regexp.QuoteMeta(name), "@TRUE@", regexp.QuoteMeta(trueLink))
			for pat, n := range tt.want {
				pat = subst.Replace(pat)
				got := len(regexp.MustCompile(pat).FindAllString(out.String(), -1))
				if (n < 0 && got == 0) || (n >= 0 && got != n) {
					t.Errorf("%s: %d lines match %q, want %s\n%s", tt.script, got, pat, countWord(n), tail(out.String()))
				}
			}
		})
	}
}

func countWord(n int) string {
	if n < 0 {
		return "at least one"
	}
	return strconv.Itoa(n)
}

// tail keeps the end of a long output for messages.
func tail(s string) string {
	if len(s) > 4000 {
		return "..." + s[len(s)-4000:]
	}
	return s
}

// buildWorkload builds internal/cmd/gbtwork under a name (and so a
// process name) unique to this test process: tw and its pid.
func buildWorkload(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tw"+strconv.Itoa(os.Getpid()))
	cmd := exec.Command("go", "build", "-o", bin, "../internal/cmd/gbtwork")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build workload: %v\n%s", err, b)
	}
	return bin
}
