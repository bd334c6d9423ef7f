package output

import (
	"bytes"
	"testing"
)

func TestBenchResults(t *testing.T) {
	rs := []BenchResult{{Name: "a", AverageNs: 33, Iters: 40000}, {Name: "lookup_path", AverageNs: 1234, Iters: 40000}}
	for _, tt := range []struct {
		f    Format
		want string
	}{
		{Text, "Benchmark                                Time(ns)       Iterations\n" +
			"------------------------------------------------------------------\n" +
			"a                                        33             40000\n" +
			"lookup_path                              1234           40000\n"},
		{JSON, `{"type": "benchmark_result", "data": {"a": {"average": 33, "iters": 40000}}}` + "\n" +
			`{"type": "benchmark_result", "data": {"lookup_path": {"average": 1234, "iters": 40000}}}` + "\n"},
	} {
		var b bytes.Buffer
		if err := NewPrinter(&b, tt.f).BenchResults(rs); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("format %d:\n%s\nwant:\n%s", tt.f, b.String(), tt.want)
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
