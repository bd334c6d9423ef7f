package check_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	goldenfile "github.com/gbt-dev/gbt/internal/golden"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/stdlib"
)

var update = flag.Bool("update", false, "rewrite golden files")

// checkSource parses and checks src against the canned tracefs.
func checkSource(src string, params ...string) (*check.Info, string) {
	return checkSourceUnsafe(src, false, params...)
}

func checkSourceUnsafe(src string, unsafe bool, params ...string) (*check.Info, string) {
	return checkSourceWith(src, check.Config{Unsafe: unsafe, Params: params})
}

// checkSourceWith checks src with cfg, given the canned tracefs and the
// builtins.
func checkSourceWith(src string, cfg check.Config) (*check.Info, string) {
	source := diag.Source{Name: "stdin", Text: src}
	var b strings.Builder
	prog, diags := parse.Parse("stdin", src)
	if diags.HasErrors() {
		diag.RenderAll(&b, source, diags)
		return nil, b.String()
	}
	cfg.Env, cfg.Builtins = probetest.New(), stdlib.New()
	info, diags := check.Check(prog, cfg)
	diag.RenderAll(&b, source, diags)
	if diags.HasErrors() {
		return nil, b.String()
	}
	return info, b.String()
}

// TestErrors renders the diagnostics of each bad script; most messages are
// bpftrace 0.17's, word for word.
func TestErrors(t *testing.T) {
	goldenfile.Scripts(t, "testdata/errors/*.bt", 60, *update, func(t *testing.T, src string) string {
		info, out := checkSource(src)
		if info != nil {
			t.Fatalf("no error for:\n%s", src)
		}
		return out
	})
}

// TestWarnings renders the warnings of scripts that check cleanly; the
// messages are bpftrace 0.17's, word for word.
func TestWarnings(t *testing.T) {
	goldenfile.Scripts(t, "testdata/warnings/*.bt", 1, *update, func(t *testing.T, src string) string {
		var cfg check.Config
		if strings.Contains(src, "// compat: 0.17") {
			cfg.Compat = compat.V017
		}
		info, out := checkSourceWith(src, cfg)
		if info == nil {
			t.Fatalf("errors for:\n%s\n%s", src, out)
		}
		return out
	})
}

// TestDiffScriptsCheck: every differential test script checks cleanly.
func TestDiffScriptsCheck(t *testing.T) {
	files, _ := filepath.Glob("../../cmd/gbt/testdata/diff/*.bt")
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(src), "@USDT") {
			continue // the USDT workload exists only while cmd/gbt's tests run
		}
		src = []byte(strings.ReplaceAll(string(src), "@PID@", "1")) // the workload's pid, known when cmd/gbt's tests run
		unsafe := strings.Contains(string(src), "// flags: --unsafe")
		if _, h, ok := strings.Cut(string(src), "// flags: --include "); ok {
			h, _, _ = strings.Cut(h, "\n")
			src = append([]byte("#include <"+h+">\n"), src...) // what --include does
		}
		params := []string{"7", "word"}
		if _, args, ok := strings.Cut(string(src), "// args: "); ok {
			args, _, _ = strings.Cut(args, "\n")
			params = strings.Fields(args)
		}
		cfg := check.Config{Unsafe: unsafe, Params: params}
		if strings.Contains(string(src), "// compat: 0.17") {
			cfg.Compat = compat.V017 // as the differential test runs it
		}
		if info, out := checkSourceWith(string(src), cfg); info == nil {
			t.Errorf("%s:\n%s", file, out)
		}
	}
}

