package parse

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	goldenfile "github.com/gbt-dev/gbt/internal/golden"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata file path, or rewrites it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	goldenfile.Check(t, path, got, *update)
}

// ignoreSpans compares trees by structure only.
var ignoreSpans = cmp.Options{
	cmpopts.IgnoreTypes(ast.Span{}, ast.Pos{}),
	cmpopts.IgnoreFields(ast.Program{}, "Comments", "Text"),
	cmpopts.IgnoreFields(ast.CDef{}, "Body"),
	cmpopts.IgnoreFields(ast.IntLit{}, "Raw"),
	cmpopts.IgnoreFields(ast.StrLit{}, "Raw"),
	cmpopts.EquateEmpty(),
}

func render(src string, l diag.List) string {
	var b strings.Builder
	diag.RenderAll(&b, diag.Source{Name: "stdin", Text: src}, l)
	return b.String()
}

func TestRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/roundtrip/*.bt")
	if len(files) < 150 {
		t.Fatalf("want at least 150 round-trip scripts, have %d", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".bt")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			prog, diags := Parse("stdin", string(src))
			if len(diags) > 0 {
				t.Fatalf("parse errors:\n%s", render(string(src), diags))
			}
			printed := ast.Format(prog)
			golden(t, strings.TrimSuffix(file, ".bt")+".golden", printed)

			again, diags := Parse("stdin", printed)
			if len(diags) > 0 {
				t.Fatalf("printed form does not parse:\n%s\n%s", printed, render(printed, diags))
			}
			if diff := cmp.Diff(prog, again, ignoreSpans); diff != "" {
				t.Errorf("re-parsed tree differs (-first +second):\n%s", diff)
			}
			if fixed := ast.Format(again); fixed != printed {
				t.Errorf("printing is not a fixed point:\n%s\nvs\n%s", printed, fixed)
			}
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	goldenfile.Scripts(t, "testdata/errors/*.bt", 1, *update, func(t *testing.T, src string) string {
		_, diags := Parse("stdin", src)
		if !diags.HasErrors() {
			t.Fatalf("no error for bad script:\n%s", src)
		}
		return render(src, diags)
	})
}

// TestSpans checks that nodes point at the right columns.
func TestSpans(t *testing.T) {
	src := "BEGIN { @x = foo(1, $y); }"
	prog, diags := Parse("stdin", src)
	if len(diags) > 0 {
		t.Fatal(render(src, diags))
	}
	as := prog.Probes[0].Body.Stmts[0].(*ast.AssignStmt)
	call := as.RHS.(*ast.Call)
	if got := src[call.Pos().Offset:call.EndPos().Offset]; got != "foo(1, $y)" {
		t.Errorf("call span covers %q", got)
	}
	if call.Pos().Col != 14 || call.NameEnd.Col != 17 {
		t.Errorf("call at col %d, name ends at %d; want 14 and 17", call.Pos().Col, call.NameEnd.Col)
	}
	v := call.Args[1].(*ast.Variable)
	if v.Pos().Col != 21 || v.EndPos().Col != 23 {
		t.Errorf("$y spans cols %d-%d, want 21-23", v.Pos().Col, v.EndPos().Col)
	}
	ap := prog.Probes[0].Points[0]
	if ap.Provider != "BEGIN" || ap.EndPos().Col != 6 {
		t.Errorf("attach point %+v", ap)
	}
}

func TestAttachPoints(t *testing.T) {
	tests := []struct {
		src      string
		raw      []string
		provider string
		parts    []string
	}{
		{"uprobe:/bin/bash:readline { }", []string{"uprobe:/bin/bash:readline"}, "uprobe", []string{"/bin/bash", "readline"}},
		{"t:syscalls:sys_enter_{open,openat} /1/ { }", []string{"t:syscalls:sys_enter_{open,openat}"}, "t", []string{"syscalls", "sys_enter_{open,openat}"}},
		{"BEGIN{ }", []string{"BEGIN"}, "BEGIN", nil},
		{"kprobe:a,kprobe:b { }", []string{"kprobe:a", "kprobe:b"}, "kprobe", []string{"a"}},
		{"uprobe:/lib/libc.so.6:malloc /pid == 1/ { }", []string{"uprobe:/lib/libc.so.6:malloc"}, "uprobe", []string{"/lib/libc.so.6", "malloc"}},
		{"kprobe:do_sys_open+0x10 { }", []string{"kprobe:do_sys_open+0x10"}, "kprobe", []string{"do_sys_open+0x10"}},
		{"uprobe:/usr/lib/libstdc++.so.6:std::foo { }", []string{"uprobe:/usr/lib/libstdc++.so.6:std::foo"}, "uprobe", []string{"/usr/lib/libstdc++.so.6", "std::foo"}},
		{"profile:hz:99 { }", []string{"profile:hz:99"}, "profile", []string{"hz", "99"}},
		// Relative paths, as bpftrace's suite writes them.
		{"uprobe:./testprogs/array_access:test_struct { }", []string{"uprobe:./testprogs/array_access:test_struct"}, "uprobe", []string{"./testprogs/array_access", "test_struct"}},
		{"u:testprogs/uprobe_test:function1 { }", []string{"u:testprogs/uprobe_test:function1"}, "u", []string{"testprogs/uprobe_test", "function1"}},
		{"uretprobe:../x-1.2/a_b:f /pid == 1/ { }", []string{"uretprobe:../x-1.2/a_b:f"}, "uretprobe", []string{"../x-1.2/a_b", "f"}},
		{"usdt:./testprogs/usdt_test:tracetest:testprobe { }", []string{"usdt:./testprogs/usdt_test:tracetest:testprobe"}, "usdt", []string{"./testprogs/usdt_test", "tracetest", "testprobe"}},
		{"uprobe:lib/libstdc++.so.6:f,uprobe:./b*/x#1:g { }", []string{"uprobe:lib/libstdc++.so.6:f", "uprobe:./b*/x#1:g"}, "uprobe", []string{"lib/libstdc++.so.6", "f"}},
		{"uprobe:./testprogs/uprobe_test@uprobe_test.c:22 { }", []string{"uprobe:./testprogs/uprobe_test@uprobe_test.c:22"}, "uprobe", []string{"./testprogs/uprobe_test@uprobe_test.c", "22"}},
		{`uprobe:"./a b/c":f { }`, []string{`uprobe:"./a b/c":f`}, "uprobe", []string{`"./a b/c"`, "f"}}, // lang/probe unquotes,
		// A '/' in the last part closes the name: the predicate follows.
		{"t:syscalls:sys_enter_read/pid == 1/ { }", []string{"t:syscalls:sys_enter_read"}, "t", []string{"syscalls", "sys_enter_read"}},
		{"uprobe:./x:f/1/ { }", []string{"uprobe:./x:f"}, "uprobe", []string{"./x", "f"}},
	}
	for _, tt := range tests {
		prog, diags := Parse("stdin", tt.src)
		if len(diags) > 0 {
			t.Errorf("%s:\n%s", tt.src, render(tt.src, diags))
			continue
		}
		var raws []string
		for _, ap := range prog.Probes[0].Points {
			raws = append(raws, ap.Raw)
		}
		ap := prog.Probes[0].Points[0]
		if !cmp.Equal(raws, tt.raw) || ap.Provider != tt.provider || !cmp.Equal(ap.Parts, tt.parts, cmpopts.EquateEmpty()) {
			t.Errorf("%s: got %q %q %q", tt.src, raws, ap.Provider, ap.Parts)
		}
	}
}

