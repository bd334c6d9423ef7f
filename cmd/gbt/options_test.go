package main

import (
	"testing"
)

// TestE2EGetopt runs named program options (`-- --aa=1 --bb`, getopt) as
// bpftrace 0.27.1 does (tests/runtime/other at v0.26.1), except that
// booleans print as 1 and 0 (README).
func TestE2EGetopt(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	tests := []struct {
		name   string
		args   []string
		stdout string // exact
		stderr string // contained
		exit   int
	}{
		{name: "values of each type", args: []string{"-e", `begin { print((getopt("aa", 20), getopt("bb", -1), getopt("cc", true), getopt("dd"), getopt("ee", "hello"))); }`,
			"--", "--dd", "--aa=0xffffffffffffffff", "--bb=-10", "--cc=False"},
			stdout: "(18446744073709551615, -10, false, true, hello)\n\n\n"},
		{name: "named and positional", args: []string{"-e", `begin { print(($1, getopt("aa", 10), $2, getopt("cc", "hello"))); }`,
			"pos1", "--", "--aa=20", "--cc=bye", "pos2"},
			stdout: "(pos1, 20, pos2, bye)\n\n\n"},
		{name: "help lists the options", args: []string{"-e", `begin { print((getopt("aa", 10, "Description of aa"), getopt("bb", 1), getopt("cc"))); }`, "--", "--help"},
			exit: 1, stderr: "HINT: expected program options:\n--cc\n--bb\n--aa: Description of aa\n"},
		{name: "an option the script does not read", args: []string{"-e", `begin { print(getopt("aa", 10)); }`, "--", "--bb", "--cc=1"},
			exit: 1, stderr: "ERROR: unexpected program command line options: --bb, --cc\nHINT: expected program options: --aa\n"},
		{name: "a value of the wrong type", args: []string{"-e", `begin { print(getopt("aa", 10)); }`, "--", "--aa=False"},
			exit: 1, stderr: "ERROR: program command line option --aa invalid integer (value: False)\n"},
		{name: "an option before --", args: []string{"-e", `begin { }`, "--aa=20"}, exit: 2, stderr: "USAGE:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkExit(t, gbt, tt.args, nil, tt.exit, tt.stdout, tt.stderr)
		})
	}
}
