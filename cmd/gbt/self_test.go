package main

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestE2ESelfSignal: a self:signal:SIGUSR1 probe runs its block each time
// gbt receives SIGUSR1; gbt is signalled by the pid it was started with,
// once it says (-v) that the probe is attached.
func TestE2ESelfSignal(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	cmd := exec.Command(gbt, "-v", "-e", `self:signal:SIGUSR1 { printf("%s %d\n", probe, @n); @n++; if (@n == 2) { exit(); } }`)
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		select {
		case <-done:
		default:
			cmd.Process.Kill()
			<-done
		}
	}()
	// waitFor waits until out has s, or gbt has exited, or 20 s passed.
	waitFor := func(out *syncBuffer, s string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(out.String(), s) {
			select {
			case err := <-done:
				done <- err
				t.Fatalf("gbt exited (%v) before printing %q\nstdout:\n%s\nstderr:\n%s", err, s, clip(stdout.String()), clip(stderr.String()))
			case <-time.After(10 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %q in 20 s\nstdout:\n%s\nstderr:\n%s", s, clip(stdout.String()), clip(stderr.String()))
			}
		}
	}
	waitFor(&stderr, "gbt: attached self:signal:SIGUSR1\n")
	// One signal at a time: signals that arrive together run the probe
	// once.
	if err := cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	waitFor(&stdout, "self:signal:SIGUSR1 0\n")
	if err := cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		done <- err
		if err != nil {
			t.Fatalf("gbt: %v\nstderr:\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("gbt did not exit after the second signal\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
	if got, want := stdout.String(), "self:signal:SIGUSR1 0\nself:signal:SIGUSR1 1\n\n\n@n: 2\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	if got, want := stderr.String(), "Attaching 1 probe...\ngbt: attached self:signal:SIGUSR1\nAttached 1 probe\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

// TestE2EListSelf: -l lists the self probes, as bpftrace does.
func TestE2EListSelf(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	for _, pattern := range []string{"self:*", "self:signal:SIG*", "*USR1"} {
		out, err := exec.Command(gbt, "-l", pattern).Output()
		if err != nil || string(out) != "self:signal:SIGUSR1\n" {
			t.Errorf("gbt -l %s: %v\n%s", pattern, err, out)
		}
	}
}
