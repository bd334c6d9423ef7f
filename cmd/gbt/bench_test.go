package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestE2EBench: --bench times each bench probe, in script order, with the
// kernel's repeated test runs (at least a thousand of a short block),
// prints the newest bpftrace's table, skips a probe that returns 1, fails
// the run for one that reports an error, then runs END and prints no
// maps; without it bench probes never run.
func TestE2EBench(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	prog := `bench:a { @a++; } bench:skipped { return 1; } bench:b { @b++; } i:ms:1 { printf("traced\n"); }
end { printf("a=%d b=%d\n", @a, @b); }`
	res := runTracer(t, traceRun{argv: []string{gbt, "--bench", "-e", prog}, work: work})
	if res.exitCode != 0 || res.stderr != "" {
		t.Fatalf("exit %d: %s", res.exitCode, clip(res.stderr))
	}
	want := regexp.MustCompile(`^Benchmark                                Time\(ns\)       Iterations
-{66}
a {40}\d+ +\d{4,}
b {40}\d+ +\d{4,}
a=\d{4,} b=\d{4,}
\n\n$`)
	if !want.MatchString(res.stdout) {
		t.Errorf("stdout:\n%s\nwant to match:\n%s", res.stdout, want)
	}
	res = runTracer(t, traceRun{argv: []string{gbt, "--mode", "bench", "-e", `bench:ok { @x = 1; } bench:bad { errorf("no"); }`}, work: work})
	if res.exitCode != 1 || res.stderr != "ERROR: Benchmark 'bad' failed.\n" || !strings.Contains(res.stdout, "\nok ") || strings.Contains(res.stdout, "bad") {
		t.Errorf("failing bench: exit %d, stdout %q, stderr %q", res.exitCode, res.stdout, res.stderr)
	}
	res = runTracer(t, traceRun{argv: []string{gbt, "-q", "-e", `bench:a { @a++; } i:ms:50 { exit(); }`}, work: work})
	if res.exitCode != 0 || strings.Contains(res.stdout, "@a") {
		t.Errorf("without --bench: exit %d, stdout %q, want no @a", res.exitCode, res.stdout)
	}
	for _, tt := range []struct{ argv, stderr string }{
		{`bench:a { @a++; }`, "ERROR: No probes attached; use --bench to run benchmark probes.\n"},
		{`--mode codegen -e BEGIN{}`, "ERROR: --mode codegen is not supported by gbt yet (test, bench and format are)\n"},
		{`--bench --mode bench -e BEGIN{}`, "ERROR: USAGE: --bench conflicts with existing --mode\n"},
		{`--mode test --bench -e BEGIN{}`, "ERROR: USAGE: --bench conflicts with existing --mode\n"},
	} {
		argv := append([]string{gbt}, strings.Fields(tt.argv)...)
		if !strings.HasPrefix(tt.argv, "-") {
			argv = []string{gbt, "-e", tt.argv}
		}
		res := runTracer(t, traceRun{argv: argv, work: work})
		if res.exitCode != 1 || res.stderr != tt.stderr {
			t.Errorf("%s: exit %d, stderr %q, want 1 and %q", tt.argv, res.exitCode, res.stderr, tt.stderr)
		}
	}
}

