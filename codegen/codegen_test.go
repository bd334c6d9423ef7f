package codegen_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/gbt-dev/gbt/internal/compiletest"
	"github.com/gbt-dev/gbt/internal/golden"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/stdlib"
)

var update = flag.Bool("update", false, "rewrite golden files")

func compile(t *testing.T, src string) *codegen.Object {
	t.Helper()
	return compiletest.Compile(t, "stdin", src, probetest.New(), true)
}

func disasm(obj *codegen.Object) string {
	var b strings.Builder
	for _, p := range obj.Programs {
		fmt.Fprintf(&b, "%s (%v, %d instructions):\n%v\n", p.Name, p.Type, len(p.Insns), p.Insns)
	}
	for _, m := range obj.Maps {
		fmt.Fprintf(&b, "map %s: %v key %d value %d max %d\n", m.Spec.Name, m.Spec.Type, m.Spec.KeySize, m.Spec.ValueSize, m.Spec.MaxEntries)
	}
	return b.String()
}

func scripts(t *testing.T) []string {
	files, _ := filepath.Glob("testdata/disasm/*.bt")
	if len(files) < 20 {
		t.Fatalf("want at least 20 disassembly scripts, have %d", len(files))
	}
	return files
}

// TestDisasm compares the generated code of small scripts with golden files.
func TestDisasm(t *testing.T) {
	for _, file := range scripts(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".bt")
		t.Run(name, func(t *testing.T) {
			src, _ := os.ReadFile(file)
			got := disasm(compile(t, string(src)))
			golden.Check(t, strings.TrimSuffix(file, ".bt")+".golden", got, *update)
		})
	}
}

// TestKernelVerifier loads every program of the scripts, and one using every
// aggregation and function gbt compiles, through the kernel's verifier.
func TestKernelVerifier(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("kernel test: needs root to load BPF programs")
	}
	for _, file := range scripts(t) {
		src, _ := os.ReadFile(file)
		obj := compile(t, string(src))
		err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: io.Discard, Stderr: io.Discard, DryRun: true})
		if errors.Is(err, runtime.ErrNoTrampolines) {
			// This kernel refuses fentry/fexit programs before verifying
			// them; their disassembly golden is what is checked here.
			t.Logf("%s: %v", file, err)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
}

// TestEveryEmitterCompiles makes sure each stdlib entry with an emitter is
// used by at least one disassembly script, so each one is verifier-tested.
func TestEveryEmitterCompiles(t *testing.T) {
	var all strings.Builder
	for _, file := range scripts(t) {
		src, _ := os.ReadFile(file)
		all.Write(src)
	}
	table := stdlib.New()
	for _, name := range table.Names() {
		e := table.Entry(name)
		if e.Emit == nil {
			continue
		}
		if !strings.Contains(all.String(), name) {
			t.Errorf("builtin %s has an emitter but no script in testdata/disasm uses it", name)
		}
	}
}

// TestUnsupportedIsPositioned: constructs gbt cannot compile yet are
// reported at their source, not as crashes.
func TestUnsupportedIsPositioned(t *testing.T) {
	src := "iter:task { @[comm] = count(); }"
	prog, _ := parse.Parse("stdin", src)
	table := stdlib.New()
	info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: table})
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	_, diags = codegen.Compile(info, table, codegen.Options{})
	var b strings.Builder
	diag.RenderAll(&b, diag.Source{Name: "stdin", Text: src}, diags)
	want := "stdin:1:1-10: ERROR: iter probes are not supported by gbt yet\niter:task { @[comm] = count(); }\n~~~~~~~~~\nHINT: supported now: BEGIN, END, tracepoint, rawtracepoint, tp_btf, interval, profile, software, hardware, watchpoint, kprobe, kretprobe, uprobe, uretprobe, usdt, kfunc, kretfunc\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// BenchmarkCompile measures codegen alone (the checked tree to programs,
// maps and event descriptors) for every disassembly script at once.
func BenchmarkCompile(b *testing.B) {
	files, _ := filepath.Glob("testdata/disasm/*.bt")
	table := stdlib.New()
	infos := make([]*check.Info, 0, len(files))
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		prog, diags := parse.Parse(file, string(src))
		if diags.HasErrors() {
			b.Fatal(diags.Err())
		}
		info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: table, Unsafe: true})
		if diags.HasErrors() {
			b.Fatal(diags.Err())
		}
		infos = append(infos, info)
	}
	b.ReportAllocs()
	insns := 0
	for b.Loop() {
		insns = 0
		for _, info := range infos {
			obj, diags := codegen.Compile(info, table, codegen.Options{NumCPUs: 2})
			if diags.HasErrors() {
				b.Fatal(diags.Err())
			}
			for _, p := range obj.Programs {
				insns += len(p.Insns)
			}
		}
	}
	b.ReportMetric(float64(len(infos)), "scripts")
	b.ReportMetric(float64(insns), "insns")
}
