package main

import (
	"fmt"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestE2EAggNumber reads count(), sum(), min(), max() and avg() maps as
// numbers in BPF, as the newest bpftrace does (bpftrace 0.17 rejects it,
// so the differential test cannot compare): the workload opens a file n
// times on each CPU, so each aggregation holds a value on every CPU, and
// the numbers read in the end probe are the per-CPU values reduced, the
// same numbers the maps print.
func TestE2EAggNumber(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	var cpus unix.CPUSet
	if err := unix.SchedGetaffinity(0, &cpus); err != nil {
		t.Fatal(err)
	}
	k, n := cpus.Count(), 3
	prog := `tracepoint:syscalls:sys_enter_openat /pid == @PID@/ { @c = count(); @s[comm] = sum(-2); @lo = min(cpu); @hi = max(cpu); @av = avg(2); }
		tracepoint:syscalls:sys_enter_getpgid /pid == @PID@/ { exit(); }
		end { printf("%d %d %d %d %d %d %d\n", (int64)@c, @s["gbtwork"] * 1, @lo + 0, (uint8)@hi, (int64)@av, (bool)@c, (bool)@s["none"]); }`
	// min(cpu) and max(cpu) hold the lowest and highest CPU of the
	// process's affinity mask.
	lo, hi := -1, -1
	for cpu, left := 0, k; left > 0; cpu++ {
		if cpus.IsSet(cpu) {
			if lo < 0 {
				lo = cpu
			}
			hi, left = cpu, left-1
		}
	}
	want := fmt.Sprintf("%d %d %d %d 2 1 0\n\n\n@av: 2\n@c: %d\n@hi: %d\n@lo: %d\n@s[gbtwork]: %d\n", k*n, -2*k*n, lo, hi, k*n, hi, lo, -2*k*n)
	res := runTracer(t, traceRun{argv: []string{gbt, "-e", prog}, workload: []string{"open-each-cpu", fmt.Sprint(n), "/dev/null"}, work: work, timeout: 30 * time.Second})
	if res.exitCode != 0 {
		t.Fatalf("exit code %d\nstderr:\n%s", res.exitCode, clip(res.stderr))
	}
	if res.stdout != want {
		t.Errorf("stdout:\n%q\nwant:\n%q\nstderr:\n%s", res.stdout, want, clip(res.stderr))
	}
}
