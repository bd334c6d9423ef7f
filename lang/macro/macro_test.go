package macro_test

import (
	"flag"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/internal/golden"
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/macro"
	"github.com/gbt-dev/gbt/lang/parse"
)

var update = flag.Bool("update", false, "rewrite golden files")

// library stands for the standard library: a file of macros with its own
// name in messages.
const library = `// lib.bt
macro assert(cond, msg)
{
  if (!cond) {
    errorf("assert failed: %s", msg);
    exit(1);
  }
}
macro twice(x) { x + x }
macro call_user() { user() }
`

var builtins = map[string]bool{"pid": true, "comm": true, "cpu": true, "printf": true, "print": true, "exit": true, "errorf": true}

func expand(t *testing.T, src string) (*ast.Program, string) {
	t.Helper()
	lib, diags := parse.Library("lib.bt", library)
	if diags.HasErrors() {
		t.Fatalf("library: %v", diags.Err())
	}
	var b strings.Builder
	source := diag.Source{Name: "stdin", Text: src}
	prog, diags := parse.Parse("stdin", src)
	if diags.HasErrors() {
		diag.RenderAll(&b, source, diags)
		return nil, b.String()
	}
	out, diags := macro.Expand(prog, macro.Config{Library: lib, IsBuiltin: func(name string) bool { return builtins[name] }})
	diag.RenderAll(&b, source, diags)
	if diags.HasErrors() {
		return nil, b.String()
	}
	return out, b.String()
}

// TestExpand prints each script after expansion.
func TestExpand(t *testing.T) {
	golden.Scripts(t, "testdata/expand/*.bt", 8, *update, func(t *testing.T, src string) string {
		prog, errs := expand(t, src)
		if prog == nil {
			t.Fatalf("errors:\n%s", errs)
		}
		return ast.Format(&ast.Program{Probes: prog.Probes})
	})
}

// TestErrors renders the errors of each bad script in bpftrace's words.
func TestErrors(t *testing.T) {
	golden.Scripts(t, "testdata/errors/*.bt", 8, *update, func(t *testing.T, src string) string {
		prog, errs := expand(t, src)
		if prog != nil {
			t.Fatalf("no error for:\n%s", src)
		}
		return errs
	})
}

// TestNoMacrosNoCopy: a script that uses no macro is returned as it is.
func TestNoMacrosNoCopy(t *testing.T) {
	prog, _ := parse.Parse("stdin", `macro f() { 1 } BEGIN { printf("%d", pid); }`)
	out, diags := macro.Expand(prog, macro.Config{})
	if diags.HasErrors() || out != prog {
		t.Errorf("got a copy (%v) or errors %v", out != prog, diags)
	}
}

// TestExpansionOrigin: nodes copied from a body name the call they were
// expanded for, and a nested expansion the call inside the outer body.
func TestExpansionOrigin(t *testing.T) {
	src := `macro inner(x) { x; 1 } macro outer(y) { $z = 0; inner(y) } BEGIN { $a = outer(2); }`
	prog, errs := expand(t, src)
	if prog == nil {
		t.Fatal(errs)
	}
	outerCol := strings.Index(src, "outer(2)") + 1
	innerCol := strings.Index(src, "inner(y)") + 1
	outer := prog.Probes[0].Body.Stmts[0].(*ast.AssignStmt).RHS.(*ast.BlockExpr)
	if outer.Span.Origin != nil || outer.Span.Start.Col != outerCol {
		t.Errorf("outer expansion at %v origin %v, want the call at 1:%d", outer.Span.Start, outer.Span.Origin, outerCol)
	}
	inner := outer.Value.(*ast.BlockExpr)
	one := inner.Value.(*ast.IntLit)
	o := one.Span.Origin
	if o == nil || o.From.Start.Col != innerCol || o.From.Origin == nil || o.From.Origin.From.Start.Col != outerCol {
		t.Errorf("1 in inner: origin %+v, want from inner(y) at %d, itself from outer(2) at %d", o, innerCol, outerCol)
	}
}
