package runtime

import (
	"bytes"

	"github.com/cilium/ebpf"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime/output"
)

// attachTest makes a test:NAME probe run in --test (the session attaches
// test probes in that mode only): on the event loop's first turn, every
// test program runs once, in the order of the script (see runTests), and
// the session stops (END runs as after exit()).
func attachTest(s *Session, prog *ebpf.Program, pt probe.Point, _ uint64) error {
	s.queueRun(&s.tests, prog, pt, s.runTests)
	return nil
}

// runTests runs each test probe once and reports it as the newest
// bpftrace does: a test passes when its block returns 0 (or nothing),
// calls no exit() with a code and reports no error (errorf, a runtime
// error); what it printed is shown when it fails. gbt exits with 1 when
// a test failed.
func (s *Session) runTests(tests []namedProg) error {
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
