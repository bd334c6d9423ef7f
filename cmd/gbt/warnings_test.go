package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/runtime"
)

// TestWarningsPrinted: gbt prints the warnings runtime.Compile returns,
// rendered the same way, and --no-warnings silences them. -d compiles
// without loading anything, so the test needs no privileges.
func TestWarningsPrinted(t *testing.T) {
	const src = `BEGIN { $m = -7; @ = $m / 2; }`
	_, warns, err := runtime.Compile("stdin", src, runtime.CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := warns.String()
	if !strings.Contains(want, "stdin:1:22-28: WARNING: signed operands for '/'") {
		t.Fatalf("runtime.Compile's warnings:\n%s\nwant the signed division warning", want)
	}
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"-d", "-e", src}, want},
		{[]string{"-d", "--no-warnings", "-e", src}, ""},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(tt.args, io.NopCloser(strings.NewReader("")), &stdout, &stderr); code != exitOK {
			t.Fatalf("gbt %q: exit %d, stderr:\n%s", tt.args, code, stderr.String())
		}
		if stderr.String() != tt.stderr {
			t.Errorf("gbt %q: stderr:\n%s\nwant:\n%s", tt.args, stderr.String(), tt.stderr)
		}
	}
}
