package check_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
)

// TestCastTypes: the types casts give, as the newest bpftrace types them
// (void * is a pointer to bytes in gbt, as BTF's and tracefs's are).
func TestCastTypes(t *testing.T) {
	tests := []struct{ probe, expr, want string }{
		{"BEGIN", "(int8[8])12345", "int8[8]"},
		{"BEGIN", "(int8[])12345", "int8[2]"}, // the literal is an int16, as the newest bpftrace sizes it
		{"BEGIN", "(uint16[])(int32)1", "uint16[2]"},
		{"BEGIN", "(int8[4])(int16)1", "int8[4]"},
		{"BEGIN", `(int8[])"hello"`, "int8[6]"},
		{"BEGIN", `(uint8[4])pton("1.2.3.4")`, "uint8[4]"},
		{"BEGIN", `(uint32)pton("1.2.3.4")`, "uint32"},
		{"BEGIN", "(void *)0", "uint8 *"},
		{"BEGIN", "(uint64_t)1", "uint64"},
		{"BEGIN", "(__s16)1", "int16"},
		{"BEGIN", "(pid) * 2", "uint64"},
		{"BEGIN", "(void **)0", "uint8 **"},
		{"BEGIN", "(uint32[4]*)0", "uint32[4] *"},
		{"BEGIN", "(struct task_struct *[2]*)0", "struct task_struct *[2] *"},
		{"interval:s:1", "(struct task_struct *)ctx", "struct task_struct *"},
		{"interval:s:1", "(uint64)ctx", "uint64"},
		{"BEGIN", `(string[64])"abc"`, "string[64]"},
		{"BEGIN", `(string[16])comm`, "string[16]"},
	}
	for _, tt := range tests {
		src := tt.probe + " { $v = " + tt.expr + "; }"
		info, out := checkSource(src)
		if info == nil {
			t.Errorf("%s:\n%s", src, out)
			continue
		}
		rhs := info.Prog.Probes[0].Body.Stmts[0].(*ast.AssignStmt).RHS
		if got := info.Types[rhs].String(); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.expr, got, tt.want)
		}
	}
}

// TestStringCastErrors: (string[N]) takes a string of at most N bytes, in
// the newest bpftrace's words, at the cast's type.
func TestStringCastErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`(string[2])"abc"`, `stdin:1:14-25: ERROR: Cannot cast from "string[4]" to "string[2]"`},
		{`(string)"abc"`, `stdin:1:14-22: ERROR: Cannot cast from "string[4]" to "string"`},
		{`(string[8])1`, `stdin:1:14-25: ERROR: Cannot cast from "int64" to "string[8]"`},
	}
	for _, tt := range tests {
		src := "BEGIN { $v = " + tt.expr + "; }"
		if info, out := checkSource(src); info != nil || !strings.Contains(out, tt.want) {
			t.Errorf("%s: got\n%s\nwant %s", src, out, tt.want)
		}
	}
}
