// Package scripts holds ready gbt tools; its test compiles every one of
// them and loads their programs through the kernel's verifier.
package scripts

import (
	"context"
	"github.com/gbt-dev/gbt/internal/compiletest"
	"github.com/gbt-dev/gbt/internal/testenv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/kernel"
)

func TestKernelScriptsLoad(t *testing.T) {
	testenv.RequireRoot(t)
	files, _ := filepath.Glob("*.bt")
	if len(files) == 0 {
		t.Fatal("no scripts")
	}
	env := kernel.NewEnv()
	if _, err := env.EnsureTracefs(); err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(file, ".bt"), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			obj := compiletest.Compile(t, file, string(src), env, false)
			if err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: io.Discard, Stderr: io.Discard, DryRun: true}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
