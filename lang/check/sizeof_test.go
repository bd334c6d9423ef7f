package check_test

import (
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
)

// TestSizeofTypes folds sizeof of types and of typeof, as the newest
// bpftrace (0.27.1) prints them: arrays of any element, typeof of a type
// or of an expression never evaluated.
func TestSizeofTypes(t *testing.T) {
	tests := []struct {
		before string // statements before @x = sizeof(...)
		expr   string
		want   int64
	}{
		{"", "sizeof(uint32[4])", 16},
		{"", "sizeof(uint32*[10])", 80},
		{"", "sizeof(uint32[4]*)", 8},
		{"$p = (uint32[4]*)0;", "sizeof(*$p)", 16},
		{"", "sizeof(struct task_struct *[4])", 32},
		{"", "sizeof(char[3])", 3},
		{"", "sizeof(string[8])", 8},
		{"", "sizeof(uint8[])", 0},
		{"", "sizeof(typeof(uint16))", 2},
		{"", "sizeof(typeof(uint16)*)", 8},
		{"$x = 1;", "sizeof(typeof($x))", 1},
		{"$x = (int32)1;", "sizeof(typeof($x))", 4},
		{"", "sizeof(typeof(*curtask)) == sizeof(struct task_struct)", 1},
		{"", "sizeof(typeof(1 == 2))", 1},
	}
	for _, tt := range tests {
		src := "BEGIN { " + tt.before + " @x = " + tt.expr + "; }"
		info, out := checkSource(src)
		if info == nil {
			t.Errorf("%s:\n%s", src, out)
			continue
		}
		stmts := info.Prog.Probes[0].Body.Stmts
		rhs := stmts[len(stmts)-1].(*ast.AssignStmt).RHS
		if got, ok := info.Consts[rhs]; !ok || got != tt.want {
			t.Errorf("%s = %d (constant %v), want %d", tt.expr, got, ok, tt.want)
		}
	}
}
