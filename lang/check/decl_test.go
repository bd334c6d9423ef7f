package check_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/types"
)

// TestUntypedDecl: `let $x;` takes the type of the first value assigned to
// $x, before or after it, as in bpftrace 0.22 and later; one never
// assigned is an int64 with bpftrace's warning.
func TestUntypedDecl(t *testing.T) {
	tests := []struct {
		src  string
		want types.Type
		out  string // a warning or error the check prints
	}{
		{`BEGIN { let $x; $x = "hello"; }`, types.StringOf(6), ""},
		{`BEGIN { let $x; if (1) { $x = (1, "ab"); } }`, types.TupleOf(types.I64, types.StringOf(3)), ""},
		{`BEGIN { $x = 5; let $x; }`, types.I64, ""},
		{`BEGIN { let $x; }`, types.I64, "WARNING: Variable $x was never assigned to."},
		{`BEGIN { let $x; $x = 1; $x = "a"; }`, types.Type{}, "ERROR: Type mismatch for $x: trying to assign value of type 'string[2]'"},
	}
	for _, tt := range tests {
		info, out := checkSource(tt.src)
		if tt.out != "" && !strings.Contains(out, tt.out) {
			t.Errorf("%s: printed %q, want %q", tt.src, out, tt.out)
		}
		if !tt.want.IsValid() {
			if info != nil {
				t.Errorf("%s: no error", tt.src)
			}
			continue
		}
		if info == nil {
			t.Errorf("%s: %s", tt.src, out)
			continue
		}
		if got := info.Probes[0].Vars["$x"].Type; !got.Equal(tt.want) {
			t.Errorf("%s: $x is %s, want %s", tt.src, got, tt.want)
		}
	}
}
