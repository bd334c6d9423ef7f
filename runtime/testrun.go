package runtime

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gbt-dev/gbt/lang/probe"
)

// xdpInputSize is the size of the packet a bench or test program (an
// XDP program) runs on: the kernel wants at least an Ethernet header.
const xdpInputSize = 14

// namedProg is a bench or test probe's program, by the name its results
// give it (bench:NAME's NAME).
type namedProg struct {
	name string
	prog *ebpf.Program
}

// queueRun adds the program of point pt to *list, in attach order (the
// script's); the first one queued adds a poll to the event loop, which on
// its first turn hands them all to run.
func (s *Session) queueRun(list *[]namedProg, prog *ebpf.Program, pt probe.Point, run func([]namedProg) error) {
	*list = append(*list, namedProg{name: strings.TrimPrefix(pt.Name, pt.Kind.Name+":"), prog: prog})
	if len(*list) > 1 {
		return
	}
	s.polls = append(s.polls, func() error {
		progs := *list
		if progs == nil {
			return nil // ran already
		}
		*list = nil
		return run(progs)
	})
}

// runOutcome is what one BPF_PROG_TEST_RUN of a bench or test program
// did, as the newest bpftrace judges it.
type runOutcome struct {
	ret      uint32        // the program's return value (a block's return N)
	duration time.Duration // the kernel's average time of one run
	exitCode int           // what an exit(code) asked for
	errors   int           // errorf calls and runtime errors reported
}

// ok reports whether the run neither exited with a code nor reported an
// error.
func (o runOutcome) ok() bool { return o.exitCode == 0 && o.errors == 0 }

// timedRun runs prog repeat times in one BPF_PROG_TEST_RUN, then handles
// what it sent with its output (printed text and messages) going to w:
// an exit() there stops nothing, it is only counted.
func (s *Session) timedRun(prog *ebpf.Program, name string, repeat int, w io.Writer) (runOutcome, error) {
	if err := s.out.Flush(); err != nil {
		return runOutcome{}, err
	}
	s.out.Reset(w)
	s.errw = s.out // messages in order with the text
	// What a run prints is text in any format, as bpftrace captures it:
	// a failed test's output is shown as such, or is a JSON string.
	pr := s.pr
	s.pr = pr.TextTo(s.out)
	s.finishing = true // an exit() sets the code, and the drain reads on
	s.exitCode = 0
	errors := s.scriptErrors
	defer func() {
		s.out.Reset(s.opts.Stdout)
		s.errw = s.opts.Stderr
		s.pr = pr
		s.finishing = false
	}()
	ret, d, err := prog.Benchmark(make([]byte, xdpInputSize), repeat, nil)
	if err != nil {
		return runOutcome{}, fmt.Errorf("run %s: %w", name, err)
	}
	if err := s.drainFor(0); err != nil {
		return runOutcome{}, err
	}
	if err := s.out.Flush(); err != nil {
		return runOutcome{}, err
	}
	o := runOutcome{ret: ret, duration: d, exitCode: s.exitCode, errors: s.scriptErrors - errors}
	s.exitCode = 0
	return o, nil
}

// endTimedRuns ends a run of bench or test probes: END runs next, and gbt
// exits with 1 if one failed.
func (s *Session) endTimedRuns(failed bool) {
	// What the runs lost (a printf a bench probe runs 200 000 times
	// fills the ring buffer) gets no "Lost N events" line as if a probe
	// had lost it while tracing; the summary at exit still counts it.
	s.lost = 0
	for _, v := range s.lostPerCPU() {
		s.lost += v
	}
	code := 0
	if failed {
		code = 1
	}
	host{s}.Exit(code)
}
