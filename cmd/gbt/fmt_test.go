package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFmt runs --fmt on a file and on -e, and on a script that
// does not parse, with exact output.
func TestFmt(t *testing.T) {
	const src = "BEGIN { @a = 1 + 2 * 3; } // done\nkprobe:a,kprobe:b /pid == 1/ { if (@a) { exit() } }\n"
	const want = `BEGIN
{
  @a = 1 + (2 * 3);
}
// done
kprobe:a,
kprobe:b
/pid == 1/
{
  if @a {
    exit();
  }
}
`
	file := filepath.Join(t.TempDir(), "s.bt")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
	}{
		{"file", []string{"--fmt", file}, ""},
		{"-e", []string{"--fmt", "-e", src}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, io.NopCloser(strings.NewReader(tc.stdin)), &stdout, &stderr)
			if code != exitOK || stdout.String() != want || stderr.Len() != 0 {
				t.Errorf("gbt %v: exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", tc.args, code, stdout.String(), stderr.String(), want)
			}
		})
	}
	// A file of macros to import, or a config block alone, has no probe:
	// --fmt formats it as the newest bpftrace's does (a run refuses it).
	const lib, libWant = "config = { max_strlen = 8 }\nmacro a(x) { x + 1 }\n", "config = {\n  max_strlen = 8;\n}\nmacro a(x)\n{\n  x + 1\n}\n"
	var out, errOut bytes.Buffer
	if code := run([]string{"--fmt", "-e", lib}, io.NopCloser(strings.NewReader("")), &out, &errOut); code != exitOK || out.String() != libWant || errOut.Len() != 0 {
		t.Errorf("--fmt of a file with no probe: exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", code, out.String(), errOut.String(), libWant)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"--fmt", "-e", "BEGIN { @a = ; }"}, io.NopCloser(strings.NewReader("")), &stdout, &stderr)
	if code != exitError || stdout.Len() != 0 || !strings.HasPrefix(stderr.String(), "stdin:1:") || !strings.Contains(stderr.String(), "ERROR:") {
		t.Errorf("--fmt of a bad script: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
}
