package codegen_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/stdlib"
)

// FuzzCompile: any script that parses and checks compiles or is reported
// at its source (warnings about the whole script have no position, as in
// bpftrace); neither the checker nor codegen panics.
func FuzzCompile(f *testing.F) {
	files, _ := filepath.Glob("testdata/disasm/*.bt")
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}
	env, table := probetest.New(), stdlib.New()
	f.Fuzz(func(t *testing.T, src string) {
		_, diags, _ := checkAndCompile(env, table, src)
		for _, d := range diags {
			if d.Severity == diag.Error && d.Span.Start.Line == 0 {
				t.Errorf("error without a position: %s", d.Msg)
			}
		}
	})
}
