package check_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/stdlib"
)

// TestEmptyPatterns: an attach point whose wildcard matches nothing is
// left out without a word, as the newest bpftrace does (dcsnoop.bt's
// kprobe:lookup_fast.constprop.*, which Debian's kernels lack, beside
// kprobe:lookup_fast); a probe left with no point is refused, or warned
// of or dropped as missing_probes says. A missing point without a
// wildcard is still an error, and 0.17 refuses the pattern.
func TestEmptyPatterns(t *testing.T) {
	const noPoints = "ERROR: Probe has no valid attach points. If this is expected, set the 'missing_probes' config variable to 'warn'."
	for _, tt := range []struct {
		src     string
		missing string // missing_probes
		v       compat.Version
		want    string // the diagnostics, "" for none
		points  int    // the points kept, with no diagnostics
	}{
		{src: `kprobe:vfs_read, kprobe:nosuch* { }`, points: 1},
		{src: `kprobe:nosuch*, kprobe:vfs_read, kretprobe:nosuch.constprop.* { }`, points: 1},
		{src: `tracepoint:sched:sched_switch, tracepoint:nonsense:* { }`, points: 1},
		{src: `uprobe:/bin/bash:nope*, tracepoint:sched:sched_switch { }`, points: 1},
		{src: `kprobe:nosuch*, kfunc:nosuch* { }`, want: "stdin:1:1-30: " + noPoints},
		{src: `kprobe:nosuch* { }`, missing: "warn",
			want: "stdin:1:1-15: WARNING: Probe has no valid attach points. It is being removed which may cause issues with program behavior."},
		{src: `kprobe:nosuch* { } kprobe:vfs_read { }`, missing: "ignore", points: 1},
		{src: `kprobe:vfs_read, tracepoint:sched:nonsense { }`, want: "stdin:1:18-43: ERROR: No matches for tracepoint sched:nonsense."},
		{src: `kprobe:vfs_read, kprobe:nosuch* { }`, v: compat.V017, want: "stdin:1:18-32: ERROR: No matches for kprobe nosuch*."},
	} {
		prog, diags := parse.Parse("stdin", tt.src)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: stdlib.New(), Compat: tt.v, MissingProbes: tt.missing})
		var b strings.Builder
		diag.RenderAll(&b, diag.Source{Name: "stdin", Text: tt.src}, diags)
		got := b.String()
		if tt.want != "" {
			if !strings.HasPrefix(got, tt.want+"\n") {
				t.Errorf("%s (%v, %q):\n%s\nwant %q", tt.src, tt.v, tt.missing, got, tt.want)
			}
			continue
		}
		if got != "" {
			t.Errorf("%s (%v, %q): %s", tt.src, tt.v, tt.missing, got)
			continue
		}
		n := 0
		for _, pi := range info.Probes {
			if pi.Kind != nil && pi.Kind.RunAt == probe.RunOnEvent {
				n += len(pi.Points)
			}
		}
		if n != tt.points {
			t.Errorf("%s: %d points kept, want %d", tt.src, n, tt.points)
		}
	}
}
