package main

import (
	"io"
	"slices"
	"testing"
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
