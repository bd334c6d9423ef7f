package runtime

import (
	"bytes"
	"strings"

	"github.com/cilium/ebpf"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime/output"
)

// testProbe is one test:NAME probe to run.
type testProbe struct {
	name string
	prog *ebpf.Program
}

// attachTest makes a test:NAME probe run in --test (the session attaches
// test probes in that mode only): on the event loop's first turn, every
// test program runs once, in the order of the script (see runTests), and
// the session stops (END runs as after exit()).
func attachTest(s *Session, prog *ebpf.Program, pt probe.Point, _ uint64) error {
	s.tests = append(s.tests, testProbe{name: strings.TrimPrefix(pt.Name, "test:"), prog: prog})
	if len(s.tests) > 1 {
		return nil // the first one's poll runs them all
	}
	s.polls = append(s.polls, s.runTests)
	return nil
}

// runTests runs each test probe once and reports it as the newest
// bpftrace does: a test passes when its block returns 0 (or nothing),
// calls no exit() with a code and reports no error (errorf, a runtime
// error); what it printed is shown when it fails. gbt exits with 1 when
// a test failed.
func (s *Session) runTests() error {
	tests := s.tests
	if tests == nil {
		return nil
	}
	s.tests = nil
	report := s.pr.TestReport(len(tests))
	failed := false
	var captured bytes.Buffer
	for _, t := range tests {
		captured.Reset()
		o, err := s.timedRun(t.prog, "test:"+t.name, 1, &captured)
		if err != nil {
			return err
		}
		passed := o.ret == 0 && o.ok()
		failed = failed || !passed
		r := output.TestResult{Name: t.name, Duration: o.duration, Passed: passed, Output: captured.Bytes()}
		if err := report.Add(r); err != nil {
			return err
		}
	}
	s.endTimedRuns(failed)
	return s.out.Flush()
}