func TestTypes(t *testing.T) {
	tests := []struct {
		src  string
		want map[string]string // map or $var name → type
	}{
		{`BEGIN { @a = count(); @b[comm] = sum(1); @c[1, "x"] = 5; $p = 0; $s = str($p); $t = (1, comm); @h = hist(2); }`,
			map[string]string{"@a": "count", "@b": "sum", "@c": "int64", "$s": "string[64]", "$t": "(int8,string[16])", "@h": "hist"}},
		{`tracepoint:syscalls:sys_enter_openat { @[str(args->filename)] = count(); $f = args->flags; $p = args->filename; }`,
			map[string]string{"@": "count", "$f": "int64", "$p": "int8 *"}},
		{`tracepoint:sched:sched_process_exec { $f = str(args->filename); $p = args->pid; }`,
			map[string]string{"$f": "string[64]", "$p": "int32"}},
		{`BEGIN { @x = (uint8)300; $y = 1 + 2 * 3; @z = pid; }`, map[string]string{"@x": "uint64", "$y": "int64", "@z": "uint64"}},
		{`BEGIN { @s = "a"; @s = "longer"; }`, map[string]string{"@s": "string[7]"}},
		// Pointer arithmetic keeps the pointer; indexing reads an element.
		{`BEGIN { $p = (uint64 *)8 + 1; $q = 2 + (uint32 *)8; $r = $p - 1; $p += 2; $p++; $t = (struct task_struct *)0 + 1; $c = curtask->comm[0]; $i = $p[1]; }`,
			map[string]string{"$p": "uint64 *", "$q": "uint32 *", "$r": "uint64 *", "$t": "struct task_struct *", "$c": "int8", "$i": "uint64"}},
		{`tracepoint:syscalls:sys_enter_execve { $a = args->argv[1]; $c = args->filename[0]; $n = args->argv + 1; $x = args; }`,
			map[string]string{"$a": "int8 *", "$c": "int8", "$n": "int8 **", "$x": "(ctx) struct tracepoint:syscalls:sys_enter_execve_args *"}},
		{`tracepoint:raw_syscalls:sys_enter { $a = args->args[5]; $v = args->args; $e = $v[0]; }`,
			map[string]string{"$a": "uint64", "$v": "uint64[6]", "$e": "uint64"}},
		{`tracepoint:syscalls:sys_enter_clock_nanosleep { $t = args->rqtp[1]; $s = args->rqtp[0].tv_sec; }`,
			map[string]string{"$t": "struct __kernel_timespec", "$s": "int64"}},
		// p.f of a struct pointer reads p->f, as in the newest bpftrace.
		{`BEGIN { $p = curtask; $x = $p.pid; $y = $p.real_parent.pid; }`, map[string]string{"$x": "int32", "$y": "int32"}},
		// Bools: literals, comparisons, !, && and ||, (bool) casts; a slot
		// given both a bool and an integer becomes an int64.
		{`BEGIN { $a = true; $b = 1 > 2; $c = !5; $d = 1 && 0; @e[1 == 1] = "a" != "b"; $f = (bool)"x"; $g = (bool)(int8 *)0; $h = (1 < 2, false); $i = (int64)true; $j = 1 > 0; $j = 5; @k = true; @k = (uint8)2; $l = $a ? true : false; $m = true + 1; $n = buf("a", 1) != buf("bc", 2); }`,
			map[string]string{"$a": "bool", "$b": "bool", "$c": "bool", "$d": "bool", "@e": "bool", "$f": "bool", "$g": "bool",
				"$h": "(bool,bool)", "$i": "int64", "$j": "int64", "@k": "uint64", "$l": "bool", "$m": "uint64", "$n": "bool"}},
		// Two usernames compare by uid, as in the newest bpftrace.
		{`BEGIN { $a = username == username; $b = username != username; }`, map[string]string{"$a": "bool", "$b": "bool"}},
	}
	for _, tt := range tests {
		info, out := checkSource(tt.src)
		if info == nil {
			t.Errorf("%s:\n%s", tt.src, out)
			continue
		}
		for name, want := range tt.want {
			var got string
			if strings.HasPrefix(name, "@") {
				m := info.Maps[name]
				if m == nil {
					t.Errorf("%s: no map %s", tt.src, name)
					continue
				}
				got = m.Value.String()
			} else {
				v := info.Probes[0].Vars[name]
				if v == nil {
					t.Errorf("%s: no variable %s", tt.src, name)
					continue
				}
				got = v.Type.String()
			}
			if got != want {
				t.Errorf("%s: %s is %s, want %s", tt.src, name, got, want)
			}
		}
	}
}

