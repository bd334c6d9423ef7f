package output

import (
	"fmt"
	"time"
)

// BenchResult is the timing of one bench:NAME probe (--bench).
type BenchResult struct {
	Name      string
	AverageNs uint64 // average time of one run
	Iters     int    // how many runs
}

// BenchTable writes the timings of --bench as the newest bpftrace does,
// one row per call as each benchmark ends: a table under a header written
// before the first row, or one benchmark_result record per probe in JSON.
// names are the names of every bench probe of the run, which size the
// first column.
type BenchTable struct {
	p     *Printer
	width int
	rows  int
}

// BenchTable starts the table of a run whose bench probes are names.
func (p *Printer) BenchTable(names []string) *BenchTable {
	width := 40
	for _, n := range names {
		width = max(width, len(n))
	}
	return &BenchTable{p: p, width: width + 1}
}

// Row writes one benchmark's result.
func (t *BenchTable) Row(r BenchResult) error {
	p := t.p
	if p.f.StacksOnly() {
		p = p.asText()
	}
	if p.f == JSON {
		p.buf = append(p.buf, `{"type": "benchmark_result", "data": {`...)
		p.buf = appendJSONString(p.buf, []byte(r.Name))
		p.buf = fmt.Appendf(p.buf, `: {"average": %d, "iters": %d}}}`+"\n", r.AverageNs, r.Iters)
		return p.flush()
	}
	if t.rows == 0 {
		p.buf = fmt.Appendf(p.buf, "%-*s%-15s%s\n", t.width, "Benchmark", "Time(ns)", "Iterations")
		for range t.width + 15 + len("Iterations") {
			p.buf = append(p.buf, '-')
		}
		p.buf = append(p.buf, '\n')
	}
	t.rows++
	p.buf = fmt.Appendf(p.buf, "%-*s%-15d%d\n", t.width, r.Name, r.AverageNs, r.Iters)
	return p.flush()
}

// TestResult is the outcome of one test:NAME probe (--test).
type TestResult struct {
	Name     string
	Duration time.Duration // of its one run, as the kernel timed it
	Passed   bool
	// Output is what the test printed, shown only when it failed.
	Output []byte
}

// TestReport writes the results of --test as the newest bpftrace does,
// one test at a time, in the words of googletest: a header before the
// first, the test's output when it failed, and a summary after the last;
// or one test_result record per test in JSON. With color, the status
// words are green or red, as bpftrace always prints them (gbt: only to a
// terminal, see SetColor).
type TestReport struct {
	p      *Printer
	total  int
	ran    int
	failed []string // the names of the tests that failed, for the summary
}

// TestReport starts the report of a run of n test probes.
func (p *Printer) TestReport(n int) *TestReport {
	return &TestReport{p: p, total: n}
}

// SetColor makes text output color the status words of test results, as
// bpftrace does (gbt does when stdout is a terminal).
func (p *Printer) SetColor(on bool) { p.color = on }

// Add writes one test's result, and the summary after the last test's.
func (t *TestReport) Add(r TestResult) error {
	p := t.p
	if p.f.StacksOnly() {
		p = p.asText()
	}
	t.ran++
	if !r.Passed {
		t.failed = append(t.failed, r.Name)
	}
	if p.f == JSON {
		p.buf = append(p.buf, `{"type": "test_result", "data": {`...)
		p.buf = appendJSONString(p.buf, []byte(r.Name))
		p.buf = fmt.Appendf(p.buf, `: {"duration": %d, "passed": %t, "output": `, r.Duration.Nanoseconds(), r.Passed)
		p.buf = appendJSONString(p.buf, r.Output)
		p.buf = append(p.buf, "}}}\n"...)
		return p.flush()
	}
	green := func(s string) string { return p.paint("32", s) }
	red := func(s string) string { return p.paint("31", s) }
	if t.ran == 1 {
		p.buf = fmt.Appendf(p.buf, "%s Running %d tests.\n", green("[==========]"), t.total)
	}
	p.buf = fmt.Appendf(p.buf, "%s %s\n", green("[ RUN      ]"), r.Name)
	status := green("[       OK ]")
	if !r.Passed {
		for line := range splitLines(r.Output) {
			p.buf = append(p.buf, line...)
			p.buf = append(p.buf, '\n')
		}
		status = red("[  FAILED  ]")
	}
	p.buf = fmt.Appendf(p.buf, "%s %s (%s)\n", status, r.Name, durationText(r.Duration))
	if t.ran == t.total {
		passed, failed := t.ran-len(t.failed), len(t.failed)
		p.buf = fmt.Appendf(p.buf, "%s %d %s ran.\n", green("[==========]"), t.total, tests(t.total))
		p.buf = fmt.Appendf(p.buf, "%s %d %s.\n", green("[  PASSED  ]"), passed, tests(passed))
		if failed > 0 {
			p.buf = fmt.Appendf(p.buf, "%s %d %s, listed below:\n", red("[  FAILED  ]"), failed, tests(failed))
			for _, name := range t.failed {
				p.buf = fmt.Appendf(p.buf, "%s %s\n", red("[  FAILED  ]"), name)
			}
		}
	}
	return p.flush()
}

func tests(n int) string {
	if n == 1 {
		return "test"
	}
	return "tests"
}

// paint wraps s in the ANSI color code when the printer colors.
func (p *Printer) paint(code, s string) string {
	if !p.color {
		return s
	}
	return "\033[" + code + "m" + s + "\033[0m"
}

// splitLines yields the lines of b that are not empty, as bpftrace prints
// a failed test's output.
func splitLines(b []byte) func(yield func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for len(b) > 0 {
			i := 0
			for i < len(b) && b[i] != '\n' {
				i++
			}
			if i > 0 && !yield(b[:i]) {
				return
			}
			b = b[min(i+1, len(b)):]
		}
	}
}

// durationText is a test's time in the largest unit it has one of: "3
// μs". (bpftrace 0.27.1 prints the unit's size in nanoseconds instead of
// the count, "1000 μs" for any time from 1 μs to 1 ms: gbt prints the
// count.)
func durationText(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%d s", d/time.Second)
	case d >= time.Millisecond:
		return fmt.Sprintf("%d ms", d/time.Millisecond)
	case d >= time.Microsecond:
		return fmt.Sprintf("%d μs", d/time.Microsecond)
	}
	return fmt.Sprintf("%d ns", d.Nanoseconds())
}
