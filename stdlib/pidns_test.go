package stdlib_test

import (
	"strings"
	"testing"
)

// TestPidTidNamespace: pid and tid take no argument or the namespace
// curr_ns or init, with bpftrace's errors for anything else.
func TestPidTidNamespace(t *testing.T) {
	tests := []struct{ expr, want, err string }{
		{"pid", "uint32", ""},
		{"pid()", "uint32", ""},
		{"pid(curr_ns)", "uint32", ""},
		{"pid(init)", "uint32", ""},
		{"tid(curr_ns)", "uint32", ""},
		{"tid(init)", "uint32", ""},
		{"pid(foo)", "", "ERROR: Invalid PID namespace mode: foo (expects: curr_ns or init)"},
		{"tid(1)", "", "ERROR: tid() only supports curr_ns and init as the argument"},
		{"pid(init, 1)", "", "ERROR: pid() takes up to one argument (2 provided)"},
	}
	for _, tt := range tests {
		got, errs := typeOf(t, tt.expr)
		if got != tt.want || (tt.err == "") != (errs == "") || !strings.Contains(errs, tt.err) {
			t.Errorf("%s: got %q %q, want %q %q", tt.expr, got, errs, tt.want, tt.err)
		}
	}
}
