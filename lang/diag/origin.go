package diag

import (
	"io"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
)

// spanSource is the text a span's lines are in: its Origin's file, or the
// script.
func spanSource(src Source, span ast.Span) Source {
	if o := span.Origin; o != nil && o.File != "" {
		return Source{Name: o.File, Text: o.Text}
	}
	return src
}

// writeExpansions writes, for a span inside a macro's expansion, each call
// it was expanded from, innermost first, as bpftrace does:
//
//	stdin:1:50-55: ERROR: expanded from
//	macro bad() { errorf("Something bad"); } begin { bad(); }
//	                                                 ~~~~~
func writeExpansions(b *strings.Builder, src Source, span ast.Span, sev Severity) {
	for o := span.Origin; o != nil && o.From.Start.IsValid(); o = o.From.Origin {
		located(b, src, o.From, sev, "expanded from", true)
	}
}

// Message writes a message of the running script at span, as errorf and
// warnf print theirs: "file:L:C-C: SEVERITY: text" without the source
// line, then the macro calls the span was expanded from.
func Message(w io.Writer, src Source, span ast.Span, sev Severity, text string) error {
	var b strings.Builder
	located(&b, src, span, sev, text, false)
	writeExpansions(&b, src, span, sev)
	_, err := io.WriteString(w, b.String())
	return err
}