func TestLiterals(t *testing.T) {
	tests := []struct {
		src  string
		want uint64
	}{
		{"10", 10}, {"0x10", 16}, {"010", 8}, {"1_000", 1000}, {"10ul", 10}, {"1e6", 1000000},
		{"'a'", 97}, {`'\n'`, 10}, {"0xffffffffffffffff", 1<<64 - 1},
		// Durations are nanoseconds (the newest bpftrace); 0x1d stays hex.
		{"100ns", 100}, {"5us", 5000}, {"100ms", 100000000}, {"1s", 1000000000}, {"2m", 120000000000},
		{"1h", 3600000000000}, {"1d", 86400000000000}, {"1_000ms", 1000000000}, {"0x1d", 29},
	}
	for _, tt := range tests {
		src := "BEGIN { $x = " + tt.src + "; }"
		prog, diags := Parse("stdin", src)
		if len(diags) > 0 {
			t.Errorf("%s: %s", tt.src, render(src, diags))
			continue
		}
		lit := prog.Probes[0].Body.Stmts[0].(*ast.AssignStmt).RHS.(*ast.IntLit)
		if lit.Value != tt.want {
			t.Errorf("%s = %d, want %d", tt.src, lit.Value, tt.want)
		}
	}
	prog, _ := Parse("stdin", `BEGIN { $s = "a\tb\x41\102\\\""; }`)
	if s := prog.Probes[0].Body.Stmts[0].(*ast.AssignStmt).RHS.(*ast.StrLit).Value; s != "a\tbAB\\\"" {
		t.Errorf("string decoded to %q", s)
	}
	// A newline inside a string literal is kept (bpftrace 0.17; the newest
	// after #define), and the lines after it keep their numbers.
	src := "BEGIN { $s = \"a\nb\";\n $t = \"c\n\n\"; $u = ; }"
	if _, diags := Parse("stdin", src); !strings.HasPrefix(render(src, diags), "stdin:5:9-10:") {
		t.Errorf("error after two multi-line strings:\n%s", render(src, diags))
	}
	prog, _ = Parse("stdin", "BEGIN { $s = \"a\nb\"; }")
	if s := prog.Probes[0].Body.Stmts[0].(*ast.AssignStmt).RHS.(*ast.StrLit).Value; s != "a\nb" {
		t.Errorf("multi-line string decoded to %q", s)
	}
}

