package main

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/internal/testenv"
)

// outOfRegisters is what gbt prints, as bpftrace 0.17 does, when a
// watchpoint on a function's argument finds no debug register left.
const outOfRegisters = "Failed to attach watchpoint probe. You are out of watchpoint registers."

// TestE2EWatchpointArg: watchpoint:fresh+arg0 sets a breakpoint at each
// address usdtwork's fresh() is given, stopping the caller until it is
// set; x86-64 has 4 debug registers, so of 8 addresses 4 find none. The
// workload must finish (never left stopped) and gbt with it, with -c and
// with -p. asyncwatchpoint does not stop the caller. Breakpoints need not
// fire here (TestE2EWatchpoint checks hits where the CPU delivers them).
func TestE2EWatchpointArg(t *testing.T) {
	testenv.RequireBreakpointEvents(t)
	gbt, _ := binaries(t)
	_, o0 := usdtWorkloads(t)
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, gbt, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("gbt %q: %v\n%s", args, err, out)
		}
		return string(out)
	}
	out := run("-c", o0+" 8", "-e", `watchpoint:fresh+arg0:8:w { @[probe] = count(); }`)
	if n := strings.Count(out, outOfRegisters); n != 4 {
		t.Errorf("-c, 8 addresses: %d lines %q, want 4:\n%s", n, outOfRegisters, out)
	}

	out = run("-c", o0+" 8", "-e", `asyncwatchpoint:fresh+arg0:8:w { @[probe] = count(); }`)
	if strings.Contains(out, "ERROR") {
		t.Errorf("asyncwatchpoint:\n%s", out)
	}

	// -p: the process runs 10 rounds 100 ms apart; gbt exits when it does.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	w := exec.CommandContext(ctx, o0, "10", "100000")
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	out = run("-p", strconv.Itoa(w.Process.Pid), "-e", `watchpoint:fresh+arg0:8:w { @[probe] = count(); }`)
	if err := w.Wait(); err != nil {
		t.Errorf("the -p process: %v", err)
	}
	if !strings.Contains(out, outOfRegisters) {
		t.Errorf("-p, up to 10 addresses: no %q:\n%s", outOfRegisters, out)
	}

	ctx2, cancel2 := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel2()
	b, err := exec.CommandContext(ctx2, gbt, "-e", `watchpoint:fresh+arg0:8:w { @ = count(); }`).CombinedOutput()
	if err == nil || !strings.Contains(string(b), "ERROR: -p PID or -c CMD required for watchpoint") {
		t.Errorf("without a process: %v\n%s", err, b)
	}
}
