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
	goruntime "runtime"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/internal/toolfile"
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

// init keeps the main goroutine on the main thread, so that begin and end,
// which run on it, see tid == pid as in bpftrace (a single-threaded
// process there).
func init() { goruntime.LockOSThread() }

func main() {
	if runtime.ServeRelease() {
		return // gbt started this process to release its probes
	}
	tool, err := ownTool()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ERROR:", err)
		os.Exit(exitError)
	}
	if tool != nil {
		os.Exit(runTool(tool, toolName(os.Args[0]), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// app holds what one invocation of gbt shares between its steps.
type app struct {
	opts   *options
	stdout io.Writer
	stderr io.Writer
	env    *kernel.Env
	table  *stdlib.Table
	getenv func(string) string // the BPFTRACE_* configuration variables
	// repl says scripts run from the interactive prompt, which goes on
	// after each: their perf events are released at once (runtime.Options.ReleaseNow).
	repl    bool
	outFile *os.File // -o, once opened
	command command  // -c's, looked up once
	// containerDir is --container's cgroup directory, once found.
	containerDir string
}

// openOutput opens -o's file, once, and makes it gbt's output. It does
// not follow a symbolic link: gbt runs as root, and a link planted at
// the name would have it overwrite any file.
func (a *app) openOutput() error {
	if a.opts.output == "" || a.outFile != nil {
		return nil
	}
	f, err := os.OpenFile(a.opts.output, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|syscall.O_NOFOLLOW, 0o644)
	if errors.Is(err, syscall.ELOOP) {
		return fmt.Errorf("-o %s: is a symbolic link; gbt does not write through one (give the link's target)", a.opts.output)
	}
	if err != nil {
		return fmt.Errorf("-o: %w", err)
	}
	a.outFile, a.stdout = f, f
	return nil
}

func (a *app) closeOutput() {
	if a.outFile != nil {
		a.outFile.Close()
	}
}

func run(argv []string, stdin io.ReadCloser, stdout, stderr io.Writer) int {
	if len(argv) > 0 && argv[0] == "build" {
		return runBuild(argv[1:], stdout, stderr)
	}
	return runWith(argv, nil, usageText, usageText, stdin, stdout, stderr)
}

// runTool runs the script of a built tool, with the tool's command line.
func runTool(tool *toolfile.Tool, name string, argv []string, stdin io.ReadCloser, stdout, stderr io.Writer) int {
	return runWith(argv, tool, toolHelp(tool, name), fmt.Sprintf("Run '%s --help' for its parameters and options.\n", name), stdin, stdout, stderr)
}

// runWith runs gbt's command line, or that of tool when it is set; usage
// is what --help prints, and misuse what a bad command line does.
func runWith(argv []string, tool *toolfile.Tool, usage, misuse string, stdin io.ReadCloser, stdout, stderr io.Writer) int {
	opts, err := parseCommandLine(argv, stderr, tool)
	var cliErr *cliError
	if errors.As(err, &cliErr) {
		fmt.Fprintln(stderr, "ERROR:", cliErr.msg)
		return exitError
	}
	if err != nil {
		fmt.Fprint(stderr, misuse)
		return exitUsage
	}
	switch {
	case opts.help:
		fmt.Fprint(stdout, usage)
		return exitOK
	case opts.version:
		fmt.Fprintln(stdout, version)
		return exitOK
	}
	if opts.fmt && tool == nil && (opts.program != "" || opts.file != "") {
		name, src, err := readScript(opts)
		if err != nil {
			fmt.Fprintln(stderr, "ERROR:", err)
			return exitError
		}
		return formatScript(stdout, stderr, name, src)
	}
	a := &app{opts: opts, stdout: stdout, stderr: stderr, table: stdlib.New(), getenv: os.Getenv}
	// The BPFTRACE_* variables are read again with the script's config
	// block, which they override; a bad one is a usage error before that.
	if err := runtime.CheckEnv(a.getenv); err != nil {
		fmt.Fprintln(stderr, "gbt:", err)
		return exitUsage
	}
	a.env = kernel.NewEnv()
	if opts.traceable != "" {
		a.env.SetTraceableFunctions(opts.traceable)
	}
	a.env.SetProcess(opts.pid)
	if opts.cmd != "" {
		a.command = lookCommand(opts.cmd)
		a.env.SetCommand(a.command.path) // "" when missing: startChild says so
	}
	a.env.AddDebugDirs(opts.debugDirs...)
	a.env.SetIncludeDirs(opts.includes)
	if mounted, err := a.env.EnsureTracefs(); err != nil {
		if opts.verbose {
			fmt.Fprintln(stderr, "gbt: tracefs:", err)
		}
	} else if mounted && opts.verbose {
		fmt.Fprintf(stderr, "gbt: mounted tracefs at %s\n", a.env.Tracefs())
	}
	// -o is opened once there is something to write: after a script
	// compiles (a typo must not empty the file), at once for -l and --info.
	if opts.output != "" && (opts.info || opts.list) {
		if err := a.openOutput(); err != nil {
			fmt.Fprintln(stderr, "ERROR:", err)
			return exitError
		}
	}
	defer a.closeOutput()

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
	if opts.program == "" && opts.file == "" && tool == nil {
		if isTerminal(os.Stdin) {
			err := runREPL(replEnv{
				run: func(ctx context.Context, name, src string) error {
					a.repl = true // the release helper releases at once: the REPL goes on
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
	name, src := "", ""
	if tool != nil {
		name, src = tool.Name, tool.Script
	} else if name, src, err = readScript(opts); err != nil {
		fmt.Fprintln(stderr, "ERROR:", err)
		return exitError
	}
	ctx, stop := stopOnSignals(stderr)
	defer stop()
	if err := a.execute(ctx, name, src); err != nil {
		var code runtime.ExitCode
		if errors.As(err, &code) {
			return int(code)
		}
		if errors.Is(err, syscall.EPIPE) {
			// The reader of the output went away: quiet, with the status
			// of a process SIGPIPE ended, once the run is torn down.
			return exitBrokenPipe
		}
		var shown shownError
		var help runtime.OptionsHelp
		if errors.As(err, &help) {
			fmt.Fprint(stderr, string(help))
			return exitError
		}
		if !errors.As(err, &shown) {
			fmt.Fprintln(stderr, "ERROR:", err)
		}
		return exitError
	}
	return exitOK
}

// dump prints the checked tree with the type of every expression (-d).
func (a *app) dump(info *check.Info) error {
	return ast.Dump(a.stdout, info.Prog, typeNote(info))
}

// typeNote notes an expression's type, and its value when constant, in
// an AST dump.
func typeNote(info *check.Info) func(ast.Expr) string {
	return func(e ast.Expr) string {
		t, ok := info.Types[e]
		if !ok || !t.IsValid() {
			return ""
		}
		s := t.String()
		if v, ok := info.Consts[e]; ok {
			s += fmt.Sprintf(" = %d", v)
		}
		return s
	}
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

// stopOnSignals returns a context that SIGINT, SIGTERM or SIGHUP cancel:
// gbt then detaches, runs END and prints the maps. A second signal (timeout
// and a terminal's ^C may signal the whole process group, twice) does not
// lose that output: it says how to abort, and a third aborts at once.
// Once stop is called the output is complete: later signals are swallowed,
// never handed back to the default action, so that one arriving between
// stop and the process's exit cannot turn a run that printed everything into
// a death by signal. (signal.Ignore would do that too, but the ignored
// disposition survives exec into every child started afterwards.)
func stopOnSignals(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 4)
	// SIGPIPE too: a reader that went away (gbt ... | head) stops gbt as
	// SIGTERM does, so that its -c command is ended and its probes
	// detached, where the default action would kill gbt and leave the
	// command running. Writes to the closed pipe then fail quietly.
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	var stopped atomic.Bool
	go func() {
		n := 0
		for sig := range sigs {
			if stopped.Load() {
				continue
			}
			if sig == syscall.SIGPIPE {
				cancel() // once or many times: each write to the pipe raises one
				continue
			}
			n++
			switch n {
			case 1:
				cancel()
			case 2:
				fmt.Fprintf(stderr, "gbt: %v: still detaching and printing the maps; signal again to abort without them\n", sig)
			default:
				fmt.Fprintf(stderr, "gbt: %v: aborted\n", sig)
				os.Exit(exitInterrupted)
			}
		}
	}()
	return ctx, func() {
		stopped.Store(true)
		cancel()
	}
}