// TestHostileInput: bad input of any kind gives an error quickly, never a
// panic, hang or stack overflow.
func TestHostileInput(t *testing.T) {
	inputs := map[string]string{
		"binary garbage":   "\x00\x01\xff\xfe BEGIN \x7f{",
		"nul bytes":        "BEGIN { printf(\"a\x00b\"); }",
		"1 MB line":        "BEGIN { $x = " + strings.Repeat("1 + ", 250000) + "1; }",
		"1 MB identifier":  "BEGIN { " + strings.Repeat("a", 1<<20) + " }",
		"unbalanced open":  strings.Repeat("BEGIN { if (1) { ", 50),
		"unbalanced close": "BEGIN { } } } }",
		"deep parens":      "BEGIN { $x = " + strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 10000) + "; }",
		"deep blocks":      "BEGIN " + strings.Repeat("{ ", 10000) + strings.Repeat("} ", 10000),
		"deep unary":       "BEGIN { $x = " + strings.Repeat("-", 10000) + "1; }",
		"deep ternary":     "BEGIN { $x = " + strings.Repeat("1 ? ", 10000) + "1" + strings.Repeat(" : 1", 10000) + "; }",
		"deep if":          "BEGIN { " + strings.Repeat("if (1) { ", 10000) + strings.Repeat("} ", 10000) + "}",
		"empty":            "",
		"only comment":     "// nothing",
		"open comment":     "BEGIN { /* ",
		"open string":      "BEGIN { printf(\"abc); }",
	}
	for name, src := range inputs {
		t.Run(name, func(t *testing.T) {
			// A hang or a quadratic blow-up shows as go test's timeout,
			// not as a timed assertion that a busy machine can fail.
			_, diags := Parse("stdin", src)
			// These are well-formed syntax; the checker rejects their meaning.
			wellFormed := name == "1 MB line" || name == "nul bytes" || name == "1 MB identifier"
			if !diags.HasErrors() && !wellFormed {
				t.Errorf("no error")
			}
			_ = render(src, diags)
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, dir := range []string{"testdata/roundtrip", "testdata/errors", "../macro/testdata/expand", "../macro/testdata/errors"} {
		files, _ := filepath.Glob(dir + "/*.bt")
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err == nil {
				f.Add(string(b))
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		prog, diags := Parse("stdin", src)
		_ = render(src, diags)
		if prog == nil || diags.HasErrors() {
			return
		}
		printed := ast.Format(prog)
		again, d2 := Parse("stdin", printed)
		if d2.HasErrors() {
			t.Fatalf("printed form of an accepted program does not parse:\n%q\n%s", printed, render(printed, d2))
		}
		if diff := cmp.Diff(prog, again, ignoreSpans); diff != "" {
			t.Fatalf("round trip changed the tree:\n%q\n%s", printed, diff)
		}
	})
}

var cdefLine = regexp.MustCompile(`(?m)^(struct|union|enum) `)

// bench300 is a 300-line script built from the round-trip corpus.
func bench300(b *testing.B) string {
	files, _ := filepath.Glob("testdata/roundtrip/*.bt")
	var sb strings.Builder
	lines := 0
	for lines < 300 {
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			if strings.Contains(string(src), "#") || strings.Contains(string(src), "config") || cdefLine.MatchString(string(src)) {
				continue // includes, shebangs, C definitions and config must come first
			}
			sb.Write(src)
			lines += strings.Count(string(src), "\n")
			if lines >= 300 {
				break
			}
		}
	}
	return sb.String()
}

func BenchmarkParse(b *testing.B) {
	src := bench300(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, diags := Parse("bench.bt", src); diags.HasErrors() {
			b.Fatal(render(src, diags))
		}
	}
}

// TestSpansConsistent checks every node of every round-trip script: its
// span is set, ordered, inside its parent's span, and its line and column
// agree with its byte offset (1-based, a tab is one column).
func TestSpansConsistent(t *testing.T) {
	files, _ := filepath.Glob("testdata/roundtrip/*.bt")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		prog, diags := Parse("stdin", src)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", file, render(src, diags))
		}
		var check func(n ast.Node, parent ast.Span)
		check = func(n ast.Node, parent ast.Span) {
			start, end := n.Pos(), n.EndPos()
			where := fmt.Sprintf("%s: %T at %v", file, n, start)
			if !start.IsValid() || !end.IsValid() || start.Offset >= end.Offset {
				t.Errorf("%s: bad span %v-%v", where, start, end)
				return
			}
			for _, p := range []ast.Pos{start, end} {
				if want := posOf(src, p.Offset); want != p {
					t.Errorf("%s: position %+v, want %+v", where, p, want)
				}
			}
			if parent.Start.IsValid() && (start.Offset < parent.Start.Offset || end.Offset > parent.End.Offset) {
				t.Errorf("%s: span %d-%d outside parent %d-%d", where, start.Offset, end.Offset, parent.Start.Offset, parent.End.Offset)
			}
			for _, c := range ast.Children(n) {
				check(c, ast.Span{Start: start, End: end})
			}
		}
		check(prog, ast.Span{})
		for _, c := range prog.Comments {
			if got := src[c.Pos().Offset:c.EndPos().Offset]; got != c.Text {
				t.Errorf("%s: comment span covers %q, text %q", file, got, c.Text)
			}
		}
	}
}

