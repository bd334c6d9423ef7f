package check_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
)

// TestStringFolding: what the checker says of operators on string
// literals, which it folds (the outputs are TestE2ELangNext's), in the
// newest bpftrace's words.
func TestStringFolding(t *testing.T) {
	env := probetest.New()
	for _, tt := range []struct{ src, want string }{
		{`begin { $a = "ab" + "cd"; $b = "abc" + 1; $c = 2 + "abc"; $d = ("abc" + 1) + 1; }`, ""},
		{`begin { $a = "abc" + 3; }`, "stdin:1:14-23: WARNING: literal string will always be empty"},
		{`begin { $a = "abc" + 30; }`, "WARNING: literal string will always be empty"},
		{`begin { $a = "a" - "b"; }`, "stdin:1:14-23: ERROR: illegal literal operation with strings"},
		{`begin { $a = "a" * "b"; }`, "ERROR: illegal literal operation with strings"},
		{`begin { $a = "abc" - 1; }`, "ERROR: Type mismatch for '-': comparing string[4] with int64"},
		{`begin { $a = "abc" + -1; }`, "ERROR: Type mismatch for '+'"},
		{`begin { $n = 1; $a = "abc" + $n; }`, "ERROR: Type mismatch for '+'"},
		{`begin { $s = "abc"; if ($s) { } }`, "ERROR: Invalid condition in if(): string[4]"},
		{`begin /"x"/ { if ("y") { } while ("") { } $t = "z" ? 1 : 2; $u = "a" <= "b"; $v = "a" || false; }`, ""},
		{`begin { $b = "x" && 1; }`, "ERROR: Type mismatch for '&&'"},
	} {
		got := checkWith(env, tt.src)
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("%s: got\n%s\nwant %q", tt.src, got, tt.want)
		}
	}
}

// TestIntVarWidening: an integer variable takes a type that holds every
// value assigned to it (bpftrace 0.27.1's), but a declared one keeps its
// type and refuses a value it cannot hold, in bpftrace's words.
func TestIntVarWidening(t *testing.T) {
	env := probetest.New()
	for _, tt := range []struct{ src, want string }{
		{`begin { $x = (uint8)1; $x = 300; }`, ""},
		{`begin { let $x: uint8 = 1; $x = 3; $x++; }`, ""},
		{`begin { let $x: uint8 = 1; $x = 300; }`, "stdin:1:28-36: ERROR: Type mismatch for $x: trying to assign value of type 'int16' when variable already has a type 'uint8'"},
		{`begin { let $x: uint16 = 1; $x = (uint32)5; }`, "ERROR: Type mismatch for $x: trying to assign value of type 'uint32' when variable already has a type 'uint16'"},
		{`begin { $s = "a"; $s = 1; }`, "ERROR: Type mismatch for $s"},
		// A uint64 literal past math.MaxInt64 is no -1: it makes the
		// variable a uint64, and no signed variable holds it.
		{`begin { $x = (uint8)0; $x = 18446744073709551615; $y = $x + 1; }`, ""},
		{`begin { $x = (int8)0; $x = 18446744073709551615; }`, "stdin:1:23-48: ERROR: Type mismatch for $x: trying to assign value of type 'uint64' when variable already has a type 'int64'"},
		{`begin { $x = (uint8)0; $x = 18446744073709551615; $x = -1; }`, "stdin:1:24-49: ERROR: Type mismatch for $x: trying to assign value of type 'uint64' when variable already has a type 'int64'"},
	} {
		got := checkWith(env, tt.src)
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("%s: got\n%s\nwant %q", tt.src, got, tt.want)
		}
	}
}

// TestBigUintLiteral017: under --compat=0.17 a uint64 literal past
// math.MaxInt64 stored to a signed map wraps, as 0.17 stores it (the
// newest bpftrace, and gbt by default, refuse it).
func TestBigUintLiteral017(t *testing.T) {
	const src = `BEGIN { @x = -1; @x = 18446744073709551615; $y = -1; $y = 18446744073709551615; }`
	for _, tt := range []struct {
		v    compat.Version
		want string
	}{
		{compat.V017, ""},
		{compat.Newest, "stdin:1:18-43: ERROR: Type mismatch for @x: trying to assign value of type 'uint64' when map already has a value type 'int64'"},
	} {
		_, out := checkSourceWith(src, check.Config{Compat: tt.v})
		if tt.want == "" && strings.Contains(out, "ERROR") || !strings.Contains(out, tt.want) {
			t.Errorf("%v: got\n%s\nwant %q", tt.v, out, tt.want)
		}
	}
}
