package main

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"
)

// TestCommandLineErrors: mistakes on the command line print bpftrace's
// "ERROR:" lines exactly (the newest bpftrace's words where they changed
// since 0.17), without the usage text, and exit 1.
func TestCommandLineErrors(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"-f", "jsonx", "-e", "BEGIN {}"}, "ERROR: Invalid output format \"jsonx\"\nValid formats: 'text', 'json', 'folded', 'pprof'\n"},
		{[]string{"/does/not/exist.bt"}, "ERROR: failed to open file '/does/not/exist.bt': No such file or directory\n"},
		// -p is checked before the script is read.
		{[]string{"-p", "a1111", "file.bt"}, "ERROR: Failed to parse pid: invalid integer: a1111\n"},
		{[]string{"-p", "not_a_pid", "file.bt"}, "ERROR: Failed to parse pid: invalid integer: not_a_pid\n"},
		{[]string{"-p", "111a1", "file.bt"}, "ERROR: Failed to parse pid: invalid trailing bytes: 111a1\n"},
		{[]string{"-p", "5000000", "file.bt"}, "ERROR: Pid out of range: 5000000\n"},
		{[]string{"-p", "0", "file.bt"}, "ERROR: Pid out of range: 0\n"},
		{[]string{"-p", "99999999999999999999", "file.bt"}, "ERROR: Pid out of range: 99999999999999999999\n"},
		{[]string{"-c", "", "-e", "BEGIN {}"}, "ERROR: -c needs a command to run\n"},
		{[]string{"--probe-filter", "[invalid", "-e", "BEGIN {}"}, "ERROR: Invalid --probe-filter regex: error parsing regexp: missing closing ]: `[invalid`\n"},
		{[]string{"--no-feature", "uprobe_multi,kprobe_sessions", "-e", "BEGIN {}"}, "ERROR: USAGE: --no-feature can only have values 'kprobe_multi,kprobe_session,uprobe_multi,syscall_tp_btf,strnstr'.\n"},
		{[]string{"-c", "/no/such/cmd arg", "-e", "BEGIN {}"}, "ERROR: Failed to fork child: Path '/no/such/cmd' does not exist or is not executable (stat /no/such/cmd: no such file or directory)\n"},
		{[]string{"-e", "BEGIN {}"}, "ERROR: BPFTRACE_PERF_RB_PAGES=1000000000 is too large: at most 262144 pages (1 GiB of ring buffer, shared by every CPU)\n"},
		// A search pattern is lexed as bpftrace lexes one.
		{[]string{"-l", `\n`}, "stdin:1:1-2: ERROR: invalid character '\\'\n\\n\n~\n" + searchHint},
		{[]string{"-l", "tracepoint:x:y$"}, "stdin:1:15-16: ERROR: invalid character '$'\ntracepoint:x:y$\n              ~\n" + searchHint},
	} {
		if tt.args[0] == "-e" {
			t.Setenv("BPFTRACE_PERF_RB_PAGES", "1000000000")
		}
		var stdout, stderr bytes.Buffer
		code := run(tt.args, io.NopCloser(strings.NewReader("")), &stdout, &stderr)
		if code != exitError || stderr.String() != tt.stderr || stdout.Len() != 0 {
			t.Errorf("gbt %q: exit %d, stderr %q, stdout %q; want exit %d, stderr %q",
				tt.args, code, stderr.String(), stdout.String(), exitError, tt.stderr)
		}
	}
}

const searchHint = "HINT: a probe pattern is KIND:TARGET:NAME with * and ? wildcards, as in tracepoint:syscalls:sys_enter_*\n"

// TestVersion: gbt names itself first, then the bpftrace release it
// follows in the "bpftrace vX.Y.Z" form that scripts and test suites match.
func TestVersion(t *testing.T) {
	for _, flag := range []string{"-V", "--version"} {
		var stdout, stderr bytes.Buffer
		if code := run([]string{flag}, io.NopCloser(strings.NewReader("")), &stdout, &stderr); code != exitOK {
			t.Fatalf("%s: exit %d: %s", flag, code, stderr.String())
		}
		want := "gbt v0.1.0-dev\nbpftrace v0.27.1 (the bpftrace gbt follows; see README, Differences from bpftrace)\n"
		if stdout.String() != want {
			t.Errorf("%s printed %q, want %q", flag, stdout.String(), want)
		}
	}
}

// TestInfo: --info prints the system and build, then one "name: yes" or
// "name: no (reason)" line per kernel helper, feature, map type and probe
// type, with the names both bpftrace suites look for.
func TestInfo(t *testing.T) {
	requireRoot(t)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--info"}, io.NopCloser(strings.NewReader("")), &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"\nBuild\n  version: gbt v", "\n  follows: bpftrace v", "\nMap types\n", "\n  perf_event_array: yes\n", "\n  kprobe_session: ", "\n  tracepoint: yes\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("--info lacks %q:\n%s", want, out)
		}
	}
	check := regexp.MustCompile(`^  [a-z_ 0-9A-Z]+: (yes|no \(.+\))$`)
	section := ""
	for _, line := range strings.Split(out, "\n") {
		switch {
		case line == "":
		case !strings.HasPrefix(line, " "):
			section = line
		case section != "System" && section != "Build" && !check.MatchString(line):
			t.Errorf("%s: line %q is not \"name: yes\" or \"name: no (reason)\"", section, line)
		}
	}
}
