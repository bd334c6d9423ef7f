package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/runtime"
)

// startCompat starts gbt with GBT_COMPAT=version and the attached marker,
// and returns once gbt printed the marker; stdout is read line by line.
func startCompat(t *testing.T, version, script string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	gbt, _ := binaries(t)
	cmd := exec.Command(gbt, "-e", script)
	cmd.Env = append(os.Environ(), "GBT_COMPAT="+version, "__BPFTRACE_NOTIFY_PROBES_ATTACHED=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	errs := bufio.NewScanner(stderr)
	for errs.Scan() && errs.Text() != "__BPFTRACE_NOTIFY_PROBES_ATTACHED" {
	}
	go io.Copy(io.Discard, stderr)
	return cmd, bufio.NewScanner(stdout)
}

// readAll returns the lines sc has left, each with its newline.
func readAll(sc *bufio.Scanner) string {
	var b strings.Builder
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
	}
	return b.String()
}

// TestE2ECompatRunOnce: with GBT_COMPAT=0.17 a script of only END runs
// until SIGINT, as bpftrace 0.17 does (its runtime test signals:sigint
// quit), and prints 0.17's stdout exactly; the newest bpftrace, gbt's
// default, ends such a script after BEGIN.
func TestE2ECompatRunOnce(t *testing.T) {
	requireRoot(t)
	const script = `END { printf("%s %d\n", "SUCCESS", 1) }`
	cmd, out := startCompat(t, "0.17", script)
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("gbt --compat=0.17 ended before SIGINT: %v", err)
	}
	cmd.Process.Signal(syscall.SIGINT)
	// /usr/bin/bpftrace 0.17 prints exactly this on stdout.
	if got, want := readAll(out), "Attaching 1 probe...\nSUCCESS 1\n\n\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit: %v", err)
	}

	cmd, out = startCompat(t, "newest", script)
	// The newest bpftrace prints the attached marker on stdout.
	if got, want := readAll(out), runtime.AttachedMarker+"\nSUCCESS 1\n\n\n"; got != want {
		t.Errorf("newest: stdout %q, want %q", got, want)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("newest: exit: %v", err)
	}
}

// TestE2ECompatUsr1: with GBT_COMPAT=0.17, SIGUSR1 prints every map as
// bpftrace 0.17 does (its runtime test signals:print all maps on
// sigusr1), and the run goes on.
func TestE2ECompatUsr1(t *testing.T) {
	requireRoot(t)
	cmd, out := startCompat(t, "0.17", `BEGIN { @scalar = 5; @m[1] = 2; @c = count(); }`)
	var got strings.Builder
	if !out.Scan() {
		t.Fatal("no output")
	}
	got.WriteString(out.Text() + "\n")
	cmd.Process.Signal(syscall.SIGUSR1)
	for out.Scan() {
		got.WriteString(out.Text() + "\n")
		if out.Text() == "@scalar: 5" {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	got.WriteString(readAll(out))
	// /usr/bin/bpftrace 0.17 prints exactly this on stdout.
	want := "Attaching 1 probe...\n@c: 1\n@m[1]: 2\n@scalar: 5\n\n\n@c: 1\n@m[1]: 2\n@scalar: 5\n"
	if got.String() != want {
		t.Errorf("stdout %q, want %q", got.String(), want)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit: %v", err)
	}
}
