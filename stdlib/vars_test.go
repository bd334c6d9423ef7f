package stdlib_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/stdlib"
)

// typeOf checks `BEGIN { $x = expr; }` and returns the type of expr, or
// the rendered errors.
func typeOf(t *testing.T, expr string) (string, string) {
	t.Helper()
	return probeTypeOf(t, "BEGIN", expr)
}

// TestVarTypes: the CPU facts as bpftrace types them; ncpus and numaid
// are variables that may also be called without arguments.
func TestVarTypes(t *testing.T) {
	for expr, want := range map[string]string{
		"ncpus": "uint64", "ncpus()": "uint64", "numcpus": "uint64",
		"numaid": "uint32", "numaid()": "uint32",
		"cpu": "uint64", "pid": "uint32", "comm": "string[16]",
	} {
		got, errs := typeOf(t, expr)
		if got != want {
			t.Errorf("%s: got type %q, want %q %s", expr, got, want, errs)
		}
	}
	for expr, want := range map[string]string{
		"ncpus(1)":  "ncpus() requires no arguments (1 provided)",
		"numaid(2)": "numaid() requires no arguments (1 provided)",
	} {
		if _, errs := typeOf(t, expr); !strings.Contains(errs, want) {
			t.Errorf("%s: got errors %q, want %q", expr, errs, want)
		}
	}
}

// TestNumcpusIsNcpus: the alias names the same entry.
func TestNumcpusIsNcpus(t *testing.T) {
	tb := stdlib.New()
	if a, b := tb.Entry("numcpus"), tb.Entry("ncpus"); a == nil || a != b {
		t.Errorf("numcpus is %v, ncpus %v", a, b)
	}
}

// constOf checks `BEGIN { $x = expr; }` and returns the constant expr
// folds to, if it does, or the rendered errors.
func constOf(t *testing.T, expr string) (int64, bool, string) {
	t.Helper()
	src := "BEGIN { $x = " + expr + "; }"
	prog, diags := parse.Parse("stdin", src)
	if diags.HasErrors() {
		t.Fatalf("%s: %v", src, diags.Err())
	}
	info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: stdlib.New()})
	if diags.HasErrors() {
		var b strings.Builder
		diag.RenderAll(&b, diag.Source{Name: "stdin", Text: src}, diags)
		return 0, false, b.String()
	}
	rhs := info.Prog.Probes[0].Body.Stmts[0].(*ast.AssignStmt).RHS
	v, ok := info.Consts[rhs]
	return v, ok, ""
}
