package stdlib_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/stdlib"
)

// askedEnv records what the checker asks KfuncAllowed.
type askedEnv struct {
	*probetest.Env
	asked []string
}

func (e *askedEnv) KfuncAllowed(name string, k *probe.Kind, target string) (bool, error) {
	e.asked = append(e.asked, name+" "+k.Name+" "+target)
	return e.Env.KfuncAllowed(name, k, target)
}

// TestKfuncAllowed: kfunc_allowed("name") is the constant the environment
// answers for the probe's kind (and, for tracing kinds, its first point's
// function), false for a name the kernel's BTF does not have; the name
// must be a string literal.
func TestKfuncAllowed(t *testing.T) {
	for _, c := range []struct {
		src   string
		want  int64
		asked string
	}{
		{`kfunc:vfs_read { $x = kfunc_allowed("bpf_task_from_pid"); }`, 1, "bpf_task_from_pid kfunc vfs_read"},
		{`tp_btf:sched_switch { $x = kfunc_allowed("bpf_task_from_pid"); }`, 1, "bpf_task_from_pid tp_btf sched_switch"},
		{`tracepoint:sched:sched_switch { $x = kfunc_allowed("bpf_task_from_pid"); }`, 1, "bpf_task_from_pid tracepoint "},
		{`rawtracepoint:sched_switch { $x = kfunc_allowed("bpf_task_from_pid"); }`, 0, "bpf_task_from_pid rawtracepoint "},
		{`BEGIN { $x = kfunc_allowed("bpf_task_from_pid"); }`, 0, "bpf_task_from_pid BEGIN "},
		{`interval:s:1 { $x = kfunc_allowed("vfs_read"); }`, 0, "vfs_read interval "},
		{`kprobe:vfs_read { $x = kfunc_allowed("no_such_kfunc"); }`, 0, "no_such_kfunc kprobe "},
	} {
		prog, diags := parse.Parse("stdin", c.src)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", c.src, diags.Err())
		}
		env := &askedEnv{Env: probetest.New()}
		info, diags := check.Check(prog, check.Config{Env: env, Builtins: stdlib.New()})
		if diags.HasErrors() {
			t.Errorf("%s: %v", c.src, diags.Err())
			continue
		}
		rhs := info.Prog.Probes[0].Body.Stmts[0].(*ast.AssignStmt).RHS
		if v, ok := info.Consts[rhs]; !ok || v != c.want || info.Types[rhs].String() != "bool" {
			t.Errorf("%s: got %d (constant %v) of type %s, want %d", c.src, v, ok, info.Types[rhs], c.want)
		}
		if strings.Join(env.asked, ";") != c.asked {
			t.Errorf("%s: asked %q, want %q", c.src, env.asked, c.asked)
		}
	}
	for src, want := range map[string]string{
		`BEGIN { $n = "x"; $x = kfunc_allowed($n); }`: "stdin:1:24-41: ERROR: kfunc_allowed() accepts a string literal only",
		`BEGIN { $x = kfunc_allowed(); }`:             "ERROR: kfunc_allowed() requires one argument (0 provided)",
	} {
		prog, diags := parse.Parse("stdin", src)
		if !diags.HasErrors() {
			_, diags = check.Check(prog, check.Config{Env: probetest.New(), Builtins: stdlib.New()})
		}
		var b strings.Builder
		diag.RenderAll(&b, diag.Source{Name: "stdin", Text: src}, diags)
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s: got %q, want %q", src, b.String(), want)
		}
	}
}
