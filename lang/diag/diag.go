// Package diag collects and renders diagnostics (errors and warnings) in
// bpftrace 0.17's shape:
//
//	stdin:1:14-17: ERROR: Unknown function: foo
//	BEGIN { @x = foo(); }
//	             ~~~
//	HINT: did you mean "for"?
//
// Columns are 1-based byte columns with a tab counted as one column; the
// echoed source line shows each tab as four spaces and the underline is
// placed under the expanded text. The HINT line is gbt's extension.
package diag

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
)

// Severity of a diagnostic.
type Severity uint8

// Severities.
const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "WARNING"
	}
	return "ERROR"
}

// Diagnostic is one positioned message.
type Diagnostic struct {
	Severity Severity
	Span     ast.Span // zero Span: no position (rendered as "ERROR: msg")
	Msg      string
	Hint     string // optional: how to fix it
	// C is the mistake in a C compiler's words, for an error inside a C
	// definition ("field has incomplete type 'struct X'"): it follows
	// the source line as clang prints it, "stdin:1:22: error: ...", the
	// line bpftrace (which compiles C definitions with clang) shows and
	// scripts match.
	C string
	// CAt, when set, is where C points instead of the span's start: the
	// file bpftrace's clang reads, definitions.h (see CPos).
	CAt *CPos
	// CFatal makes C a "fatal error", one clang stops at (a missing
	// #include), rather than an "error".
	CFatal bool
	// Context is a further positioned message that explains this one
	// ("This is the original definition."), rendered after it; it may
	// have its own Context.
	Context *Diagnostic
}

// CPos is a position in a file a C compiler read. bpftrace hands clang
// the script's C statements (its preprocessor lines and type
// definitions, in order, without the lines between them) as one file,
// "definitions.h", after a line of its own, and prints clang's messages
// at their positions there.
type CPos struct {
	File      string
	Line, Col int
}

// List is an ordered collection of diagnostics.
type List []*Diagnostic

// Errorf appends an error at span.
func (l *List) Errorf(span ast.Span, format string, args ...any) *Diagnostic {
	d := &Diagnostic{Severity: Error, Span: span, Msg: fmt.Sprintf(format, args...)}
	*l = append(*l, d)
	return d
}

// Warnf appends a warning at span.
func (l *List) Warnf(span ast.Span, format string, args ...any) *Diagnostic {
	d := &Diagnostic{Severity: Warning, Span: span, Msg: fmt.Sprintf(format, args...)}
	*l = append(*l, d)
	return d
}

// WithHint sets the hint of d and returns d.
func (d *Diagnostic) WithHint(format string, args ...any) *Diagnostic {
	d.Hint = fmt.Sprintf(format, args...)
	return d
}