// TestE2ETestProbes: --test runs each test probe once, in script order,
// between begin and end, and reports it as the newest bpftrace does: a
// test fails when it returns a value other than 0, exits with a code, or
// reports an error (errorf, assert, a runtime error), and its output is
// shown then; gbt exits with 1 when one failed. Other probes do not run.
func TestE2ETestProbes(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	prog := `begin { printf("begin\n"); }
i:ms:1 { printf("traced\n"); }
test:passes { printf("hidden\n"); @n = 1; return 0; }
test:returns { printf("returned %d\n", 2); return 2; }
test:exits { printf("exit\n"); exit(1); }
test:exit_zero { exit(); }
test:errs { errorf("bad %d", 3); }
test:asserts { assert(1 + 1 == 3, "arith"); }
test:divides { $z = 0; @q = 1 / (uint64)$z; }
test:last { $p = pid; if ($p == 0) { return 1; } }
end { printf("end\n"); }`
	res := runTracer(t, traceRun{argv: []string{gbt, "--test", "-e", prog}, work: work})
	if res.exitCode != 1 || res.stderr != "" {
		t.Fatalf("exit %d, want 1: %s", res.exitCode, clip(res.stderr))
	}
	got := regexp.MustCompile(`\(\d+ (ns|μs|ms|s)\)`).ReplaceAllString(res.stdout, "(T)")
	want := `begin
[==========] Running 8 tests.
[ RUN      ] passes
[       OK ] passes (T)
[ RUN      ] returns
returned 2
[  FAILED  ] returns (T)
[ RUN      ] exits
exit
[  FAILED  ] exits (T)
[ RUN      ] exit_zero
[       OK ] exit_zero (T)
[ RUN      ] errs
stdin:7:13-32: ERROR: bad 3
[  FAILED  ] errs (T)
[ RUN      ] asserts
stdlib/base.bt:6:5-37: ERROR: assert failed: arith
stdin:8:16-43: ERROR: expanded from
test:asserts { assert(1 + 1 == 3, "arith"); }
               ~~~~~~~~~~~~~~~~~~~~~~~~~~~
[  FAILED  ] asserts (T)
[ RUN      ] divides
stdin:9:29-43: WARNING: Divide or modulo by 0 detected. This can lead to unexpected results. 1 is being used as the result.
test:divides { $z = 0; @q = 1 / (uint64)$z; }
                            ~~~~~~~~~~~~~~
[  FAILED  ] divides (T)
[ RUN      ] last
[       OK ] last (T)
[==========] 8 tests ran.
[  PASSED  ] 3 tests.
[  FAILED  ] 5 tests, listed below:
[  FAILED  ] returns
[  FAILED  ] exits
[  FAILED  ] errs
[  FAILED  ] asserts
[  FAILED  ] divides
end


`
	if got != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
	}
	res = runTracer(t, traceRun{argv: []string{gbt, "--mode", "test", "-e", `test:a { @x = 1; } test:b { return 0; }`}, work: work})
	if res.exitCode != 0 || !strings.Contains(res.stdout, "[  PASSED  ] 2 tests.\n") || strings.Contains(res.stdout, "@x") {
		t.Errorf("passing tests: exit %d, stdout %q, stderr %q", res.exitCode, res.stdout, res.stderr)
	}
	res = runTracer(t, traceRun{argv: []string{gbt, "--test", "-f", "json", "-e", `test:a { printf("x\n"); print((1, 2)); return 1; }`}, work: work})
	jsonWant := regexp.MustCompile(`^\{"type": "test_result", "data": \{"a": \{"duration": \d+, "passed": false, "output": "x\\n\(1, 2\)\\n"\}\}\}\n$`)
	if res.exitCode != 1 || !jsonWant.MatchString(res.stdout) {
		t.Errorf("JSON: exit %d, stdout %q, want to match %s", res.exitCode, res.stdout, jsonWant)
	}
	// With no test probe, nothing runs after begin: the run ends.
	res = runTracer(t, traceRun{argv: []string{gbt, "--test", "-e", `begin { printf("b\n"); } i:ms:10 { printf("x\n"); }`}, work: work, timeout: 10 * time.Second})
	if res.exitCode != 0 || res.stdout != "b\n\n\n" {
		t.Errorf("--test without tests: exit %d, stdout %q", res.exitCode, res.stdout)
	}
	res = runTracer(t, traceRun{argv: []string{gbt, "-e", `test:a { @x = 1; }`}, work: work})
	if res.exitCode != 1 || res.stderr != "ERROR: No probes attached; use --test to run test probes.\n" {
		t.Errorf("without --test: exit %d, stderr %q", res.exitCode, res.stderr)
	}
}
