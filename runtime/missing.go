package runtime

import (
	"errors"
	"fmt"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/probe"
)

// leaveOut says whether a probe the kernel would not attach (err, an
// AttachError) is left out, as bpftrace's missing_probes setting says:
// "warn" leaves it out with bpftrace's two warnings (why, then which
// probe), "ignore" without a word; otherwise (the default, "error") the
// run fails. n is the number of probes the failure covers, which the
// "Attached N probes" line leaves out.
func (s *Session) leaveOut(err error, n int) bool {
	var ae *AttachError
	if !errors.As(err, &ae) {
		return false
	}
	switch s.obj.Settings().MissingProbes {
	case "warn":
		fmt.Fprintf(s.opts.Stderr, "WARNING: %v\nWARNING: Unable to attach probe: %s. Skipping.\n", ae.Err, ae.Probe)
	case "ignore":
	default:
		return false
	}
	s.unattached += n
	return true
}

// probeCount is the number of probes among points, as "Attached N
// probes" counts them: the points of one attach point with one name
// count once.
func probeCount(points []probe.Point) int {
	type key struct {
		span ast.Span
		name string
	}
	seen := map[key]bool{}
	for _, pt := range points {
		seen[key{pt.Span, pt.Name}] = true
	}
	return len(seen)
}
