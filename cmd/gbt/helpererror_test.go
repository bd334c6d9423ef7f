package main

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/stdlib"
)

// TestFromStatement: bpftrace 0.17 reports a refused helper from the start
// of the statement holding the call to the call's end.
func TestFromStatement(t *testing.T) {
	src := `kfunc:vfs_read { $x = 1; print(path(args->file->f_path)); }`
	prog, diags := parse.Parse("stdin", src)
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	var call ast.Span
	ast.Inspect(prog, func(n ast.Node) bool {
		if c, ok := n.(*ast.Call); ok && c.Name == "path" {
			call = c.NodeSpan()
		}
		return true
	})
	got := fromStatement(prog, call)
	if text := src[got.Start.Offset:got.End.Offset]; text != "print(path(args->file->f_path)" {
		t.Errorf("span %v-%v is %q, want the statement from its start to path()'s end", got.Start, got.End, text)
	}
	if !strings.HasPrefix(src[call.Start.Offset:], "path(") {
		t.Errorf("path() call not found: %v", call)
	}
}

// TestBuiltinAt: a verifier error at a helper call is explained by the
// stdlib entry of the innermost call holding the instruction's span.
func TestBuiltinAt(t *testing.T) {
	a := &app{table: stdlib.New()}
	for _, tt := range []struct {
		src, at string // at: the text of the span, found in src
		want    string
	}{
		{src: `kfunc:vfs_read { print(path(args->file->f_path)); }`, at: "path(args->file->f_path)", want: "path"},
		{src: `kfunc:vfs_read { print(path(args->file->f_path)); }`, at: "args->file", want: "path"},
		{src: `kfunc:vfs_read { print(path(args->file->f_path)); }`, at: "print(path(args->file->f_path))", want: "print"},
		{src: `kprobe:f { override(-1); }`, at: "override(-1)", want: "override"},
		{src: `kprobe:f { $x = 1; override($x); }`, at: "$x = 1", want: ""},
	} {
		prog, diags := parse.Parse("stdin", tt.src)
		if diags.HasErrors() {
			t.Fatal(diags.Err())
		}
		i := strings.Index(tt.src, tt.at)
		if i < 0 {
			t.Fatalf("%q not in %q", tt.at, tt.src)
		}
		var span ast.Span
		ast.Inspect(prog, func(n ast.Node) bool {
			if s := n.NodeSpan(); s.Start.Offset == i && s.End.Offset == i+len(tt.at) {
				span = s
			}
			return true
		})
		if span == (ast.Span{}) {
			t.Fatalf("no node spans %q in %q", tt.at, tt.src)
		}
		got := ""
		if e := a.builtinAt(prog, span); e != nil {
			got = e.Name
		}
		if got != tt.want {
			t.Errorf("builtinAt(%q in %q) = %q, want %q", tt.at, tt.src, got, tt.want)
		}
	}
}

// TestNeedsHints: every entry that calls a helper some kernels lack or
// refuse says what a kernel needs for it.
func TestNeedsHints(t *testing.T) {
	table := stdlib.New()
	for _, name := range []string{"override", "path", "write_user"} {
		if e := table.Entry(name); e == nil || e.Needs == "" {
			t.Errorf("%s: no Needs hint", name)
		}
	}
}