// posOf computes the position of a byte offset the slow way.
// TestFieldOpen checks where a field's parenthesized operand opens
// (ast.Field.Open, bpftrace 0.17's start of the field's position).
func TestFieldOpen(t *testing.T) {
	tests := []struct {
		src  string
		open int // column of the '(', 0 for none
	}{
		{"BEGIN { $a = ((struct foo *)0)->a; }", 14},
		{"BEGIN { $a = (  (struct foo *)0).a; }", 14},
		{"BEGIN { $a = 1 + ((struct foo *)0)->a; }", 18},
		{"BEGIN { $a = (struct foo *)0; $b = $a->a; }", 0},
		{"BEGIN { $a = (x=1, y=2).x; }", 0},
		{"BEGIN { $a = ($t)->a; }", 14},
	}
	for _, tt := range tests {
		prog, diags := Parse("stdin", tt.src)
		if diags.HasErrors() {
			t.Fatal(render(tt.src, diags))
		}
		var f *ast.Field
		ast.Inspect(prog, func(n ast.Node) bool {
			if x, ok := n.(*ast.Field); ok && f == nil {
				f = x
			}
			return true
		})
		if f == nil {
			t.Errorf("%s: no field", tt.src)
			continue
		}
		if f.Open.Col != tt.open {
			t.Errorf("%s: Open at col %d, want %d", tt.src, f.Open.Col, tt.open)
		}
	}
}

