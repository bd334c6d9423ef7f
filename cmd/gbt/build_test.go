package main

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/internal/golden"
	"github.com/gbt-dev/gbt/internal/toolfile"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestLeadingComment(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"slashes after a shebang", "#!/usr/bin/env gbt\n// a: does b.\n//\n//   indented\nBEGIN {}\n", "a: does b.\n\n  indented"},
		{"tabs kept", "// opensnoop\tTrace open() syscalls.\n// \t\tFor Linux.\n\nBEGIN {}", "opensnoop\tTrace open() syscalls.\n\t\tFor Linux."},
		{"block", "/*\n * tool: what it does\n *\n * more\n */\nBEGIN {}", "tool: what it does\n\nmore"},
		{"one-line block", "/* tool: what */ BEGIN {}", "tool: what"},
		{"ends at the first blank line", "// first\n\n// second\n", "first"},
		{"none", "BEGIN { } // late\n", ""},
		{"blank lines before", "\n\n// x\n", "x"},
	}
	for _, tt := range tests {
		if got := leadingComment(tt.src); got != tt.want {
			t.Errorf("%s: leadingComment = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestToolArgs(t *testing.T) {
	tool := &toolfile.Tool{Params: []string{"10", "x"}, Named: map[string]string{"a": "1"}, Unsafe: true}
	o := &options{args: []string{"20"}, named: map[string]string{"b": ""}}
	if err := toolArgs(o, tool); err != nil {
		t.Fatal(err)
	}
	if strings.Join(o.args, ",") != "20,x" || len(o.named) != 2 || o.named["a"] != "1" || o.named["b"] != "" || !o.unsafe {
		t.Errorf("toolArgs: args %q named %v unsafe %v; want 20,x; a=1 b=; unsafe", o.args, o.named, o.unsafe)
	}
	o = &options{args: []string{"1", "2", "3"}}
	if err := toolArgs(o, tool); err != nil || strings.Join(o.args, ",") != "1,2,3" {
		t.Errorf("more arguments than defaults: %q, %v", o.args, err)
	}
	if tool.Params[0] != "10" {
		t.Errorf("toolArgs changed the tool's defaults: %q", tool.Params)
	}
	for _, o := range []*options{{program: "BEGIN {}"}, {list: true}} {
		if err := toolArgs(o, tool); err == nil {
			t.Errorf("toolArgs(%+v) accepted what a tool does not run", o)
		}
	}
}

// TestToolFlags: a tool's named options are flags (`tool --label=x`), as
// after -- (`tool -- --label=x`); a boolean one may be bare, the others
// need a value; arguments are positional parameters.
func TestToolFlags(t *testing.T) {
	tool := &toolfile.Tool{Name: "t.bt", Options: []toolfile.Option{{Name: "label", Default: "opens"}, {Name: "total", Default: "false", Bool: true}}}
	o, err := parseCommandLine([]string{"--label", "x", "-p", "5", "12", "--total", "--", "--extra=1", "13"}, os.Stderr, tool)
	if err != nil {
		t.Fatal(err)
	}
	if o.named["label"] != "x" || o.named["total"] != "true" || o.named["extra"] != "1" || strings.Join(o.args, ",") != "12,13" || o.pid != 5 || o.file != "" {
		t.Errorf("parsed %+v", o)
	}
	if _, err := parseCommandLine([]string{"--label"}, &strings.Builder{}, tool); err == nil {
		t.Errorf("--label without a value was accepted")
	}
}

func TestToolHelp(t *testing.T) {
	tool := &toolfile.Tool{
		Name:   "opencount.bt",
		Script: "#!/usr/bin/env gbt\n// opencount: count a process's opens of one file.\n//\n// USAGE: opencount PID [PATH]\n\nBEGIN {}\n",
		Params: []string{"0", "/dev/null"},
		Options: []toolfile.Option{
			{Name: "label", Default: "opens", Desc: "what to call them"},
			{Name: "limit", Default: "10"},
			{Name: "total", Default: "false", Desc: "print the total", Bool: true},
		},
		Positionals: 2,
	}
	golden.Check(t, "testdata/build/help.golden", toolHelp(tool, "opencount"), *update)
}

// toolScript counts the opens of /dev/null by the process whose pid is
// $1; getopt names what it prints. (No BEGIN probe: the harness then knows
// the tool has attached when it holds a link for each of its probes.)
const toolScript = `#!/usr/bin/env gbt
// opencount: count the opens of one file by one process.
//
// USAGE: opencount PID [PATH] [--label=STR] [--total]

tracepoint:syscalls:sys_enter_openat /pid == (uint64)$1 && str(args->filename) == str($2)/ {
	@[str(args->filename)] = count();
	@total++;
}
tracepoint:syscalls:sys_enter_getpgid /pid == (uint64)$1/ {
	printf("%s\n", getopt("label", "opens", "what to call them"));
	if (getopt("total")) { printf("total %d\n", @total); }
	exit();
}
`

// TestE2EBuild builds a tool from a script with defaults for its
// parameters, runs it against a workload selected by its pid, with those
// defaults and with the command line's, and checks its --help.
func TestE2EBuild(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "opencount.bt")
	if err := os.WriteFile(script, []byte(toolScript), 0o644); err != nil {
		t.Fatal(err)
	}
	tool := filepath.Join(dir, "opencount")
	if out, err := exec.Command(gbt, "build", script, "-o", tool, "0", "/dev/null", "--", "--label=openings").CombinedOutput(); err != nil {
		t.Fatalf("gbt build: %v\n%s", err, out)
	}
	if err := os.Remove(script); err != nil { // the tool needs no file but itself
		t.Fatal(err)
	}
	tests := []struct {
		name string
		argv []string
		want string
	}{
		{"the build's defaults", []string{tool, "@PID@"}, "openings\n\n\n@[/dev/null]: 5\n@total: 5\n"},
		{"options as flags", []string{tool, "--label", "calls", "@PID@", "--total"}, "calls\ntotal 5\n\n\n@[/dev/null]: 5\n@total: 5\n"},
		{"options after --, as bpftrace's", []string{tool, "@PID@", "/dev/null", "--", "--label=x"}, "x\n\n\n@[/dev/null]: 5\n@total: 5\n"},
		{"with -f json", []string{tool, "-f", "json", "@PID@"}, `{"type": "attached_probes", "count": 2, "data": {"probes": 2}}
{"type": "printf", "data": "openings\n"}
{"type": "map", "data": {"@": {"/dev/null": 5}}}
{"type": "map", "data": {"@total": 5}}
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runTracer(t, traceRun{argv: tt.argv, workload: []string{"open", "5", "/dev/null"}, work: work})
			if res.exitCode != 0 || res.stdout != tt.want {
				t.Errorf("exit %d\nstdout %q\nwant   %q\nstderr:\n%s", res.exitCode, res.stdout, tt.want, clip(res.stderr))
			}
		})
	}
	help, err := exec.Command(tool, "--help").Output()
	if err != nil {
		t.Fatalf("%s --help: %v", tool, err)
	}
	golden.Check(t, "testdata/build/opencount-help.golden", string(help), *update)
	checkExit(t, tool, []string{"-e", "BEGIN {}"}, nil, 1, "", "ERROR: -e: a built tool runs its own script (gbt runs others)\n")
	checkExit(t, tool, []string{"--nope-at-all"}, nil, 2, "", "unknown flag: --nope-at-all\nRun 'opencount --help' for its parameters and options.\n")
}

// TestE2EBuildErrors: a script that does not compile fails the build with
// gbt's positioned error and writes no tool; so does an option the tool
// could not take as a flag.
func TestE2EBuildErrors(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	dir := t.TempDir()
	tests := []struct{ name, script, stderr string }{
		{"a type error", "BEGIN {\n\t$s = \"a\";\n\t@x = 1 + $s;\n}\n",
			"bad.bt:3:7-13: ERROR: Type mismatch for '+': comparing int64 with string[2]\n    @x = 1 + $s;\n         ~~~~~~\n"},
		{"a probe this kernel lacks", "tracepoint:nope:nothing { }\n", "bad.bt:1:1-24: ERROR: No matches for tracepoint nope:nothing.\ntracepoint:nope:nothing { }\n~~~~~~~~~~~~~~~~~~~~~~~\n"},
		{"an option named as a run flag", "BEGIN { print(getopt(\"pid\", 1)); }\n", "ERROR: getopt(\"pid\") is named as gbt's --pid flag, which the tool takes: rename the option\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script := filepath.Join(dir, "bad.bt")
			if err := os.WriteFile(script, []byte(tt.script), 0o644); err != nil {
				t.Fatal(err)
			}
			tool := filepath.Join(dir, "bad")
			checkExit(t, gbt, []string{"build", script, "-o", tool}, nil, 1, "", strings.ReplaceAll(tt.stderr, "bad.bt:", script+":"))
			if _, err := os.Stat(tool); err == nil {
				t.Errorf("a failed build wrote %s", tool)
			}
		})
	}
	checkExit(t, gbt, []string{"build"}, nil, 2, "", "gbt build: no script given\n")
}
