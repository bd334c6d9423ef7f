package check_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// TestUprobeArgs: uprobe args come from the probed file's DWARF (the
// canned uprobe_test has it), as do the structs its pointers and casts
// name; a script's own struct wins.
func TestUprobeArgs(t *testing.T) {
	const bin = "uprobe:/srv/testprogs/uprobe_test:"
	tests := []struct{ src, want string }{
		{bin + `uprobeFunction1 { printf("%c %d\n", args->c, *args.n); }`, ""},
		{bin + `uprobeFunction2 { printf("%d %s\n", args->foo1->a, args.foo1.b); print(args.foo1.c); }`, ""},
		{bin + `uprobeFunction2 { printf("%d\n", ((struct Foo *)arg0).a); }`, ""},
		{bin + `uprobeFunction1 { print(args); @a = args; @k[args] = 1; @t[(1, args)] = (args, "x"); $v = args; print($v.c); }`, ""},
		{`struct Foo { int b; } ` + bin + `uprobeFunction2 { printf("%d\n", ((struct Foo *)arg0)->b); }`, ""},
		{bin + `uprobeFunctionBar { let $x: struct Foo *[2] = args.bar->foos; print($x[0]->a); print(args.bar.nested.c[1]); }`, ""},
		{bin + `uprobeFunctionBar { let $x: struct Foo *[3] = args.bar->foos; }`, "ERROR: Cannot cast from"},
		{bin + `uprobeFunctionBar { let $x: int *[2] = args.bar->foos; }`, "ERROR: Cannot cast from"},
		{bin + `uprobeFunction2 { print(args.foo1.nosuch); }`, "ERROR: Struct/union of type 'struct Foo' does not contain a field named 'nosuch'"},
		{bin + `uprobeFunction1 { print(args.nosuch); }`, "ERROR: Struct/union of type 'struct uprobeFunction1_args' does not contain a field named 'nosuch'"},
		{bin + `uprobeFunction* { print(args); }`, "ERROR: uprobe:/srv/testprogs/uprobe_test:uprobeFunction1 and uprobe:/srv/testprogs/uprobe_test:uprobeFunction2 have different arguments"},
		{bin + `uprobeFunction1+4 { print(args); }`, "ERROR: args can not be read at an offset into a function"},
		{`uprobe:/bin/bash:main { print(args); }`, "ERROR: Could not read arguments of uprobe:/bin/bash:main"},
		{`uretprobe:/srv/testprogs/uprobe_test:uprobeFunction1 { print(args); }`, "ERROR: The args builtin can only be used with tracepoint, rawtracepoint, fentry/fexit, and uprobe probes (uretprobe used here)"},
		{`uprobe:/bin/bash:main { @ = arg0; }`, ""}, // no debug info needed without args
	}
	for _, tt := range tests {
		_, out := checkSource(tt.src)
		if tt.want == "" && out != "" || !strings.Contains(out, tt.want) {
			t.Errorf("%s:\n%s\nwant %q", tt.src, out, tt.want)
		}
	}
}

// TestUprobeArgsRecord: args is one slot per parameter, a value where
// a script copies it and the context where it reads a field.
func TestUprobeArgsRecord(t *testing.T) {
	info, out := checkSource(`uprobe:/srv/testprogs/uprobe_test:uprobeFunction1 { print(args); @ = args->c; }`)
	if info == nil {
		t.Fatal(out)
	}
	pi := info.Probes[0]
	if pi.Args == nil || len(pi.Args.Fields) != 2 {
		t.Fatalf("args record %v", pi.Args)
	}
	n, c := pi.Args.Fields[0], pi.Args.Fields[1]
	if n.Name != "n" || n.Offset != 0 || n.Type.Kind != types.Pointer || c.Name != "c" || c.Offset != 8 || !c.Type.Equal(types.I8) {
		t.Errorf("args fields %+v", pi.Args.Fields)
	}
	var value, ctx int
	ast.Inspect(pi.Probe.Body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == "args" {
			switch tt := info.Types[id]; {
			case tt.Kind == types.Record && !tt.Ctx:
				value++
			case tt.Kind == types.Pointer && tt.Ctx:
				ctx++
			}
		}
		return true
	})
	if value != 1 || ctx != 1 {
		t.Errorf("args typed as a value %d times, as the context %d times; want 1 and 1", value, ctx)
	}
}
