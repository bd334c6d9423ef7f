package main

import (
	"fmt"
	"io"

	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/format"
	"github.com/gbt-dev/gbt/lang/parse"
)

// formatScript prints the script of name formatted as the newest
// bpftrace's --fmt prints it, probes or none (a file of macros to
// import); a script that does not parse is reported as a run would
// report it.
func formatScript(stdout, stderr io.Writer, name, src string) int {
	prog, diags := parse.Fragment(name, src)
	if diags.HasErrors() || prog == nil {
		diag.RenderAll(stderr, diag.Source{Name: name, Text: src}, diags)
		return exitError
	}
	fmt.Fprint(stdout, format.Source(prog))
	return exitOK
}
