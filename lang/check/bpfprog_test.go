package check_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/probe/probetest"
)

// TestBPFProgramProbes: fentry:bpf and fexit:bpf probes on the functions
// of running BPF programs (probetest's programs 41 and 42) take retval,
// as a long, but not args, as in the newest bpftrace.
func TestBPFProgramProbes(t *testing.T) {
	env := probetest.New()
	for _, tt := range []struct{ src, want string }{
		{`fentry:bpf:interval_us_100000_1 { @[probe] = count(); }`, ""},
		{`fexit:bpf:42:* { @[probe, retval] = count(); }`, ""},
		{`fexit:bpf:* { @ = retval; }`, ""},
		{`fentry:bpf:42:* { print(args); }`, "ERROR: The args builtin cannot be used for 'fentry/fexit:bpf' probes"},
		{`fexit:bpf:gbt_cb_continue { @ = args.arg0; }`, "ERROR: The args builtin cannot be used for 'fentry/fexit:bpf' probes"},
		{`fentry:bpf:42:* { @ = retval; }`, "ERROR: The retval builtin can only be used with"},
		{`fentry:bpf:nosuch { }`, "ERROR: No matches for fentry bpf:*:nosuch."},
	} {
		got := checkWith(env, tt.src)
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("%s: got\n%s\nwant %q", tt.src, got, tt.want)
		}
	}
}