// HasErrors reports whether any diagnostic is an error.
func (l List) HasErrors() bool {
	for _, d := range l {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Sort orders diagnostics by position and removes exact duplicates and
// further errors on a line that already has one (like go/scanner's
// ErrorList.RemoveMultiples, so one mistake yields one message).
func (l *List) Sort() {
	s := *l
	sort.SliceStable(s, func(i, j int) bool {
		a, b := s[i].Span.Start, s[j].Span.Start
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	out := s[:0]
	lastErrLine := -1
	var lastOrigin *ast.Origin
	for i, d := range s {
		if i > 0 && *d == *s[i-1] {
			continue
		}
		if d.Severity == Error && d.Span.Start.IsValid() {
			if d.Span.Start.Line == lastErrLine && d.Span.Origin == lastOrigin {
				continue
			}
			lastErrLine, lastOrigin = d.Span.Start.Line, d.Span.Origin
		}
		out = append(out, d)
	}
	*l = out
}

// Err returns the list as an error if it holds any error, else nil.
func (l List) Err() error {
	if !l.HasErrors() {
		return nil
	}
	return ErrorList(l)
}

// ErrorList is a List used as an error value. Its Error method gives the
// one-line form of the first error; use Render for the full form.
type ErrorList List

func (e ErrorList) Error() string {
	for _, d := range e {
		if d.Severity == Error {
			return d.Msg
		}
	}
	return "no errors"
}

// Source is the text diagnostics point into.
type Source struct {
	Name string // "stdin" for -e programs, else the file name
	Text string
}

// line returns the 1-based line n of the source without its newline.
func (s Source) line(n int) string {
	text := s.Text
	for i := 1; i < n; i++ {
		j := strings.IndexByte(text, '\n')
		if j < 0 {
			return ""
		}
		text = text[j+1:]
	}
	if j := strings.IndexByte(text, '\n'); j >= 0 {
		text = text[:j]
	}
	return strings.TrimSuffix(text, "\r")
}

// maxEcho bounds the echoed source line so that a 1 MB line cannot flood the terminal.
const maxEcho = 400

// Render writes d to w in bpftrace's shape: the message at its span, the
// calls its span was expanded from (macros), the hint, then its context.
func Render(w io.Writer, src Source, d *Diagnostic) {
	var b strings.Builder
	for ; d != nil; d = d.Context {
		if !d.Span.Start.IsValid() {
			fmt.Fprintf(&b, "%s: %s\n", d.Severity, d.Msg)
		} else {
			located(&b, src, d.Span, d.Severity, d.Msg, true)
			writeExpansions(&b, src, d.Span, d.Severity)
			if d.C != "" {
				at := CPos{File: spanSource(src, d.Span).Name, Line: d.Span.Start.Line, Col: d.Span.Start.Col}
				if d.CAt != nil {
					at = *d.CAt
				}
				kind := "error"
				if d.CFatal {
					kind = "fatal error"
				}
				fmt.Fprintf(&b, "%s:%d:%d: %s: %s\n", at.File, at.Line, at.Col, kind, d.C)
			}
		}
		if d.Hint != "" {
			fmt.Fprintf(&b, "HINT: %s\n", d.Hint)
		}
	}
	io.WriteString(w, b.String())
}

// located writes "file:L:C-C: SEVERITY: msg" and, with echo, the source
// line with ~~~ under the span.
func located(b *strings.Builder, src Source, span ast.Span, sev Severity, msg string, echo bool) {
	src = spanSource(src, span)
	start, end := span.Start, span.End
	endCol := end.Col
	if end.Line != start.Line || endCol <= start.Col {
		// bpftrace prints the span on the first line only.
		endCol = len(src.line(start.Line)) + 1
		if endCol <= start.Col {
			endCol = start.Col + 1
		}
	}
	fmt.Fprintf(b, "%s:%d:%d-%d: %s: %s\n", src.Name, start.Line, start.Col, endCol, sev, msg)
	if !echo {
		return
	}
	line := src.line(start.Line)
	echoed, under := underline(line, start.Col, endCol)
	b.WriteString(echoed)
	b.WriteByte('\n')
	b.WriteString(under)
	b.WriteByte('\n')
}

// underline expands tabs to four spaces and builds the ~~~ line for the
// 1-based half-open column range [from, to).
func underline(line string, from, to int) (echo, under string) {
	var e, u strings.Builder
	truncated := false
	for i := 0; i < len(line); i++ {
		if e.Len() >= maxEcho && i+1 > to {
			truncated = true
			break
		}
		col := i + 1
		mark := byte(' ')
		if col >= from && col < to {
			mark = '~'
		}
		if line[i] == '\t' {
			e.WriteString("    ")
			u.WriteString(strings.Repeat(string(mark), 4))
			continue
		}
		c := line[i]
		if c < 0x20 || c == 0x7f {
			c = '?' // never echo control bytes to the terminal
		}
		e.WriteByte(c)
		u.WriteByte(mark)
	}
	if truncated {
		e.WriteString("...")
	}
	// A span at end of line (e.g. "unexpected end of file") still gets a mark.
	if from > len(line) {
		u.WriteByte('~')
	}
	return e.String(), strings.TrimRight(u.String(), " ")
}

// RenderAll sorts l and writes every diagnostic to w.
func RenderAll(w io.Writer, src Source, l List) {
	l.Sort()
	for _, d := range l {
		Render(w, src, d)
	}
}
