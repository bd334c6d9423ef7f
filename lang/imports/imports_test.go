package imports

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
)

func TestResolve(t *testing.T) {
	file := func(text string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(text), Mode: 0o644} }
	files := fstest.MapFS{
		"a.bt":         file("begin { @a1 = 1; }\nbegin { @a2 = 1; }\n"),
		"b.bt":         file("import \"a.bt\";\nbegin { @b1 = 1; }\nbegin { @b2 = 1; }\nmacro twice(x) { x * 2 }\nlet @m = hash(4);\n"),
		"lib/s.h":      file("struct S { int x; };\n"),
		"lib/t.bt":     file("begin { @t = 1; }\n"),
		"lib/n.txt":    file("not imported"),
		"lib/sub/u.bt": file("begin { @u = 1; }\n"),
		"conf.bt":      file("config = { max_map_keys = 3 }\nbegin { }\n"),
		"bad.bt":       file("begin { @x = ; }\n"),
		"open.bt":      {Data: []byte("begin { }\n"), Mode: 0o666},
		"f.bpf.c":      file("int f(void) { return 1; }\n"),
		"data.json":    file("{}"),
		"probe.h":      file("begin { }\n"),
	}
	tests := []struct {
		name, src string
		probes    string // the merged probes' first statements
		cdefs     int
		macros    int
		decls     int
		err       string // rendered diagnostics hold it
	}{
		{name: "order", src: `import "b.bt"; import "a.bt"; begin { @m1 = 1; } begin { @m2 = 1; }`,
			probes: "@b2 @b1 @a2 @a1 @m1 @m2", macros: 1, decls: 1},
		{name: "once", src: `import "a.bt"; import "a.bt"; begin { @m = 1; }`, probes: "@a2 @a1 @m"},
		{name: "directory", src: `import "lib"; begin { @m = 1; }`, probes: "@t @m", cdefs: 1},
		{name: "stdlib", src: `import "stdlib"; begin { @m = 1; }`, probes: "@m"},
		{name: "missing", src: `import "nope.bt"; begin { }`, err: "stdin:1:1-17: ERROR: Unable to find suitable path for import\n" + `import "nope.bt"; begin { }` + "\n~~~~~~~~~~~~~~~~\nHINT: checked: nope.bt\n"},
		{name: "config", src: `import "conf.bt"; begin { }`, err: "conf.bt:1:1-30: ERROR: invalid `config` within import"},
		{name: "syntax error in the file", src: `import "bad.bt"; begin { }`, err: "bad.bt:1:14-15: ERROR: syntax: "},
		{name: "writable by all", src: `import "open.bt"; begin { }`, err: "WARNING: skipping due to global write permissions: \"open.bt\""},
		{name: "C", src: `import "f.bpf.c"; begin { }`, err: `ERROR: cannot import "f.bpf.c": it is BPF C, and gbt compiles no C`},
		{name: "unknown type", src: `import "data.json"; begin { }`, err: `ERROR: unknown import type: "data.json"`},
		{name: "header with a probe", src: `import "probe.h"; begin { }`, err: "ERROR: probe.h: a header (.h) may hold C definitions only"},
		{name: "stdlib module", src: `import "stdlib/test"; begin { }`, err: `ERROR: gbt has no standard library module "stdlib/test"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog, diags := parse.Parse("stdin", tt.src)
			if diags.HasErrors() {
				t.Fatalf("parse: %v", diags)
			}
			diags = Resolve(prog, files)
			var b strings.Builder
			diag.RenderAll(&b, diag.Source{Name: "stdin", Text: tt.src}, diags)
			if tt.err != "" {
				if !strings.Contains(b.String(), tt.err) {
					t.Fatalf("diagnostics:\n%s\nwant them to hold:\n%s", b.String(), tt.err)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatalf("diagnostics:\n%s", b.String())
			}
			var got []string
			for _, p := range prog.Probes {
				got = append(got, ast.ExprString(p.Body.Stmts[0].(*ast.AssignStmt).LHS))
			}
			if strings.Join(got, " ") != tt.probes {
				t.Errorf("probes %v, want %s", got, tt.probes)
			}
			if len(prog.CDefs) != tt.cdefs || len(prog.MacroDefs) != tt.macros || len(prog.MapDecls) != tt.decls {
				t.Errorf("%d C definitions, %d macros, %d map declarations; want %d, %d, %d",
					len(prog.CDefs), len(prog.MacroDefs), len(prog.MapDecls), tt.cdefs, tt.macros, tt.decls)
			}
		})
	}
}
