package check_test

import (
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// TestNumericParams types a positional parameter by its text: a number in
// int64's range is an int64, one past it (0xffffffffffffffff) a uint64,
// anything else a string.
func TestNumericParams(t *testing.T) {
	tests := []struct {
		param string
		want  types.Type
		val   int64
	}{
		{"12", types.I64, 12},
		{"-3", types.I64, -3},
		{"0x10", types.I64, 16},
		{"0xffffffffffffffff", types.U64, -1},
		{"18446744073709551615", types.U64, -1},
		{"18446744073709551616", types.StringOf(21), 0},
		{"abc", types.StringOf(4), 0},
	}
	for _, tt := range tests {
		info, out := checkSource(`BEGIN { @x = $1; }`, tt.param)
		if info == nil {
			t.Fatalf("%s: %s", tt.param, out)
		}
		ast.Inspect(info.Prog, func(n ast.Node) bool {
			p, ok := n.(*ast.Positional)
			if !ok {
				return true
			}
			if got := info.Types[p]; !got.Equal(tt.want) {
				t.Errorf("$1 = %s: type %s, want %s", tt.param, got, tt.want)
			}
			if v, ok := info.Consts[p]; tt.want.IsInt() && (!ok || v != tt.val) {
				t.Errorf("$1 = %s: value %d (%v), want %d", tt.param, v, ok, tt.val)
			}
			return false
		})
	}
}
