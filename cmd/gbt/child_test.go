package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestChildWords: -c splits its command at white space without shell
// quoting, as bpftrace does, and runs nothing until released.
func TestChildWords(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "args")
	script := filepath.Join(dir, "args.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s|' \"$@\" > "+out+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	c, err := startChild(lookCommand(script + ` 'A'  "b c" $HOME;x`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the command ran before release")
	}
	if err := c.release(); err != nil {
		t.Fatal(err)
	}
	<-c.done
	if c.err != nil {
		t.Fatal(c.err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := `'A'|"b|c"|$HOME;x|`; string(got) != want {
		t.Errorf("args %q, want %q", got, want)
	}
	if _, err := startChild(lookCommand("  ")); err == nil {
		t.Error("an empty -c command started")
	}
}
