package main

import (
	"context"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestE2ELostEventsAccounted: under a flood that the output cannot keep up
// with (gbt's stdout is a pipe nobody reads until the workload is done,
// so its reader blocks and the 1 MiB ring buffer fills), every event the
// probe produced is either printed or reported lost:
// produced = received + lost + dropped at exit, exactly, with lost > 0.
// The probe counts what it produced in a map of its own.
func TestE2ELostEventsAccounted(t *testing.T) {
	requireRoot(t)
	_, work := binaries(t)
	const n = 100000
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := startHeld(t, ctx, work, []string{"open", strconv.Itoa(n), "/dev/null"})
	pid := strconv.Itoa(w.cmd.Process.Pid)
	// Nothing reads gbt's output until the workload has run: the pipe
	// fills, gbt's writes block and the ring buffer overflows.
	r, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	g := startAttached(t, wr, "-p", pid, "-e", `tracepoint:syscalls:sys_enter_openat /pid == `+pid+` && str(args->filename) == "/dev/null"/ {
		@produced = count(); printf("event %d %d %d %d\n", nsecs, nsecs, nsecs, nsecs); }
		interval:ms:5 { @ticks = count(); printf("tick\n"); }`)
	if err := w.release(); err != nil {
		t.Fatalf("workload: %v\n%s", err, clip(w.out.String()))
	}
	read := make(chan []byte, 1)
	go func() {
		out, _ := io.ReadAll(r)
		read <- out
	}()
	// gbt stops once the workload is gone (-p).
	code := g.wait(t, 30*time.Second)
	wr.Close()
	out := <-read
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, clip(g.stderr.String()))
	}
	stdout, stderr := string(out), g.stderr.String()
	received := strings.Count(stdout, "event ")
	produced := intAfter(t, stdout, `@produced: (\d+)`)
	// interval ticks that found the ring full are lost with the rest.
	ticks, ticked := intAfter(t, stdout, `@ticks: (\d+)`), strings.Count(stdout, "tick\n")
	var lost int
	for _, m := range regexp.MustCompile(`(?m)^Lost (\d+) events$`).FindAllStringSubmatch(stderr, -1) {
		k, _ := strconv.Atoi(m[1])
		lost += k
	}
	dropped := 0
	if strings.Contains(stderr, "still queued at exit") {
		dropped = intAfter(t, stderr, `WARNING: (\d+) events still queued at exit were dropped`)
	}
	t.Logf("produced %d + %d ticks = received %d + %d ticks + lost %d + dropped %d", produced, ticks, received, ticked, lost, dropped)
	if produced != n {
		t.Errorf("the probe counted %d events, want the workload's %d", produced, n)
	}
	if produced+ticks != received+ticked+lost+dropped {
		t.Errorf("produced %d + %d ticks != received %d + %d ticks + lost %d + dropped %d\nstderr:\n%s", produced, ticks, received, ticked, lost, dropped, clip(stderr))
	}
	if lost == 0 {
		t.Errorf("no event lost: the test did not fill the ring buffer\nstderr:\n%s", clip(stderr))
	}
	// The summary at exit gives the same total, by CPU.
	if total := intAfter(t, stderr, `WARNING: (\d+) events lost in all \(CPU`); total != lost {
		t.Errorf("summary says %d lost, the Lost lines %d\nstderr:\n%s", total, lost, clip(stderr))
	}
}

// intAfter returns the number re's group matches in s.
func intAfter(t *testing.T, s, re string) int {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in:\n%s", re, clip(s))
	}
	v, _ := strconv.Atoi(m[1])
	return v
}