// TestProbePoints: each probe gets the points of its own attach points,
// however many each expands to; a block with points of several kinds has
// a ProbeInfo for each kind, in the order the kinds first appear.
func TestProbePoints(t *testing.T) {
	src := `BEGIN { }
t:syscalls:sys_enter_open*, t:syscalls:sys_exit_read { }
kprobe:vfs_read, kprobe:vfs_write { }
t:syscalls:sys_enter_read, kprobe:vfs_open, t:syscalls:sys_enter_{write,read} { }
tracepoint:syscalls:sys_exit_write { }
END { }
`
	prog, diags := parse.Parse("stdin", src)
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: stdlib.New()})
	if len(diags) != 0 {
		t.Errorf("diagnostics %v", diags)
	}
	want := [][]string{
		{"BEGIN"},
		{"tracepoint:syscalls:sys_enter_open", "tracepoint:syscalls:sys_enter_open_by_handle_at", "tracepoint:syscalls:sys_enter_open_tree",
			"tracepoint:syscalls:sys_enter_open_tree_attr", "tracepoint:syscalls:sys_enter_openat", "tracepoint:syscalls:sys_enter_openat2",
			"tracepoint:syscalls:sys_exit_read"},
		{"kprobe:vfs_read", "kprobe:vfs_write"},
		{"tracepoint:syscalls:sys_enter_read", "tracepoint:syscalls:sys_enter_read", "tracepoint:syscalls:sys_enter_write"},
		{"kprobe:vfs_open"},
		{"tracepoint:syscalls:sys_exit_write"},
		{"END"},
	}
	wantPoints(t, info, want)
	if info.Probes[3].Probe != info.Probes[4].Probe {
		t.Error("the tracepoints and the kprobe of one block have different ast.Probes")
	}
}

