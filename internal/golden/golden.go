// Package golden compares test output with golden files under testdata/,
// rewriting them when a test runs with -update.
package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Check compares got with the contents of the file at path; with update it
// writes got to the file instead.
func Check(t testing.TB, path, got string, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// Scripts runs a subtest for each file matching pattern (NAME.bt), at
// least min of them: render turns the script's source into its output,
// which is checked against NAME.golden beside it.
func Scripts(t *testing.T, pattern string, min int, update bool, render func(t *testing.T, src string) string) {
	t.Helper()
	files, _ := filepath.Glob(pattern)
	if len(files) < max(min, 1) {
		t.Fatalf("want at least %d scripts matching %s, have %d", max(min, 1), pattern, len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".bt"), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			Check(t, strings.TrimSuffix(file, ".bt")+".golden", render(t, string(src)), update)
		})
	}
}
