package output

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestBenchTable(t *testing.T) {
	rs := []BenchResult{{Name: "a", AverageNs: 33, Iters: 40000}, {Name: "lookup_path", AverageNs: 1234, Iters: 200000}}
	long := strings.Repeat("n", 45)
	for _, tt := range []struct {
		f     Format
		names []string
		want  string
	}{
		{Text, []string{"a", "lookup_path"}, "Benchmark                                Time(ns)       Iterations\n" +
			"------------------------------------------------------------------\n" +
			"a                                        33             40000\n" +
			"lookup_path                              1234           200000\n"},
		// A name longer than 40 widens the first column, as bpftrace's.
		{Text, []string{"a", long}, "Benchmark" + strings.Repeat(" ", 37) + "Time(ns)       Iterations\n" +
			strings.Repeat("-", 71) + "\n" +
			"a" + strings.Repeat(" ", 45) + "33             40000\n" +
			"lookup_path" + strings.Repeat(" ", 35) + "1234           200000\n"},
		{JSON, []string{"a", "lookup_path"}, `{"type": "benchmark_result", "data": {"a": {"average": 33, "iters": 40000}}}` + "\n" +
			`{"type": "benchmark_result", "data": {"lookup_path": {"average": 1234, "iters": 200000}}}` + "\n"},
	} {
		var b bytes.Buffer
		tab := NewPrinter(&b, tt.f).BenchTable(tt.names)
		for _, r := range rs {
			if err := tab.Row(r); err != nil {
				t.Fatal(err)
			}
		}
		if b.String() != tt.want {
			t.Errorf("format %d, names %q:\n%s\nwant:\n%s", tt.f, tt.names, b.String(), tt.want)
		}
	}
}

func TestTestReport(t *testing.T) {
	rs := []TestResult{
		{Name: "ok", Duration: 900 * time.Nanosecond, Passed: true, Output: []byte("hidden\n")},
		{Name: "bad", Duration: 3500 * time.Nanosecond, Output: []byte("line 1\n\nline 2\n")},
		{Name: "slow", Duration: 2 * time.Millisecond, Passed: true},
	}
	for _, tt := range []struct {
		f     Format
		color bool
		want  string
	}{
		{Text, false, `[==========] Running 3 tests.
[ RUN      ] ok
[       OK ] ok (900 ns)
[ RUN      ] bad
line 1
line 2
[  FAILED  ] bad (3 μs)
[ RUN      ] slow
[       OK ] slow (2 ms)
[==========] 3 tests ran.
[  PASSED  ] 2 tests.
[  FAILED  ] 1 test, listed below:
[  FAILED  ] bad
`},
		{Text, true, "\033[32m[==========]\033[0m Running 3 tests.\n" +
			"\033[32m[ RUN      ]\033[0m ok\n\033[32m[       OK ]\033[0m ok (900 ns)\n" +
			"\033[32m[ RUN      ]\033[0m bad\nline 1\nline 2\n\033[31m[  FAILED  ]\033[0m bad (3 μs)\n" +
			"\033[32m[ RUN      ]\033[0m slow\n\033[32m[       OK ]\033[0m slow (2 ms)\n" +
			"\033[32m[==========]\033[0m 3 tests ran.\n\033[32m[  PASSED  ]\033[0m 2 tests.\n" +
			"\033[31m[  FAILED  ]\033[0m 1 test, listed below:\n\033[31m[  FAILED  ]\033[0m bad\n"},
		{JSON, false, `{"type": "test_result", "data": {"ok": {"duration": 900, "passed": true, "output": "hidden\n"}}}
{"type": "test_result", "data": {"bad": {"duration": 3500, "passed": false, "output": "line 1\n\nline 2\n"}}}
{"type": "test_result", "data": {"slow": {"duration": 2000000, "passed": true, "output": ""}}}
`},
	} {
		var b bytes.Buffer
		p := NewPrinter(&b, tt.f)
		p.SetColor(tt.color)
		rep := p.TestReport(len(rs))
		for _, r := range rs {
			if err := rep.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		if b.String() != tt.want {
			t.Errorf("format %d, color %t:\n%s\nwant:\n%s", tt.f, tt.color, b.String(), tt.want)
		}
	}
}

func TestRunDiagnostic(t *testing.T) {
	for _, tt := range []struct {
		d    RunDiagnostic
		want string
	}{
		{RunDiagnostic{Type: "helper_error", Msg: RetcodeText(-14), Helper: "probe_read", Retcode: -14, File: "stdin", Line: 1, Col: 38},
			`{"type": "helper_error", "msg": "Bad address", "helper": "probe_read", "retcode": -14, "filename": "stdin", "line": 1, "col": 38}` + "\n"},
		{RunDiagnostic{Type: "helper_error", Msg: RetcodeText(-14), Helper: "probe_read", Retcode: -14, File: "stdin", Line: 1, Col: 37, Legacy: true},
			`{"type": "helper_error", "helper": "probe_read", "retcode": -14, "line": 1, "col": 37}` + "\n"},
		{RunDiagnostic{Type: "runtime_error", Msg: "m", File: "x.bt", Line: 2, Col: 3},
			`{"type": "runtime_error", "msg": "m", "filename": "x.bt", "line": 2, "col": 3}` + "\n"},
	} {
		var b bytes.Buffer
		if err := NewPrinter(&b, JSON).RunDiagnostic(tt.d); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("%+v:\n%s\nwant:\n%s", tt.d, b.String(), tt.want)
		}
	}
	if got := RetcodeText(0); got != "Success" {
		t.Errorf("RetcodeText(0) = %q, want Success", got)
	}
}
