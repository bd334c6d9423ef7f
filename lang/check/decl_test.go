package check_test

import (
	"slices"
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
		{`BEGIN { let $x; if (1) { $x = (1, "ab"); } }`, types.TupleOf(types.I8, types.StringOf(3)), ""},
		{`BEGIN { $x = 5; let $x; }`, types.Type{}, "ERROR: Variable $x was already declared. Variable shadowing is not allowed."},
		{`BEGIN { let $x = 5; let $x = 6; }`, types.Type{}, "This is the initial declaration."},
		{`BEGIN { $x = 5; let $x = 6; }`, types.Type{}, "This is the initial assignment."},
		{`BEGIN { let $x = 5; } END { let $x = "a"; }`, types.I64, ""},
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

// TestBlockScopes: a variable whose block has ended may be defined again
// with another type, in its own slot (the newest bpftrace's block scopes);
// it still outlives its block, as in 0.17, and a live one keeps its type.
func TestBlockScopes(t *testing.T) {
	tests := []struct {
		src   string
		slots []string // the probe's variables
		err   string
	}{
		{`BEGIN { @a[1] = 2; @b[1] = "s"; for ($kv : @a) { print($kv); } for ($kv : @b) { print($kv); } }`, []string{"$kv", "$kv#2"}, ""},
		{`BEGIN { if (1) { $x = 1; } else { $x = "a"; } }`, []string{"$x", "$x#2"}, ""},
		{`BEGIN { if (1) { $x = 1; } print($x); }`, []string{"$x"}, ""},
		{`BEGIN { if (1) { $x = 1; } $x = 2; if (1) { $x = 3; } }`, []string{"$x"}, ""},
		{`BEGIN { $x = 1; if (1) { $x = "a"; } }`, nil, "Type mismatch for $x"},
		{`BEGIN { if (1) { $x = 1; } $x = 2; if (1) { $x = "a"; } }`, nil, "Type mismatch for $x"},
	}
	for _, tt := range tests {
		info, out := checkSource(tt.src)
		if tt.err != "" {
			if info != nil || !strings.Contains(out, tt.err) {
				t.Errorf("%s: printed %q, want %q", tt.src, out, tt.err)
			}
			continue
		}
		if info == nil {
			t.Errorf("%s: %s", tt.src, out)
			continue
		}
		var got []string
		for n := range info.Probes[0].Vars {
			got = append(got, n)
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.slots) {
			t.Errorf("%s: variables %q, want %q", tt.src, got, tt.slots)
		}
	}
}
