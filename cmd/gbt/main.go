// Command gbt is a bpftrace-compatible tracing tool: it compiles a script
// straight to BPF, runs it, streams its output and prints its maps on exit.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/kernel"
	"github.com/gbt-dev/gbt/stdlib"
)

// gbtVersion names this build; followedBpftrace is the bpftrace release
// whose language, flags and output gbt follows, in the "bpftrace vX.Y.Z"
// form that scripts and test suites look for.
const (
	gbtVersion       = "gbt v0.1.0-dev"
	followedBpftrace = "bpftrace v0.27.1"
)

// version is what -V prints: gbt's own name first, then the bpftrace it
// follows.
const version = gbtVersion + "\n" + followedBpftrace + " (the bpftrace gbt follows; see README, Differences from bpftrace)"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// app holds what one invocation of gbt shares between its steps.
type app struct {
	opts      *options
	stdout    io.Writer
	stderr    io.Writer
	env       *kernel.Env
	table     *stdlib.Table
	strlen    int
	keysMax   int
	rbPages   int // BPFTRACE_PERF_RB_PAGES: ring buffer pages per CPU
	catMax    int // BPFTRACE_CAT_BYTES_MAX
	maxProbes int // BPFTRACE_MAX_PROBES
}

func run(argv []string, stdin io.ReadCloser, stdout, stderr io.Writer) int {
	opts, err := parseFlags(argv, stderr)
	var cliErr *cliError
	if errors.As(err, &cliErr) {
		fmt.Fprintln(stderr, "ERROR:", cliErr.msg)
		return exitError
	}
	if err != nil {
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}
	switch {
	case opts.help:
		fmt.Fprint(stdout, usageText)
		return exitOK
	case opts.version:
		fmt.Fprintln(stdout, version)
		return exitOK
	}
	a := &app{opts: opts, stdout: stdout, stderr: stderr, table: stdlib.New()}
	if a.strlen, err = envInt(os.Getenv, "STRLEN", check.DefaultStrlen); err == nil {
		a.keysMax, err = envInt(os.Getenv, "MAP_KEYS_MAX", runtime.DefaultKeysMax)
	}
	if err == nil {
		a.rbPages, err = envInt(os.Getenv, "PERF_RB_PAGES", 0) // 0: the default, 64
	}
	if err == nil {
		a.catMax, err = envInt(os.Getenv, "CAT_BYTES_MAX", runtime.DefaultCatBytesMax)
	}
	if err != nil {
		fmt.Fprintln(stderr, "gbt:", err)
		return exitUsage
	}
	maxStrlen, err := envInt(os.Getenv, "MAX_STRLEN", 200)
	if err == nil {
		a.maxProbes, err = envInt(os.Getenv, "MAX_PROBES", runtime.DefaultMaxProbes)
	}
	if err != nil {
		fmt.Fprintln(stderr, "gbt:", err)
		return exitUsage
	}
	// Strings live on the 512-byte BPF stack for now, so 200 is a hard cap.
	if limit := min(maxStrlen, 200); a.strlen < 1 || a.strlen > limit {
		fmt.Fprintf(stderr, "gbt: BPFTRACE_STRLEN=%d: must be between 1 and %d\n", a.strlen, limit)
		return exitUsage
	}
	a.env = kernel.NewEnv()
	a.env.SetProcess(opts.pid)
	a.env.SetIncludeDirs(opts.includes)
	if mounted, err := a.env.EnsureTracefs(); err != nil {
		if opts.verbose {
			fmt.Fprintln(stderr, "gbt: tracefs:", err)
		}
	} else if mounted && opts.verbose {
		fmt.Fprintf(stderr, "gbt: mounted tracefs at %s\n", a.env.Tracefs())
	}
	if opts.output != "" {
		f, err := os.Create(opts.output)
		if err != nil {
			fmt.Fprintln(stderr, "gbt:", err)
			return exitError
		}
		defer f.Close()
		a.stdout = f
	}

	if opts.info {
		a.printInfo(a.stdout)
		return exitOK
	}
	if opts.list {
		if err := a.listProbes(a.stdout, opts.listPat); err != nil {
			if !errors.As(err, new(shownError)) {
				fmt.Fprintln(stderr, "gbt:", err)
			}
			return exitError
		}
		return exitOK
	}
	if opts.program == "" && opts.file == "" {
		if isTerminal(os.Stdin) {
			err := runREPL(replEnv{
				run: func(ctx context.Context, name, src string) error {
					return a.execute(ctx, name, src)
				},
				listProbes:  a.listProbes,
				words:       a.completionWords,
				tracepoints: func() []string { tps, _ := a.env.Tracepoints(); return tps },
				stdout:      stdout,
				stderr:      stderr,
			}, stdin)
			if err != nil {
				fmt.Fprintln(stderr, "gbt:", err)
				return exitError
			}
			return exitOK
		}
		fmt.Fprintln(stderr, "gbt: no program given: use -e 'program' or a script file")
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}
	name, src, err := readScript(opts)
	if err != nil {
		fmt.Fprintln(stderr, "ERROR:", err)
		return exitError
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first ^C gbt detaches, runs END and prints the maps; a
		// second ^C should kill it at once, as with bpftrace.
		<-ctx.Done()
		stop()
	}()
	if err := a.execute(ctx, name, src); err != nil {
		var code runtime.ExitCode
		if errors.As(err, &code) {
			return int(code)
		}
		var shown shownError
		if !errors.As(err, &shown) {
			fmt.Fprintln(stderr, "ERROR:", err)
		}
		return exitError
	}
	return exitOK
}

// dump prints the checked tree with the type of every expression (-d).
func (a *app) dump(info *check.Info) error {
	return ast.Dump(a.stdout, info.Prog, func(e ast.Expr) string {
		t, ok := info.Types[e]
		if !ok || !t.IsValid() {
			return ""
		}
		s := t.String()
		if v, ok := info.Consts[e]; ok {
			s += fmt.Sprintf(" = %d", v)
		}
		return s
	})
}

func (a *app) completionWords() []string {
	words := append([]string{}, a.table.Names()...)
	for _, n := range probe.Names() {
		words = append(words, n+":")
	}
	return append(words, "BEGIN", "END", "args", "if", "else", "while", "unroll")
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