// TestMixedKinds: the block of a probe with attach points of several kinds
// is checked for each kind, with that kind's context: an expression may
// have another type in each (TypeOf), and errors name the kind at fault.
func TestMixedKinds(t *testing.T) {
	info, out := checkSource(`kprobe:vfs_read, uprobe:/bin/sh:main, kprobe:vfs_write { $f = func; printf("%s %d\n", $f, pid); }`)
	if info == nil {
		t.Fatal(out)
	}
	if len(info.Probes) != 2 {
		t.Fatalf("%d probes, want 2", len(info.Probes))
	}
	body := info.Prog.Probes[0].Body
	f := body.Stmts[0].(*ast.AssignStmt).RHS
	pid := body.Stmts[1].(*ast.ExprStmt).X.(*ast.Call).Args[2]
	for i, want := range []struct{ kind, points, f string }{
		{"kprobe", "kprobe:vfs_read kprobe:vfs_write", "ksym"},
		{"uprobe", "uprobe:/bin/sh:main", "usym"},
	} {
		pi := info.Probes[i]
		var points []string
		for _, pt := range pi.Points {
			points = append(points, pt.Name)
		}
		if pi.Kind.Name != want.kind || strings.Join(points, " ") != want.points {
			t.Errorf("probe %d: %s %v, want %s %s", i, pi.Kind.Name, points, want.kind, want.points)
		}
		if got := info.TypeOf(pi, f).String(); got != want.f {
			t.Errorf("%s: func is %s, want %s", want.kind, got, want.f)
		}
		if got := pi.Vars["$f"].Type.String(); got != want.f {
			t.Errorf("%s: $f is %s, want %s", want.kind, got, want.f)
		}
		if got := info.TypeOf(pi, pid); !got.Equal(types.U32) {
			t.Errorf("%s: pid is %s", want.kind, got)
		}
	}
	if got := info.Types[f].String(); got != "ksym" {
		t.Errorf("Info.Types has func as %s, want the first kind's ksym", got)
	}

	_, out = checkSource(`tracepoint:syscalls:sys_enter_openat, interval:s:1 { @[args->flags] = count(); }`)
	want := "stdin:1:56-60: ERROR: The args builtin can only be used with tracepoint, rawtracepoint, fentry/fexit, and uprobe probes (interval used here)"
	if !strings.HasPrefix(out, want) {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
}

// TestAttachPointParams: positional parameters in attach points take the
// command line's values before expansion, so that the points, and the
// names the probe builtin gives them, are the substituted ones.
func TestAttachPointParams(t *testing.T) {
	info, out := checkSource(`interval:ms:$1 { } t:syscalls:sys_enter_$2, t:syscalls:sys_exit_$2 { } uprobe:$3:main { }`, "100", "open*", "/bin/sh")
	if info == nil {
		t.Fatal(out)
	}
	want := [][]string{
		{"interval:ms:100"},
		{"tracepoint:syscalls:sys_enter_open", "tracepoint:syscalls:sys_enter_open_by_handle_at", "tracepoint:syscalls:sys_enter_open_tree",
			"tracepoint:syscalls:sys_enter_open_tree_attr", "tracepoint:syscalls:sys_enter_openat", "tracepoint:syscalls:sys_enter_openat2",
			"tracepoint:syscalls:sys_exit_open", "tracepoint:syscalls:sys_exit_open_by_handle_at", "tracepoint:syscalls:sys_exit_open_tree",
			"tracepoint:syscalls:sys_exit_open_tree_attr", "tracepoint:syscalls:sys_exit_openat", "tracepoint:syscalls:sys_exit_openat2"},
		{"uprobe:/bin/sh:main"},
	}
	wantPoints(t, info, want)
	if pt := info.Probes[2].Points[0]; pt.Path != "/bin/sh" || pt.Func != "main" {
		t.Errorf("uprobe point %+v", pt)
	}
}

// wantPoints checks the names of each probe's attach points.
func wantPoints(t *testing.T, info *check.Info, want [][]string) {
	t.Helper()
	if len(info.Probes) != len(want) {
		t.Fatalf("%d probes, want %d", len(info.Probes), len(want))
	}
	for i, pi := range info.Probes {
		var got []string
		for _, pt := range pi.Points {
			got = append(got, pt.Name)
		}
		if strings.Join(got, " ") != strings.Join(want[i], " ") {
			t.Errorf("probe %d: points %v, want %v", i, got, want[i])
		}
	}
}

func TestConstantFolding(t *testing.T) {
	info, out := checkSource(`BEGIN { $a = 1 + 2 * 3; $b = (uint8)300; $c = 1 << 10; $d = -7 / 2; $e = $1 * 2; $f = $#; $g = (int32)-7 / 2; $h = (int64)-7 % 3; }`, "21")
	if info == nil {
		t.Fatal(out)
	}
	// The newest bpftrace folds signed constants as C divides; 0.17
	// (TestConstantFolding017) as BPF does, unsigned.
	// A cast is no literal: the newest bpftrace divides it as the program
	// does, unsigned ((int32)-7 / 2 prints 9223372036854775804, (2^64 -
	// 7) % 3 is 0).
	want := map[string]int64{"$a": 7, "$b": 44, "$c": 1024, "$d": -3, "$e": 42, "$f": 1, "$g": 9223372036854775804, "$h": 0}
	for _, st := range info.Prog.Probes[0].Body.Stmts {
		as := st.(*ast.AssignStmt)
		name := as.LHS.(*ast.Variable).Name
		if v, ok := info.Consts[as.RHS]; !ok || v != want[name] {
			t.Errorf("%s = %d (folded %v), want %d", name, v, ok, want[name])
		}
	}
}

// TestConstantFolding017: under --compat=0.17, / and % of signed
// constants fold unsigned, as 0.17 folds them, and warn.
func TestConstantFolding017(t *testing.T) {
	src := `BEGIN { $d = -7 / 2; $r = -7 % 3; $u = 7 / 2; }`
	prog, diags := parse.Parse("stdin", src)
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	for _, v := range []compat.Version{compat.Newest, compat.V017} {
		info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: stdlib.New(), Compat: v})
		if diags.HasErrors() {
			t.Fatal(diags.Err())
		}
		want := map[string]int64{"$d": -3, "$r": -1, "$u": 3}
		warnings := 0
		if v == compat.V017 {
			want = map[string]int64{"$d": int64(uint64(1<<64-7) / 2), "$r": int64(uint64(1<<64-7) % 3), "$u": 3}
			warnings = 2
		}
		if n := len(diags); n != warnings {
			t.Errorf("compat %v: %d warnings, want %d: %v", v, n, warnings, diags)
		}
		for _, st := range info.Prog.Probes[0].Body.Stmts {
			as := st.(*ast.AssignStmt)
			name := as.LHS.(*ast.Variable).Name
			if got, ok := info.Consts[as.RHS]; !ok || got != want[name] {
				t.Errorf("compat %v: %s = %d (folded %v), want %d", v, name, got, ok, want[name])
			}
		}
	}
}

