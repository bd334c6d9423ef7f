package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestE2EBench: --mode bench times each bench probe, in script order, prints
// the newest bpftrace's table, then runs END; without it bench probes never
// run.
func TestE2EBench(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	prog := `bench:a { @a++; } bench:b { @b++; } end { printf("a=%d b=%d\n", @a, @b); clear(@a); clear(@b); }`
	res := runTracer(t, traceRun{argv: []string{gbt, "-q", "--mode", "bench", "-e", prog}, work: work})
	if res.exitCode != 0 {
		t.Fatalf("exit %d: %s", res.exitCode, clip(res.stderr))
	}
	want := regexp.MustCompile(`^Benchmark                                Time\(ns\)       Iterations
-{66}
a                                        \d+ +40000
b                                        \d+ +40000
a=40000 b=40000
\n+$`)
	if !want.MatchString(res.stdout) {
		t.Errorf("stdout:\n%s\nwant to match:\n%s", res.stdout, want)
	}
	res = runTracer(t, traceRun{argv: []string{gbt, "-q", "-e", `bench:a { @a++; } i:ms:50 { exit(); }`}, work: work})
	if res.exitCode != 0 || strings.Contains(res.stdout, "@a") {
		t.Errorf("without --mode bench: exit %d, stdout %q, want no @a", res.exitCode, res.stdout)
	}
	res = runTracer(t, traceRun{argv: []string{gbt, "--mode", "codegen", "-e", `BEGIN { exit(); }`}, work: work})
	if res.exitCode == 0 || res.stderr != "ERROR: --mode codegen is not supported by gbt yet (bench is)\n" {
		t.Errorf("--mode codegen: exit %d, stderr %q", res.exitCode, res.stderr)
	}
}
