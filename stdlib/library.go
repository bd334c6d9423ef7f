package stdlib

import (
	_ "embed"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
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
