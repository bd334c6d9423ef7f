package main

import (
	"io"
	"slices"
	"testing"
)

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
	o, err = parseFlags([]string{"s.bt", "--", "-q"}, io.Discard)
	if err != nil || o.quiet || !slices.Equal(o.args, []string{"-q"}) {
		t.Errorf("s.bt -- -q: %+v %v", o, err)
	}
	if _, err := parseFlags([]string{"s.bt", "--nope"}, io.Discard); err == nil {
		t.Error("s.bt --nope: no error")
	}
}