// TestPositionalUsedNumerically: a parameter that is not a number, used as
// one, is reported in bpftrace's words at the parameter.
func TestPositionalUsedNumerically(t *testing.T) {
	for _, src := range []string{`BEGIN { printf("%d\n", $1); }`, `BEGIN { @x = $1 + 1; }`, `BEGIN { if (2 < $1) { exit(); } }`} {
		_, out := checkSource(src, "abc")
		if !strings.Contains(out, `ERROR: $1 used numerically but given "abc". Try using str($1).`) {
			t.Errorf("%s:\n%s", src, out)
		}
	}
	if info, out := checkSource(`BEGIN { printf("%s %s\n", $1, str($1)); }`, "abc"); info == nil {
		t.Errorf("string use refused:\n%s", out)
	}
}

func TestMapKeyTypesUnify(t *testing.T) {
	info, out := checkSource(`BEGIN { @m[comm] = 1; $p = 0; @m[str($p)] = 2; @t[1, comm] = 1; }`)
	if info == nil {
		t.Fatal(out)
	}
	if k := info.Maps["@m"].Key; !k.Equal(types.StringOf(64)) {
		t.Errorf("@m key %s, want string[64]", k)
	}
	if k := info.Maps["@t"].Key.String(); k != "(int8,string[16])" {
		t.Errorf("@t key %s", k)
	}
}

func FuzzCheck(f *testing.F) {
	for _, glob := range []string{"testdata/errors/*.bt", "../parse/testdata/roundtrip/*.bt", "../macro/testdata/*/*.bt"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(string(b))
			}
		}
	}
	env, table := probetest.New(), stdlib.New()
	f.Fuzz(func(t *testing.T, src string) {
		prog, diags := parse.Parse("stdin", src)
		if diags.HasErrors() || prog == nil {
			return
		}
		if prog, diags = table.ExpandMacros(prog); diags.HasErrors() {
			return
		}
		_, diags = check.Check(prog, check.Config{Env: env, Builtins: table})
		var b strings.Builder
		diag.RenderAll(&b, diag.Source{Name: "stdin", Text: src}, diags)
	})
}

var mapName = regexp.MustCompile(`@(\w*)`)

func BenchmarkParseCheck(b *testing.B) {
	src := benchScript()
	env, table := probetest.New(), stdlib.New()
	b.ReportAllocs()
	for b.Loop() {
		prog, diags := parse.Parse("bench.bt", src)
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		if _, diags := check.Check(prog, check.Config{Env: env, Builtins: table}); diags.HasErrors() {
			b.Fatal(diags.Err())
		}
	}
	b.ReportMetric(float64(strings.Count(src, "\n")), "lines")
}

