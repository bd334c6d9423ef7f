package main

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/runtime"
)

// TestE2ESigintUnderLoad: with a system() on every context switch, events
// come faster than gbt handles them; SIGINT must still stop it promptly,
// with END's output printed (bpftrace's "sigint under heavy load").
func TestE2ESigintUnderLoad(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	cmd := exec.Command(gbt, "--unsafe", "-e", `tracepoint:sched:sched_switch { system("true"); } END { printf("end\n"); }`)
	cmd.Env = append(os.Environ(), runtime.AttachedMarker+"=1")
	var stdout syncBuffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	attached := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if sc.Text() == runtime.AttachedMarker {
				attached <- true
			}
		}
	}()
	select {
	case <-attached:
	case <-time.After(10 * time.Second):
		t.Fatal("gbt did not attach within 10 s")
	}
	time.Sleep(time.Second) // let the backlog build
	cmd.Process.Signal(syscall.SIGINT)
	sent := time.Now()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		// A second of backlog at most, detaching and END (slack for a
		// loaded machine).
		if took := time.Since(sent); took > 3*time.Second {
			t.Errorf("gbt took %v to stop after SIGINT", took)
		}
		if err != nil {
			t.Errorf("exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("gbt did not stop within 10 s of SIGINT")
	}
	if !strings.Contains(stdout.String(), "end\n") {
		t.Errorf("END's output missing:\n%s", clip(stdout.String()))
	}
}
