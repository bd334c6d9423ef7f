package runtime

import (
	"fmt"
	"strings"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime/output"
)

// benchIters is how many times --mode bench runs each bench probe, as the
// newest bpftrace reports.
const benchIters = 40000

// timeRuns runs prog n times and returns the average wall time of a run.
// The kernel times no repeated runs of the raw tracepoint programs gbt
// runs itself (BPF_PROG_TEST_RUN refuses repeat for them), so each run is
// one system call, whose cost the average includes.
func timeRuns(prog *ebpf.Program, n int) (time.Duration, error) {
	opts := &ebpf.RunOptions{Context: make([]byte, 8)}
	start := time.Now()
	for range n {
		if _, err := prog.Run(opts); err != nil {
			return 0, err
		}
	}
	return time.Since(start) / time.Duration(n), nil
}

// bench is one bench:NAME probe to time.
type bench struct {
	name string
	prog *ebpf.Program
}

// attachBench makes a bench:NAME probe run in --mode bench: on the event
// loop's first turn, every bench program runs benchIters times with
// BPF_PROG_TEST_RUN, in the order of the script, the average time of a
// run (see timeRuns) is printed for each, and the session stops (END runs as after
// exit()). Without --mode bench a bench probe never runs.
func attachBench(s *Session, prog *ebpf.Program, pt probe.Point, _ uint64) error {
	if !s.opts.Bench {
		return nil
	}
	s.benches = append(s.benches, bench{name: strings.TrimPrefix(pt.Name, "bench:"), prog: prog})
	if len(s.benches) > 1 {
		return nil // the first one's poll runs them all
	}
	s.polls = append(s.polls, func() error {
		if s.benches == nil {
			return nil
		}
		results := make([]output.BenchResult, 0, len(s.benches))
		for _, b := range s.benches {
			per, err := timeRuns(b.prog, benchIters)
			if err != nil {
				return fmt.Errorf("run bench:%s: %w", b.name, err)
			}
			results = append(results, output.BenchResult{Name: b.name, AverageNs: uint64(per.Nanoseconds()), Iters: benchIters})
		}
		s.benches = nil
		host{s}.Exit(0)
		return s.pr.BenchResults(results)
	})
	return nil
}