func posOf(src string, off int) ast.Pos {
	line, col := 1, 1
	for i := 0; i < off; i++ {
		if src[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return ast.Pos{Offset: off, Line: line, Col: col}
}

// TestNodeSpans pins the exact source text of representative nodes.
func TestNodeSpans(t *testing.T) {
	src := "kprobe:f /arg0 > 1/ {\n\t$x = (uint32)-arg1 + @m[1, 2]->y.z;\n\tif (1) { } else if (2) { } else { $t.0++; }\n}"
	prog, diags := Parse("stdin", src)
	if diags.HasErrors() {
		t.Fatal(render(src, diags))
	}
	want := map[string]bool{
		"kprobe:f": false, "arg0 > 1": false, "(uint32)-arg1": false, "-arg1": false,
		"(uint32)-arg1 + @m[1, 2]->y.z": false, "@m[1, 2]->y.z": false, "@m[1, 2]->y": false,
		"@m[1, 2]": false, "$x = (uint32)-arg1 + @m[1, 2]->y.z": false,
		"if (1) { } else if (2) { } else { $t.0++; }": false, "if (2) { } else { $t.0++; }": false,
		"{ $t.0++; }": false, "$t.0++": false, "$t.0": false, "uint32": false,
	}
	ast.Inspect(prog, func(n ast.Node) bool {
		text := src[n.Pos().Offset:n.EndPos().Offset]
		if _, ok := want[text]; ok {
			want[text] = true
		}
		if b, ok := n.(*ast.Binary); ok && src[b.OpPos.Offset:b.OpPos.Offset+len(b.Op.String())] != b.Op.String() {
			t.Errorf("OpPos of %q points at %q", b.Op, src[b.OpPos.Offset:])
		}
		return true
	})
	for text, found := range want {
		if !found {
			t.Errorf("no node spans %q", text)
		}
	}
}

// TestDump compares tree dumps with golden files.
func TestDump(t *testing.T) {
	for _, name := range []string{"188-opensnoop", "192-tcpconnect", "200-loops", "203-casts", "204-tuples", "208-struct-defs", "199-config-block", "228-map-decl", "226-for-range"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile("testdata/roundtrip/" + name + ".bt")
			if err != nil {
				t.Fatal(err)
			}
			prog, diags := Parse("stdin", string(b))
			if diags.HasErrors() {
				t.Fatal(render(string(b), diags))
			}
			var out strings.Builder
			// Annotate with the node type, as gbt -d annotates with types.
			if err := ast.Dump(&out, prog, func(e ast.Expr) string { return fmt.Sprintf("%T", e)[5:] }); err != nil {
				t.Fatal(err)
			}
			golden(t, "testdata/dump/"+name+".golden", out.String())
		})
	}
}
