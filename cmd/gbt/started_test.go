package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/runtime"
)

// started is a gbt process that has attached its probes.
type started struct {
	cmd    *exec.Cmd
	stderr *syncBuffer // what it printed on stderr
	done   chan error  // its exit, once
}

// startAttached starts gbt with args and waits (up to 10 s) until it says
// every probe is attached (__BPFTRACE_NOTIFY_PROBES_ATTACHED, on stdout as
// the newest bpftrace prints it, or on stderr as 0.17 did). stdout is
// where the rest of its output goes, all of it by the time the exit is
// reported; the test's end kills it if it still runs.
func startAttached(t *testing.T, stdout io.Writer, args ...string) *started {
	t.Helper()
	gbt, _ := binaries(t)
	s := &started{cmd: exec.Command(gbt, args...), stderr: &syncBuffer{}, done: make(chan error, 1)}
	s.cmd.Env = append(os.Environ(), runtime.AttachedMarker+"=1")
	outPipe, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	pipe, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cmd.Process.Kill() })
	attached := make(chan bool, 2)
	outDone := make(chan struct{})
	go func() {
		r := bufio.NewReader(outPipe)
		for {
			line, err := r.ReadString('\n')
			if line == runtime.AttachedMarker+"\n" {
				attached <- true
			} else if line != "" {
				stdout.Write([]byte(line))
			}
			if err != nil {
				break
			}
		}
		close(outDone)
	}()
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			s.stderr.Write([]byte(sc.Text() + "\n"))
			if sc.Text() == runtime.AttachedMarker {
				attached <- true
			}
		}
		<-outDone // Wait closes the pipes: every read first
		s.done <- s.cmd.Wait()
	}()
	select {
	case <-attached:
	case <-time.After(10 * time.Second):
		t.Fatalf("gbt did not attach within 10 s:\n%s", clip(s.stderr.String()))
	}
	return s
}

// wait waits up to limit for gbt to exit and returns its exit code.
func (s *started) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(limit):
		s.cmd.Process.Kill()
		t.Fatalf("gbt still runs after %v:\n%s", limit, clip(s.stderr.String()))
	}
	return s.cmd.ProcessState.ExitCode()
}

// waitStderr waits up to 10 s until gbt's stderr holds want.
func (s *started) waitStderr(t *testing.T, want string) {
	t.Helper()
	for start := time.Now(); !strings.Contains(s.stderr.String(), want); time.Sleep(time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("stderr lacks %q after 10 s:\n%s", want, clip(s.stderr.String()))
		}
	}
}
