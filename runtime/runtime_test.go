package runtime_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/internal/testenv"
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime"
)

// requireRoot skips a kernel test under -short or without root (see
// internal/testenv).
func requireRoot(t *testing.T) {
	t.Helper()
	testenv.RequireRoot(t)
}

func span(col, end int) ast.Span {
	return ast.Span{Start: ast.Pos{Line: 1, Col: col}, End: ast.Pos{Line: 1, Col: end}}
}

// TestKernelVerifierErrorMapsToSource: a program the verifier rejects is
// reported with the span of the instruction it failed on.
func TestKernelVerifierErrorMapsToSource(t *testing.T) {
	requireRoot(t)
	prog := &codegen.Program{
		Name: "BEGIN", Kind: probe.ProgTestRun, Type: ebpf.RawTracepoint, RunAt: probe.RunAtStart,
		Insns: asm.Instructions{
			asm.Mov.Imm(asm.R0, 0),
			asm.LoadImm(asm.R2, 1<<40, asm.DWord),     // a wide instruction: raw offsets differ from indices
			asm.LoadMem(asm.R0, asm.R2, 0, asm.DWord), // dereferences a scalar
			asm.Return(),
		},
		Spans:   []ast.Span{span(1, 6), span(9, 12), span(14, 20), span(1, 6)},
		Points:  []probe.Point{{Kind: probe.Lookup("BEGIN"), Name: "BEGIN"}},
		Cookies: []uint64{0},
	}
	obj := &codegen.Object{Programs: []*codegen.Program{prog}, ProbeNames: []string{"BEGIN"}}
	err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: io.Discard, Stderr: io.Discard, DryRun: true})
	var le *runtime.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("got %v, want a LoadError", err)
	}
	if le.Span != span(14, 20) {
		t.Errorf("span %v, want the load's 14-20", le.Span)
	}
	if le.Msg == "" || len(le.Tail) == 0 || len(le.Log) < len(le.Tail) {
		t.Errorf("verifier message/log missing: %+v", le)
	}
}

// TestKernelBeginExitEnd: BEGIN runs, its exit() stops before attaching,
// END runs after, and maps print at the end.
func TestKernelBeginExitEnd(t *testing.T) {
	requireRoot(t)
	var out, errb bytes.Buffer
	obj := beginPrintfExit(t)
	if err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: &out, Stderr: &errb}); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "hi\n\n\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	if got, want := errb.String(), "Attaching 2 probes...\nAttached 2 probes\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

// TestKernelCompileRun runs a script through the embedding API end to end.
func TestKernelCompileRun(t *testing.T) {
	requireRoot(t)
	obj, _, err := runtime.Compile("t.bt", `BEGIN { @n[1, "a"] = count(); @s = sum(5); printf("hi %d\n", $1); exit(); }`, runtime.CompileOptions{Params: []string{"7"}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: &out, Stderr: io.Discard}); err != nil {
		t.Fatal(err)
	}
	if want := "hi 7\n\n\n@n[1, a]: 1\n@s: 5\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

// TestCompileError: script errors come back rendered as gbt prints them.
func TestCompileError(t *testing.T) {
	_, _, err := runtime.Compile("t.bt", `BEGIN { @x = cuont(); }`, runtime.CompileOptions{})
	var ce *runtime.CompileError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T), want a *CompileError", err, err)
	}
	want := "t.bt:1:14-21: ERROR: Unknown function: 'cuont'\nBEGIN { @x = cuont(); }\n             ~~~~~~~\nHINT: did you mean \"count\"?"
	if err.Error() != want {
		t.Errorf("error:\n%s\nwant:\n%s", err, want)
	}
}

// TestKernelSelfSignal: a self:signal:SIGUSR1 probe runs its block each
// time the process receives SIGUSR1, with its name as probe, and its
// output comes through the ring buffer.
func TestKernelSelfSignal(t *testing.T) {
	requireRoot(t)
	// Keep a stray SIGUSR1 from killing the test process.
	guard := make(chan os.Signal, 1)
	signal.Notify(guard, syscall.SIGUSR1)
	defer signal.Stop(guard)
	obj := compile(t, `self:signal:SIGUSR1 { printf("%s %d\n", probe, @n); @n++; if (@n == 2) { exit(); } }`)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	var sender sync.WaitGroup
	defer sender.Wait() // before the guard goes
	opts := runtime.Options{Stdout: &out, Stderr: io.Discard, AfterAttach: func() error {
		sender.Add(1)
		go func() {
			defer sender.Done()
			// One signal at a time: signals that arrive together run
			// the probe once.
			for i := 0; i < 2 && ctx.Err() == nil; i++ {
				syscall.Kill(os.Getpid(), syscall.SIGUSR1)
				time.Sleep(200 * time.Millisecond)
			}
		}()
		return nil
	}}
	if err := runtime.Run(ctx, obj, opts); err != nil {
		t.Fatal(err)
	}
	if want := "self:signal:SIGUSR1 0\nself:signal:SIGUSR1 1\n\n\n@n: 2\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}
