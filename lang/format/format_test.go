package format

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/parse"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// toolDirs hold bpftrace's tools: the newest release's and 0.17's.
var toolDirs = []string{
	"/opt/bpftrace-sid/usr/sbin",
	"/work/shared/peer/bpftrace-v0.17.0/tools",
	"/usr/sbin",
}

// newestBpftrace is the bpftrace whose --fmt output is the reference.
func newestBpftrace() string {
	if p := os.Getenv("GBT_NEWEST_BPFTRACE"); p != "" {
		return p
	}
	return "/work/shared/tools/newest-bpftrace"
}

func formatFile(t *testing.T, path string) string {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return formatSource(t, path, string(src))
}

func formatSource(t *testing.T, name, src string) string {
	t.Helper()
	prog, diags := parse.Parse(name, src)
	if diags.HasErrors() {
		t.Fatalf("parse %s: %v", name, diags.Err())
	}
	return Source(prog)
}

// TestGolden formats the scripts of testdata, which cover every
// construct; their goldens are what bpftrace 0.27.1's --fmt prints, but
// for `a ?: b` and comparisons inside tighter operators, which gbt keeps
// as written (see expressions.bt).
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.bt")
	if len(files) == 0 {
		t.Fatal("no testdata/*.bt")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			got := formatFile(t, f)
			golden := strings.TrimSuffix(f, ".bt") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("format %s:\n%s\nwant:\n%s", f, got, want)
			}
		})
	}
}

// tools lists bpftrace's tool scripts found on this machine.
func tools() []string {
	var all []string
	for _, d := range toolDirs {
		files, _ := filepath.Glob(filepath.Join(d, "*.bt"))
		all = append(all, files...)
	}
	return all
}

// TestTools formats every bpftrace tool as the newest bpftrace's --fmt
// does, byte for byte.
func TestTools(t *testing.T) {
	ref := newestBpftrace()
	if _, err := os.Stat(ref); err != nil {
		t.Skipf("no reference bpftrace at %s (set GBT_NEWEST_BPFTRACE)", ref)
	}
	files := tools()
	if len(files) == 0 {
		t.Skip("no bpftrace tools (*.bt) in " + strings.Join(toolDirs, ", "))
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			cmd := exec.Command(ref, "--fmt", f)
			cmd.Stderr = &stderr
			want, err := cmd.Output()
			if err != nil {
				t.Skipf("%s --fmt %s: %v: %s", ref, f, err, stderr.String())
			}
			if got := formatFile(t, f); got != string(want) {
				t.Errorf("format %s differs from bpftrace --fmt:\n%s", f, lineDiff(string(want), got))
			}
		})
	}
}

// lineDiff shows the first line where want and got differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\nwant: " + wl + "\ngot:  " + gl
		}
	}
	return ""
}

// checkStable checks the properties every formatted script has: it
// parses to the same tree as the script, and formatting it again
// changes nothing.
func checkStable(t *testing.T, name, src string) {
	t.Helper()
	prog, diags := parse.Parse(name, src)
	if diags.HasErrors() {
		return
	}
	once := Source(prog)
	again, diags := parse.Parse(name, once)
	if diags.HasErrors() {
		t.Fatalf("formatted %s does not parse: %v\n%s", name, diags.Err(), once)
	}
	if twice := Source(again); twice != once {
		t.Fatalf("formatting %s is not idempotent:\n%s", name, lineDiff(once, twice))
	}
	if a, b := ast.Format(compound(prog)), ast.Format(compound(again)); a != b {
		t.Fatalf("formatted %s parses to another tree:\n%s", name, lineDiff(a, b))
	}
}

// compound rewrites `x = x op y` as `x op= y`, `p->f` as `p.f` and
// `@m[(a, b)]` as `@m[a, b]` (and config numbers in decimal),
// which bpftrace parses alike and --fmt prints in the second form.
func compound(prog *ast.Program) *ast.Program {
	ast.Inspect(prog, func(n ast.Node) bool {
		if f, ok := n.(*ast.Field); ok {
			f.Arrow = false
		}
		if c, ok := n.(*ast.ConfigItem); ok {
			if lit, ok := c.Value.(*ast.IntLit); ok {
				lit.Raw = strconv.FormatUint(lit.Value, 10)
			}
		}
		if m, ok := n.(*ast.MapRef); ok && len(m.Keys) == 1 {
			if t, ok := m.Keys[0].(*ast.Tuple); ok && len(t.Elems) >= 2 {
				m.Keys = t.Elems
			}
		}
		s, ok := n.(*ast.AssignStmt)
		if !ok || s.Op != ast.OpAssign {
			return true
		}
		if bin, ok := s.RHS.(*ast.Binary); ok && compoundable(bin.Op) && ast.ExprString(bin.X) == ast.ExprString(s.LHS) {
			s.Op = ast.LookupOp(bin.Op.String() + "=")
			s.RHS = bin.Y
		}
		return true
	})
	return prog
}

func TestStable(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.bt")
	for _, f := range append(files, tools()...) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(f, func(t *testing.T) { checkStable(t, f, string(src)) })
	}
}

// FuzzFormat checks that formatting any script that parses gives a
// script that parses to the same tree and formats to itself.
func FuzzFormat(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.bt")
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}
	f.Add("BEGIN { $x = 1 ? 2 : 3; @m[1, 2] = (1, 2); }")
	f.Add("macro m($a) { $a * 2 }\nBEGIN { print(m(1)); }")
	f.Fuzz(func(t *testing.T, src string) {
		checkStable(t, "fuzz.bt", src)
	})
}
