package probe_test

import (
	"testing"

	"github.com/gbt-dev/gbt/lang/probe"
)

// TestRegOffset: reg()'s names are x86-64 struct pt_regs members, and pc
// is the instruction pointer, as the newest bpftrace names it.
func TestRegOffset(t *testing.T) {
	for _, tt := range []struct {
		name string
		off  int16
		ok   bool
	}{
		{"di", 112, true}, {"ip", 128, true}, {"pc", 128, true}, {"sp", 152, true}, {"eip", 0, false},
	} {
		if off, ok := probe.RegOffset(tt.name); off != tt.off || ok != tt.ok {
			t.Errorf("RegOffset(%q) = %d, %t; want %d, %t", tt.name, off, ok, tt.off, tt.ok)
		}
	}
}
