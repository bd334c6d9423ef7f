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

// probeTypeOf checks `PROBE { $x = EXPR; }` and returns EXPR's type, or
// the rendered errors.
func probeTypeOf(t *testing.T, probe, expr string) (string, string) {
	t.Helper()
	src := probe + " { $x = " + expr + "; }"
	prog, diags := parse.Parse("stdin", src)
	if diags.HasErrors() {
		t.Fatalf("%s: %v", src, diags.Err())
	}
	info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: stdlib.New()})
	if diags.HasErrors() {
		var b strings.Builder
		diag.RenderAll(&b, diag.Source{Name: "stdin", Text: src}, diags)
		return "", b.String()
	}
	rhs := info.Prog.Probes[0].Body.Stmts[0].(*ast.AssignStmt).RHS
	return info.Types[rhs].String(), ""
}

// TestPathTypes: path() of a struct path or a pointer to one, in kfuncs
// and kretfuncs, is a string of BPFTRACE_MAX_STRLEN bytes or of the size
// given; other uses are refused in the newest bpftrace's words.
func TestPathTypes(t *testing.T) {
	for _, c := range []struct{ probe, expr, want string }{
		{"kfunc:vfs_read", "path(args->file->f_path)", "string[64]"},
		{"kretfunc:vfs_read", "path(args->file->f_path, 16)", "string[16]"},
		{"kfunc:vfs_read", "path((struct path *)args->buf)", "string[64]"},
	} {
		if got, errs := probeTypeOf(t, c.probe, c.expr); got != c.want {
			t.Errorf("%s { %s }: got %q, want %q %s", c.probe, c.expr, got, c.want, errs)
		}
	}
	for _, c := range []struct{ probe, expr, want string }{
		{"kprobe:vfs_read", "path(arg0)", "ERROR: The path function can only be used with 'fentry', 'fexit', 'iter' probes"},
		{"BEGIN", "path(0)", "ERROR: The path function can only be used with 'fentry', 'fexit', 'iter' probes"},
		{"kfunc:vfs_read", "path(args->count)", "ERROR: path() only supports pointer or C type argument (integer provided)"},
		{"kfunc:vfs_read", "path(args->file->f_path, args->count)", "ERROR: path: invalid size value, need non-negative literal"},
		{"kfunc:vfs_read", "path(args->file->f_path, -1)", "ERROR: path: invalid size value, need non-negative literal"},
		{"kfunc:vfs_read", "path()", "ERROR: path() requires at least one argument (0 provided)"},
	} {
		got, errs := probeTypeOf(t, c.probe, c.expr)
		if got != "" || !strings.Contains(errs, c.want) {
			t.Errorf("%s { %s }: got %q %s, want the error %q", c.probe, c.expr, got, errs, c.want)
		}
	}
}
