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

// TestPercpuKaddr: percpu_kaddr is a uint64, as the newest bpftrace types
// it, of a variable the kernel's BTF has; its misuse in bpftrace's words.
func TestPercpuKaddr(t *testing.T) {
	for _, expr := range []string{`percpu_kaddr("process_counts")`, `percpu_kaddr("runqueues", 0)`, `percpu_kaddr("runqueues", cpu)`} {
		if got, errs := typeOf(t, expr); got != "uint64" {
			t.Errorf("%s: got type %q, want uint64 %s", expr, got, errs)
		}
	}
	for expr, want := range map[string]string{
		`percpu_kaddr("jiffies")`:             `stdin:1:14-37: ERROR: Could not resolve variable "jiffies" from BTF`,
		`percpu_kaddr()`:                      "ERROR: percpu_kaddr() requires at least one argument (0 provided)",
		`percpu_kaddr("a", 1, 2)`:             "ERROR: percpu_kaddr() takes up to 2 arguments (3 provided)",
		`percpu_kaddr(1)`:                     "ERROR: percpu_kaddr() expects a string literal (int provided)",
		`percpu_kaddr(comm)`:                  "ERROR: percpu_kaddr() expects a string literal (string provided)",
		`percpu_kaddr("process_counts", "a")`: "ERROR: percpu_kaddr() only supports int arguments (string provided)",
	} {
		if _, errs := typeOf(t, expr); !strings.Contains(errs, want) {
			t.Errorf("%s: got errors %q, want %q", expr, errs, want)
		}
	}
}

// containerOf checks `$x = container_of(args)` after a struct Foo of the
// script, with the standard library's macros expanded, and returns the
// type of $x or the rendered errors.
func containerOf(t *testing.T, args string) (string, string) {
	t.Helper()
	src := "struct Foo { int a; int b; struct Foo *next; }\nBEGIN { $x = container_of(" + args + "); }"
	table := stdlib.New()
	var b strings.Builder
	prog, diags := parse.Parse("stdin", src)
	if !diags.HasErrors() {
		prog, diags = table.ExpandMacros(prog)
	}
	var info *check.Info
	if !diags.HasErrors() {
		info, diags = check.Check(prog, check.Config{Env: probetest.New(), Builtins: table})
	}
	if diags.HasErrors() {
		diag.RenderAll(&b, diag.Source{Name: "stdin", Text: src}, diags)
		return "", b.String()
	}
	rhs := info.Prog.Probes[0].Body.Stmts[0].(*ast.AssignStmt).RHS
	return info.Types[rhs].String(), ""
}

// TestContainerOf: the standard library's container_of is a pointer to
// the type passed, whatever the member pointer's type (bpftrace checks
// none); a member the type lacks is offsetof's error, in the library.
func TestContainerOf(t *testing.T) {
	for _, args := range []string{"(int32 *)8, typeof(struct Foo), b", "curtask, typeof(struct Foo), next", "8, typeof(struct Foo), a"} {
		if got, errs := containerOf(t, args); got != "struct Foo *" {
			t.Errorf("container_of(%s): got %q, want struct Foo * %s", args, got, errs)
		}
	}
	if got, _ := containerOf(t, "(int32 *)8, typeof(struct task_struct), pid"); got != "struct task_struct *" {
		t.Errorf("container_of of a kernel struct: %q", got)
	}
	for args, want := range map[string]string{
		"(int32 *)8, typeof(struct Foo), c": "stdlib/base.bt:46:19-41: ERROR: 'struct Foo' has no field named 'c'\n" +
			"  (type*)($vptr - offsetof(type, member))\n                  ~~~~~~~~~~~~~~~~~~~~~~\n" +
			"stdin:2:14-61: ERROR: expanded from\n",
		"(int32 *)8, typeof(struct Foo)": "ERROR: Call to container_of() has arguments that do not match any definition.",
	} {
		if _, errs := containerOf(t, args); !strings.Contains(errs, want) {
			t.Errorf("container_of(%s): got errors\n%s\nwant\n%s", args, errs, want)
		}
	}
}