// BenchmarkCheck is the checker half of BenchmarkParseCheck: the same
// script, parsed once.
func BenchmarkCheck(b *testing.B) {
	src := benchScript()
	prog, diags := parse.Parse("bench.bt", src)
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	env, table := probetest.New(), stdlib.New()
	b.ReportAllocs()
	for b.Loop() {
		if _, diags := check.Check(prog, check.Config{Env: env, Builtins: table}); diags.HasErrors() {
			b.Fatal(diags.Err())
		}
	}
	b.ReportMetric(float64(strings.Count(src, "\n")), "lines")
}

// benchScript joins the round-trip scripts that check cleanly, each with
// its own maps, into one script of about 300 lines.
func benchScript() string {
	files, _ := filepath.Glob("../parse/testdata/roundtrip/*.bt")
	var sb strings.Builder
	lines := 0
	for round := 0; lines < 300 && round < 10; round++ {
		lines = appendScripts(&sb, files, lines)
	}
	return sb.String()
}

// iterProbe matches a script with an iterator probe, which cannot share a
// run with other probes.
var iterProbe = regexp.MustCompile(`(?m)(^|[\s,}])(iter|it):`)

// appendScripts adds the scripts that check cleanly, each with its own maps,
// until 300 lines.
func appendScripts(sb *strings.Builder, files []string, lines int) int {
	for _, f := range files {
		src, _ := os.ReadFile(f)
		s := string(src)
		if strings.Contains(s, "#") || strings.Contains(s, "config") || strings.Contains(s, "struct") || strings.Contains(s, "enum") || strings.Contains(s, "union") ||
			iterProbe.MatchString(s) {
			continue // iterators run alone
		}
		if _, out := checkSource(s); strings.Contains(out, "ERROR") {
			continue // only scripts that check cleanly here
		}
		// Give each script its own maps.
		s = mapName.ReplaceAllString(s, fmt.Sprintf("@s%d_$1", lines))
		sb.WriteString(s)
		lines += strings.Count(s, "\n")
		if lines >= 300 {
			return lines
		}
	}
	return lines
}

// TestIncludesFlag: a header given on the command line (--include) counts
// as the script's own #include line: its constants are known.
func TestIncludesFlag(t *testing.T) {
	src := `BEGIN { @s = SIGKILL; }`
	prog, diags := parse.Parse("stdin", src)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if _, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: stdlib.New()}); !diags.HasErrors() {
		t.Errorf("SIGKILL known without an #include")
	}
	info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: stdlib.New(), Includes: []string{"signal.h"}})
	if diags.HasErrors() {
		t.Fatalf("with Includes: %v", diags)
	}
	if v := info.Consts[prog.Probes[0].Body.Stmts[0].(*ast.AssignStmt).RHS]; v != 9 {
		t.Errorf("SIGKILL = %d, want 9", v)
	}
}

