package check_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
)

// TestCpidWarning: cpid without a -c command is 0, and the newest
// bpftrace warns of it at each use; 0.17 does not.
func TestCpidWarning(t *testing.T) {
	const warning = "WARNING: No child command (`-c`); cpid is zero"
	for _, tt := range []struct {
		cfg  check.Config
		warn bool
	}{
		{check.Config{}, true},
		{check.Config{Child: true}, false},
		{check.Config{Compat: compat.V017}, false},
	} {
		_, out := checkSourceWith("BEGIN { $x = cpid; }", tt.cfg)
		if strings.Contains(out, warning) != tt.warn {
			t.Errorf("%+v: printed %q, want the warning: %v", tt.cfg, out, tt.warn)
		}
	}
}
