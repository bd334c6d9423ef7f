package stdlib_test

import (
	"strings"
	"testing"
)

// TestStackModes: ustack takes build_id (bpftrace 0.27), kstack does not.
func TestStackModes(t *testing.T) {
	tests := []struct{ expr, want, err string }{
		{"ustack(build_id)", "ustack:build_id[127]", ""},
		{"ustack(build_id, 30)", "ustack:build_id[30]", ""},
		{"(1, ustack(build_id))", "(int8,ustack:build_id[127])", ""},
		{"kstack(raw, 30)", "kstack:raw[30]", ""},
		{"kstack(build_id)", "", "ERROR: 'build_id' stack mode can only be used for ustack"},
		{"ustack(frames)", "", "ERROR: Error parsing stack mode: ustack: Invalid value for stack_mode: valid values are bpftrace, raw, perf, and build_id."},
	}
	for _, tt := range tests {
		got, errs := typeOf(t, tt.expr)
		if got != tt.want || (tt.err == "") != (errs == "") || !strings.Contains(errs, tt.err) {
			t.Errorf("%s: got %q %q, want %q %q", tt.expr, got, errs, tt.want, tt.err)
		}
	}
}
