package stdlib

import (
	_ "embed"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/macro"
	"github.com/gbt-dev/gbt/lang/parse"
)

// baseBT is bpftrace's stdlib/base.bt for gbt: the builtins that bpftrace
// writes as macros in the script language and gbt does too (assert).
//
//go:embed base.bt
var baseBT string

// LibraryFile is the name messages give base.bt's lines, bpftrace's.
const LibraryFile = "stdlib/base.bt"

// Library parses the standard library's macros, which lang/macro expands
// in every script (a script's own macro of the same name and parameters
// wins).
func Library() ([]*ast.MacroDef, diag.List) {
	return parse.Library(LibraryFile, baseBT)
}

// ExpandMacros expands the macros a parsed script uses, its own and the
// library's, before it is checked against t (lang/macro): a call to one
// of t's builtins that no macro matches is left to the builtin.
func (t *Table) ExpandMacros(prog *ast.Program) (*ast.Program, diag.List) {
	lib, diags := Library()
	if diags.HasErrors() {
		return nil, diags // gbt's own library does not parse: say where
	}
	return macro.Expand(prog, macro.Config{Library: lib, IsBuiltin: func(name string) bool {
		_, ok := t.Lookup(name)
		return ok
	}})
}
