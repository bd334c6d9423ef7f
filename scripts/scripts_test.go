// Package scripts holds ready gbt tools; its test compiles every one of
// them and loads their programs through the kernel's verifier.
package scripts

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/kernel"
	"github.com/gbt-dev/gbt/stdlib"
)

func TestKernelScriptsLoad(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("kernel test: needs root to read tracefs and load BPF programs")
	}
	files, _ := filepath.Glob("*.bt")
	if len(files) == 0 {
		t.Fatal("no scripts")
	}
	env := kernel.NewEnv()
	if _, err := env.EnsureTracefs(); err != nil {
		t.Fatal(err)
	}
	table := stdlib.New()
	for _, file := range files {
		t.Run(strings.TrimSuffix(file, ".bt"), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			source := diag.Source{Name: file, Text: string(src)}
			prog, diags := parse.Parse(file, string(src))
			if diags.HasErrors() {
				diag.RenderAll(&b, source, diags)
				t.Fatal(b.String())
			}
			info, diags := check.Check(prog, check.Config{Env: env, Builtins: table})
			if diags.HasErrors() {
				diag.RenderAll(&b, source, diags)
				t.Fatal(b.String())
			}
			obj, diags := codegen.Compile(info, table, codegen.Options{NumCPUs: 2})
			if diags.HasErrors() {
				diag.RenderAll(&b, source, diags)
				t.Fatal(b.String())
			}
			if err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: io.Discard, Stderr: io.Discard, DryRun: true}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
