package main

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/parse"
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
