package output

import "fmt"

// BenchResult is the timing of one bench:NAME probe (--mode bench).
type BenchResult struct {
	Name      string
	AverageNs uint64 // average time of one run
	Iters     int    // how many runs
}

// BenchResults writes the timings of --mode bench as the newest bpftrace
// does: a table, or one benchmark_result record per probe in JSON.
func (p *Printer) BenchResults(rs []BenchResult) error {
	if p.f.StacksOnly() {
		return p.asText().BenchResults(rs)
	}
	if p.f == JSON {
		for _, r := range rs {
			p.buf = append(p.buf, `{"type": "benchmark_result", "data": {`...)
			p.buf = appendJSONString(p.buf, []byte(r.Name))
			p.buf = fmt.Appendf(p.buf, `: {"average": %d, "iters": %d}}}`+"\n", r.AverageNs, r.Iters)
		}
		return p.flush()
	}
	p.buf = fmt.Appendf(p.buf, "%-41s%-15s%s\n", "Benchmark", "Time(ns)", "Iterations")
	for range 66 {
		p.buf = append(p.buf, '-')
	}
	p.buf = append(p.buf, '\n')
	for _, r := range rs {
		p.buf = fmt.Appendf(p.buf, "%-41s%-15d%d\n", r.Name, r.AverageNs, r.Iters)
	}
	return p.flush()
}
