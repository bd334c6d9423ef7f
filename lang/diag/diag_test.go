package diag

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
)

func span(line, col, endCol int) ast.Span {
	return ast.Span{Start: ast.Pos{Line: line, Col: col}, End: ast.Pos{Line: line, Col: endCol}}
}

func TestRender(t *testing.T) {
	tests := []struct {
		name string
		src  string
		d    Diagnostic
		want string
	}{
		{
			name: "bpftrace unknown function",
			src:  "BEGIN { @x = foo(); }",
			d:    Diagnostic{Span: span(1, 14, 17), Msg: "Unknown function: foo"},
			want: "stdin:1:14-17: ERROR: Unknown function: foo\nBEGIN { @x = foo(); }\n             ~~~\n",
		},
		{
			name: "tab expands to four columns, as bpftrace",
			src:  "BEGIN {\n\t$x = 1;  @y = $z; }",
			d:    Diagnostic{Span: span(2, 16, 18), Msg: "Undefined or undeclared variable: $z"},
			want: "stdin:2:16-18: ERROR: Undefined or undeclared variable: $z\n    $x = 1;  @y = $z; }\n                  ~~\n",
		},
		{
			name: "warning with hint",
			src:  "BEGIN { pirntf(\"x\"); }",
			d:    Diagnostic{Severity: Warning, Span: span(1, 9, 15), Msg: "odd", Hint: `did you mean "printf"?`},
			want: "stdin:1:9-15: WARNING: odd\nBEGIN { pirntf(\"x\"); }\n        ~~~~~~\nHINT: did you mean \"printf\"?\n",
		},
		{
			name: "C definition error carries clang's line",
			src:  "struct A { struct B b; }",
			d:    Diagnostic{Span: span(1, 12, 22), Msg: "cannot lay out struct A: member 'b' has incomplete type 'struct B'", C: "field has incomplete type 'struct B'", Hint: "define struct B"},
			want: "stdin:1:12-22: ERROR: cannot lay out struct A: member 'b' has incomplete type 'struct B'\nstruct A { struct B b; }\n           ~~~~~~~~~~\nstdin:1:12: error: field has incomplete type 'struct B'\nHINT: define struct B\n",
		},
		{
			name: "clang's fatal error at its place in definitions.h",
			src:  "#include <lol/no.h>",
			d:    Diagnostic{Span: span(1, 1, 20), Msg: "'lol/no.h' file not found", C: "'lol/no.h' file not found", CFatal: true, CAt: &CPos{File: "definitions.h", Line: 2, Col: 10}},
			want: "stdin:1:1-20: ERROR: 'lol/no.h' file not found\n#include <lol/no.h>\n~~~~~~~~~~~~~~~~~~~\ndefinitions.h:2:10: fatal error: 'lol/no.h' file not found\n",
		},
		{
			name: "no position",
			d:    Diagnostic{Msg: "could not attach"},
			want: "ERROR: could not attach\n",
		},
		{
			name: "span at end of input still underlined",
			src:  "BEGIN {",
			d:    Diagnostic{Span: span(1, 8, 9), Msg: "unexpected end of file"},
			want: "stdin:1:8-9: ERROR: unexpected end of file\nBEGIN {\n       ~\n",
		},
		{
			name: "control bytes are not echoed",
			src:  "BEGIN { \x01 }",
			d:    Diagnostic{Span: span(1, 9, 10), Msg: "bad byte"},
			want: "stdin:1:9-10: ERROR: bad byte\nBEGIN { ? }\n        ~\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			Render(&b, Source{Name: "stdin", Text: tt.src}, &tt.d)
			if got := b.String(); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestRenderLongLineIsBounded(t *testing.T) {
	src := "BEGIN { " + strings.Repeat("x", 1<<20) + " }"
	var b strings.Builder
	Render(&b, Source{Name: "stdin", Text: src}, &Diagnostic{Span: span(1, 9, 12), Msg: "m"})
	if b.Len() > 2*maxEcho+200 {
		t.Errorf("rendering a 1 MB line wrote %d bytes", b.Len())
	}
}

func TestSortKeepsOneErrorPerLine(t *testing.T) {
	var l List
	l.Errorf(span(2, 5, 6), "second line")
	l.Errorf(span(1, 9, 10), "first")
	l.Errorf(span(1, 3, 4), "earlier on first line")
	l.Warnf(span(1, 12, 13), "a warning stays")
	l.Sort()
	var msgs []string
	for _, d := range l {
		msgs = append(msgs, d.Msg)
	}
	want := "earlier on first line|a warning stays|second line"
	if got := strings.Join(msgs, "|"); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !l.HasErrors() || l.Err() == nil {
		t.Error("list with errors reports none")
	}
}