// TestTextParams: in str(), a positional parameter is its text, number or
// not, and $N + k is that text from its k-th byte (bpftrace's str($1 + 1));
// str() of either stands for the literal, which kaddr() takes.
func TestTextParams(t *testing.T) {
	tests := []struct {
		src    string
		params []string
		want   string // the literal str() stands for, or the error
		v017   bool   // checked as --compat=0.17 checks it
		warn   string // a warning the check must give
	}{
		{`BEGIN { printf("%s", str($1)); }`, []string{"1"}, "1", false, ""},
		{`BEGIN { printf("%s", str($1)); }`, []string{"abc"}, "abc", false, ""},
		{`BEGIN { printf("%s", str($2)); }`, []string{"abc"}, "", false, ""},
		{`BEGIN { printf("%s", str($1 + 1)); }`, []string{"hello"}, "ello", false, ""},
		{`BEGIN { printf("%s", str($1 + 5)); }`, []string{"hello"}, "", false, "WARNING: literal string will always be empty"},
		{`BEGIN { printf("%s", str($1 + 6)); }`, []string{"hello"}, "", false, "WARNING: literal string will always be empty"},
		{`BEGIN { printf("%s", str($1 + 1)); }`, nil, "", false, "WARNING: literal string will always be empty"},
		{`BEGIN { printf("%s", str($1 + 5)); }`, []string{"hello"}, "", true, ""},
		{`BEGIN { printf("%s", str($1 + 2)); }`, []string{"12345"}, "345", false, ""},
		{`BEGIN { @ = kaddr(str($1)); }`, []string{"vfs_read"}, "vfs_read", false, ""},
		{`BEGIN { printf("%s", str($1 + 6)); }`, []string{"hello"}, `ERROR: $1 + 6 is outside the string parameter "hello" (5 bytes)`, true, ""},
		{`BEGIN { printf("%s", str($1 + -1)); }`, []string{"hello"}, `ERROR: $1 + -1 is outside the string parameter "hello" (5 bytes)`, false, ""},
		{`BEGIN { $k = 1; printf("%s", str($1 + $k)); }`, []string{"hello"}, `ERROR: $1 + N: N must be a constant to offset into the string parameter "hello"`, false, ""},
		// Outside str() a parameter keeps its number or string type.
		{`BEGIN { @x = $1 + 1; }`, []string{"abc"}, `ERROR: $1 used numerically but given "abc". Try using str($1).`, false, ""},
		{`BEGIN { printf("%s", str($1, $2 + 1)); }`, []string{"abc", "1"}, "", false, ""},
	}
	for _, tt := range tests {
		cfg := check.Config{Params: tt.params}
		if tt.v017 {
			cfg.Compat = compat.V017
		}
		info, out := checkSourceWith(tt.src, cfg)
		if strings.Contains(out, "WARNING") != (tt.warn != "") || !strings.Contains(out, tt.warn) {
			t.Errorf("%s %q: diagnostics\n%s\nwant warning %q", tt.src, tt.params, out, tt.warn)
		}
		if strings.HasPrefix(tt.want, "ERROR") {
			if !strings.Contains(out, tt.want) {
				t.Errorf("%s %q:\n%s\nwant %s", tt.src, tt.params, out, tt.want)
			}
			continue
		}
		if info == nil {
			t.Errorf("%s %q:\n%s", tt.src, tt.params, out)
			continue
		}
		var lits []string
		ast.Inspect(info.Prog, func(n ast.Node) bool {
			if call, ok := n.(*ast.Call); ok && call.Name == "str" {
				if lit, ok := info.Expansions[call].(*ast.StrLit); ok {
					lits = append(lits, lit.Value)
				}
			}
			return true
		})
		if strings.HasPrefix(tt.src, `BEGIN { printf("%s", str($1, `) {
			if len(lits) != 0 {
				t.Errorf("%s: str(p, n) expanded to %q", tt.src, lits)
			}
			continue
		}
		if len(lits) != 1 || lits[0] != tt.want {
			t.Errorf("%s %q: str() stands for %q, want %q", tt.src, tt.params, lits, tt.want)
		}
	}
}

// TestHeaderMacros: a script that #includes a header has the Env's header
// macros as constants (probetest's canned ones here; runtime/kernel's Env
// gives internal/cheaders'), and its own #define wins over them.
func TestHeaderMacros(t *testing.T) {
	tests := []struct {
		macro string
		want  int64
	}{
		{"CLONE_THREAD", 0x10000},
		{"__NR_openat", 257},
		{"SIGKILL", 9},
		{"EPERM", 1},
		{"MINE", 7},
		{"SIGHUP", 99},
	}
	for _, tt := range tests {
		t.Run(tt.macro, func(t *testing.T) {
			info, out := checkSource("#include <signal.h>\n#define MINE 7\n#define SIGHUP 99\nBEGIN { $x = " + tt.macro + "; }")
			if info == nil {
				t.Fatal(out)
			}
			rhs := info.Prog.Probes[0].Body.Stmts[0].(*ast.AssignStmt).RHS
			if v, ok := info.Consts[rhs]; !ok || v != tt.want {
				t.Errorf("%s = %d (folded %v), want %d", tt.macro, v, ok, tt.want)
			}
		})
	}
}
