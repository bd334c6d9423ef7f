package runtime

import (
	"fmt"
	"io"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime/output"
)

// attachBench makes a bench:NAME probe run in --bench (the session
// attaches bench probes in that mode only): on the event loop's first
// turn, every bench program is timed in the order of the script (see
// runBenches), and the session stops (END runs as after exit()).
func attachBench(s *Session, prog *ebpf.Program, pt probe.Point, _ uint64) error {
	s.queueRun(&s.benches, prog, pt, s.runBenches)
	return nil
}

// runBenches times each bench probe as the newest bpftrace does: the
// kernel runs the program repeat times in one BPF_PROG_TEST_RUN and
// times the runs, and repeat grows until they take a millisecond. What
// the runs print is dropped. A probe that returns a value other than 0
// is skipped; one that calls exit() with a code or reports an error
// fails the run.
func (s *Session) runBenches(benches []namedProg) error {
	names := make([]string, len(benches))
	for i, b := range benches {
		names[i] = b.name
	}
	table := s.pr.BenchTable(names)
	failed := false
	for _, b := range benches {
		for repeat := 1; ; {
			o, err := s.timedRun(b.prog, "bench:"+b.name, repeat, io.Discard)
			if err != nil {
				return err
			}
			if o.exitCode == 0 && o.ret != 0 {
				break // skipped
			}
			if grow := benchGrowth(o.duration * time.Duration(repeat)); grow > 1 {
				repeat *= grow
				continue
			}
			if !o.ok() {
				fmt.Fprintf(s.opts.Stderr, "ERROR: Benchmark '%s' failed.\n", b.name)
				failed = true
				break
			}
			if err := table.Row(output.BenchResult{Name: b.name, AverageNs: uint64(o.duration.Nanoseconds()), Iters: repeat}); err != nil {
				return err
			}
			break
		}
	}
	s.endTimedRuns(failed)
	return s.out.Flush()
}

// benchGrowth is how many times more runs a benchmark needs whose runs
// took total: none (1) once they take a millisecond, as in bpftrace.
func benchGrowth(total time.Duration) int {
	switch {
	case total < time.Microsecond:
		return 1000
	case total < 10*time.Microsecond:
		return 100
	case total < 100*time.Microsecond:
		return 10
	case total < time.Millisecond:
		return 2
	}
	return 1
}
