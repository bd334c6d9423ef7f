package check_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
)

// TestFoldIntLiterals folds operators on integer literals as bpftrace
// 0.27.1 prints them (each compared with it), and as 0.17 wraps them
// under --compat=0.17.
func TestFoldIntLiterals(t *testing.T) {
	tests := []struct {
		expr, newest, v017 string // the value printed, or the error ("": not compared)
	}{
		{"1 << 63", "9223372036854775808", "-9223372036854775808"},
		{"3 << 62", "13835058055282163712", "-4611686018427387904"},
		{"4 << 62", "0", "0"},
		{"-16 >> 2", "-4", "4611686018427387900"},
		{"-1 >> 63", "-1", "1"},
		{"9223372036854775807 + 1", "9223372036854775808", "-9223372036854775808"},
		{"-4611686018427387904 * -2", "9223372036854775808", "-9223372036854775808"},
		{"0 - 9223372036854775808", "-9223372036854775808", ""},
		{"(1 << 63) / 2", "4611686018427387904", "4611686018427387904"},
		{"18446744073709551615 - 1", "18446744073709551614", "18446744073709551614"},
		{"-10 % 3", "-1", "0"},
		{"1 + 2 * 3 - 4", "3", "3"},
		{"~5", "18446744073709551610", "18446744073709551610"},
		{"~(-5)", "4", "4"},
		{"- -9223372036854775808", "9223372036854775808", "-9223372036854775808"},
		{"9223372036854775807 * 2", "18446744073709551614", "-2"},
		{"9223372036854775807 * 3", "ERROR: unable to fold literals due to overflow or underflow", "9223372036854775805"},
		{"18446744073709551615 + 1", "ERROR: unable to fold literals due to overflow or underflow", "0"},
		{"1 - 18446744073709551615", "ERROR: unable to fold literals due to overflow or underflow", "2"},
		{"-1 ^ 18446744073709551615", "ERROR: unable to fold literals due to overflow or underflow", "0"},
		// 0.17 prints what its compiler made of these (-2111567171).
		{"1 << 64", "ERROR: unable to fold literals due to overflow or underflow", ""},
		{"1 << -1", "ERROR: unable to fold literals due to overflow or underflow", ""},
		{"5 / 0", "ERROR: unable to fold literals due to overflow or underflow", ""},
		{"-18446744073709551615", "ERROR: negative value will underflow", "1"},
	}
	for _, tt := range tests {
		for _, v := range []compat.Version{compat.Newest, compat.V017} {
			want := tt.newest
			if v == compat.V017 {
				want = tt.v017
			}
			if want == "" {
				continue
			}
			src := "BEGIN { @x = " + tt.expr + "; }"
			info, out := checkSourceWith(src, check.Config{Compat: v})
			if info == nil {
				if !strings.Contains(out, want) || !strings.HasPrefix(want, "ERROR") {
					t.Errorf("%v: %s:\n%s\nwant %s", v, tt.expr, out, want)
				}
				continue
			}
			rhs := info.Prog.Probes[0].Body.Stmts[0].(*ast.AssignStmt).RHS
			n, ok := info.Consts[rhs]
			got := strconv.FormatInt(n, 10)
			if typ := info.Types[rhs]; !typ.Signed {
				got = strconv.FormatUint(uint64(n), 10)
			}
			if !ok || got != want {
				t.Errorf("%v: %s = %s (constant %v), want %s", v, tt.expr, got, ok, want)
			}
		}
	}
}
