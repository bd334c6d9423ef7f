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
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/kernel"
	"github.com/gbt-dev/gbt/stdlib"
)

const version = "gbt v0.1.0-dev"

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

	if opts.list {
		if err := a.listProbes(a.stdout, opts.listPat); err != nil {
			fmt.Fprintln(stderr, "gbt:", err)
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
		fmt.Fprintln(stderr, "gbt:", err)
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
		var status runtime.ExitStatus
		if errors.As(err, &status) {
			return int(status) & 0xff
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

func (a *app) listProbes(w io.Writer, pattern string) error {
	if kind, rest, ok := strings.Cut(pattern, ":"); ok {
		if k := probe.Lookup(kind); k != nil {
			// The probes of a file are listed from the file.
			switch k.Attach {
			case probe.AttachUprobe:
				return listUprobes(w, a.env, k.Name, rest)
			case probe.AttachUSDT:
				return listUSDT(w, a.env, rest)
			}
		}
	}
	for _, k := range probe.Kinds() {
		for _, name := range k.Listed() {
			if probe.Match(pattern, name) {
				fmt.Fprintln(w, name)
			}
		}
	}
	tps, err := a.env.Tracepoints()
	if err != nil {
		return err
	}
	for _, tp := range tps {
		name := "tracepoint:" + tp
		if !probe.Match(pattern, name) {
			continue
		}
		fmt.Fprintln(w, name)
		if a.opts.verbose {
			a.listArgs(w, tp)
		}
	}
	return nil
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

// listArgs prints a tracepoint's args as bpftrace -lv does.
func (a *app) listArgs(w io.Writer, tp string) {
	cat, ev, _ := strings.Cut(tp, ":")
	f, err := a.env.TracepointFormat(cat, ev)
	if err != nil {
		return
	}
	for _, fld := range f.Fields {
		if fld.Common {
			continue
		}
		decl := fld.CType
		if !strings.HasSuffix(decl, "*") {
			decl += " "
		}
		decl += fld.Name
		if fld.ArrayN > 0 {
			decl += fmt.Sprintf("[%d]", fld.ArrayN)
		}
		fmt.Fprintf(w, "    %s\n", decl)
	}
}

// listUprobes lists the functions of a binary as probes of kind (uprobe
// or uretprobe): pattern is "PATH:GLOB".
func listUprobes(w io.Writer, env probe.Env, kind, pattern string) error {
	path, glob, _ := strings.Cut(pattern, ":")
	if glob == "" {
		glob = "*"
	}
	names, err := env.UserFunctions(path)
	if err != nil {
		return err
	}
	for _, n := range names {
		if probe.Match(glob, n) {
			fmt.Fprintf(w, "%s:%s:%s\n", kind, path, n)
		}
	}
	return nil
}

// listUSDT lists the USDT probes of a binary: pattern is
// "PATH[:[PROVIDER:]GLOB]", as bpftrace -l prints them.
func listUSDT(w io.Writer, env probe.Env, pattern string) error {
	path, rest, _ := strings.Cut(pattern, ":")
	if rest == "" {
		rest = "*:*"
	} else if !strings.Contains(rest, ":") {
		rest = "*:" + rest
	}
	sites, err := env.USDTSites(path)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, s := range sites {
		name := s.Provider + ":" + s.Name
		if !seen[name] && probe.Match(rest, name) {
			seen[name] = true
			fmt.Fprintf(w, "usdt:%s:%s\n", path, name)
		}
	}
	return nil
}
