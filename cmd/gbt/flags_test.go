package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/config"
)

// TestParseFlagsAfterScript: flags may follow the script file, as bpftrace's
// getopt allows (its suite runs `bpftrace script.bt -c cmd`); "--" ends them.
func TestParseFlagsAfterScript(t *testing.T) {
	tests := []struct {
		argv      []string
		file, cmd string
		args      []string
		quiet     bool
		wantErr   bool
	}{
		{argv: []string{"s.bt", "-c", "./prog"}, file: "s.bt", cmd: "./prog"},
		{argv: []string{"-q", "s.bt", "7", "word"}, file: "s.bt", args: []string{"7", "word"}, quiet: true},
		{argv: []string{"s.bt", "7", "-q"}, file: "s.bt", args: []string{"7"}, quiet: true},
		{argv: []string{"s.bt", "--", "-7", "-q"}, file: "s.bt", args: []string{"-7", "-q"}},
		{argv: []string{"s.bt", "-x"}, wantErr: true},
	}
	for _, tt := range tests {
		o, err := parseFlags(tt.argv, io.Discard)
		if tt.wantErr {
			if err == nil {
				t.Errorf("%q: no error", tt.argv)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.argv, err)
			continue
		}
		if o.file != tt.file || o.cmd != tt.cmd || o.quiet != tt.quiet || !slices.Equal(o.args, tt.args) {
			t.Errorf("%q: file %q cmd %q quiet %v args %q", tt.argv, o.file, o.cmd, o.quiet, o.args)
		}
	}
}

// TestParseFlagsPermutes: as with getopt, flags may follow the -l pattern
// or the script file; "--" ends them, and what follows is the script's.
func TestParseFlagsPermutes(t *testing.T) {
	o, err := parseFlags([]string{"-l", "usdt:*", "-p", "5"}, io.Discard)
	if err != nil || o.listPat != "usdt:*" || o.pid != 5 {
		t.Errorf("-l usdt:* -p 5: %+v %v", o, err)
	}
	o, err = parseFlags([]string{"s.bt", "--usdt-file-activation", "-q", "a1"}, io.Discard)
	if err != nil || o.file != "s.bt" || !o.quiet || !slices.Equal(o.args, []string{"a1"}) {
		t.Errorf("s.bt --usdt-file-activation -q a1: %+v %v", o, err)
	}
	o, err = parseFlags([]string{"--include", "stdint.h", "-e", "BEGIN {}", "--include", "linux/sched.h"}, io.Discard)
	if err != nil || !slices.Equal(o.headers, []string{"stdint.h", "linux/sched.h"}) {
		t.Errorf("--include stdint.h ... --include linux/sched.h: %+v %v", o, err)
	}
	o, err = parseFlags([]string{"s.bt", "--", "-q"}, io.Discard)
	if err != nil || o.quiet || !slices.Equal(o.args, []string{"-q"}) {
		t.Errorf("s.bt -- -q: %+v %v", o, err)
	}
	if _, err := parseFlags([]string{"s.bt", "--nope"}, io.Discard); err == nil {
		t.Error("s.bt --nope: no error")
	}
}

// TestFlagSuggestion: a mistyped long flag gets the nearest one, as a
// mistyped builtin does; a flag near nothing gets no guess.
func TestFlagSuggestion(t *testing.T) {
	for _, tt := range []struct{ arg, want string }{
		{"--dryrun", "gbt: unknown flag: --dryrun (did you mean --dry-run?)\n"},
		{"--probe-filtr", "gbt: unknown flag: --probe-filtr (did you mean --probe-filter?)\n"},
		{"--debuginf", "gbt: unknown flag: --debuginf (did you mean --debuginfo?)\n"},
		{"--zzzzzzzz", "gbt: unknown flag: --zzzzzzzz\n"},
	} {
		var stderr strings.Builder
		if _, err := parseCommandLine([]string{tt.arg, "-e", "begin {}"}, &stderr, nil); err == nil {
			t.Errorf("%s: no error", tt.arg)
		}
		if stderr.String() != tt.want {
			t.Errorf("%s: %q, want %q", tt.arg, stderr.String(), tt.want)
		}
	}
}

// TestUsageDefaults: the defaults the help text gives are the settings'.
func TestUsageDefaults(t *testing.T) {
	d := config.Default()
	for _, tt := range []struct {
		variable string
		value    int
	}{
		{"BPFTRACE_MAX_STRLEN", d.MaxStrlen},
		{"BPFTRACE_MAX_MAP_KEYS", d.MaxMapKeys},
		{"BPFTRACE_MAX_PROBES", d.MaxProbes},
	} {
		want := fmt.Sprintf("%s [default: %d", tt.variable, tt.value)
		if !strings.Contains(strings.Join(strings.Fields(usageText), " "), want) {
			t.Errorf("usage lacks %q", want)
		}
	}
}

// TestParseDebugStages: -d STAGE (--debug STAGE, --debug=STAGE) is the
// newest bpftrace's form, printing and then running; -d without a
// stage's name after it is 0.17's dry run, and the word after it stays
// the script's.
func TestParseDebugStages(t *testing.T) {
	tests := []struct {
		argv    []string
		stages  []string
		debug   int
		file    string
		args    []string
		wantErr bool
	}{
		{argv: []string{"-d", "ast", "s.bt"}, stages: []string{"ast"}, file: "s.bt"},
		{argv: []string{"--debug", "codegen", "-d", "verifier", "s.bt"}, stages: []string{"codegen", "verifier"}, file: "s.bt"},
		{argv: []string{"--debug=all", "s.bt"}, stages: []string{"all"}, file: "s.bt"},
		{argv: []string{"-d", "s.bt", "ast"}, debug: 1, file: "s.bt", args: []string{"ast"}},
		{argv: []string{"-dd", "s.bt"}, debug: 2, file: "s.bt"},
		{argv: []string{"s.bt", "--", "-d", "ast"}, file: "s.bt", args: []string{"-d", "ast"}},
		{argv: []string{"--debug=nope", "s.bt"}, wantErr: true},
		{argv: []string{"--debug", "s.bt"}, wantErr: true},
	}
	for _, tt := range tests {
		o, err := parseFlags(tt.argv, io.Discard)
		if tt.wantErr {
			if err == nil {
				t.Errorf("%q: no error", tt.argv)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.argv, err)
			continue
		}
		if !slices.Equal(o.debugStages, tt.stages) || o.debug != tt.debug || o.file != tt.file || !slices.Equal(o.args, tt.args) {
			t.Errorf("%q: stages %q debug %d file %q args %q", tt.argv, o.debugStages, o.debug, o.file, o.args)
		}
	}
}
