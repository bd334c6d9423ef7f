package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/metrics"
	"github.com/gbt-dev/gbt/runtime/output"
	"github.com/gbt-dev/gbt/stdlib"
)

// execute runs the whole pipeline on one program: compile (parse, check,
// generate code, printing the diagnostics), then (unless -d) load, attach,
// run and print.
func (a *app) execute(ctx context.Context, name, src string) error {
	// The -c command starts (held) before compiling, so cpid is known.
	var c *child
	var err error
	if a.opts.cmd != "" && !a.opts.dryRun && a.opts.debug == 0 {
		if c, err = startChild(a.command); err != nil {
			return err
		}
		defer c.kill()
	}
	copts := runtime.CompileOptions{
		Params: a.opts.args, Named: a.opts.named, Unsafe: a.opts.unsafe, Env: a.env, NoWarnings: a.opts.noWarn, Getenv: a.getenv, PID: a.opts.pid, NoFeatures: a.opts.noFeatures,
		Includes: a.opts.headers, Compat: a.opts.compat, HelperErrors: a.opts.helperErrors, DwarfPIDs: a.opts.dwarfPIDs,
		Child: a.opts.cmd != "",
	}
	if re := a.opts.probeFilter; re != nil {
		copts.ProbeFilter = re.MatchString
	}
	if copts.Cgroup, err = a.cgroupDir(); err != nil {
		return err
	}
	if c != nil {
		copts.ChildPID = c.cmd.Process.Pid
	}
	obj, warns, err := runtime.Compile(name, src, copts)
	warns.Render(a.stderr)
	var ce *runtime.CompileError
	if errors.As(err, &ce) {
		diag.RenderAll(a.stderr, ce.Source, ce.Diags)
		return shownError{err}
	}
	if err != nil {
		return err
	}
	if err := a.openOutput(); err != nil {
		return err
	}
	source := warns.Source
	if a.opts.debugWants("ast", "types", "parse") {
		if err := ast.Dump(a.stderr, obj.Info.Prog, typeNote(obj.Info)); err != nil {
			return err
		}
	}
	if a.opts.debugWants("codegen", "codegen-opt", "dis") {
		for _, p := range obj.Programs {
			fmt.Fprintf(a.stderr, "\n%s (%d instructions):\n%v", p.Name, len(p.Insns), p.Insns)
		}
	}
	if a.opts.debug > 0 {
		if err := a.dump(obj.Info); err != nil {
			return err
		}
		for _, p := range obj.Programs {
			fmt.Fprintf(a.stdout, "\n%s (%d instructions):\n%v", p.Name, len(p.Insns), p.Insns)
		}
		return nil
	}
	ropts := runtime.Options{
		Stdout: a.stdout, Stderr: a.stderr, Quiet: a.opts.quiet, Verbose: a.opts.verbose || a.opts.debugWants("verifier", "libbpf"), DryRun: a.opts.dryRun,
		Format: a.outputFormat(), Unbuffered: a.lineBuffered(),
		PID: a.opts.pid, DwarfPIDs: a.opts.dwarfPIDs, DebugDirs: a.opts.debugDirs, NoWarnings: a.opts.noWarn, Mode: a.opts.mode, Color: a.colorOutput(),
		NotifyAttached: os.Getenv(runtime.AttachedMarker) != "",
		Compat:         a.opts.compat,
		ReleaseHelper:  "/proc/self/exe", // main calls runtime.ServeRelease
		ReleaseNow:     a.repl,
		Percentiles:    a.opts.percentiles || obj.Settings().PrintPercentiles, Order: a.opts.order, Top: a.opts.top,
		PrintInterval: a.opts.interval, Strict: a.opts.strict, NoFeatures: a.opts.noFeatures,
	}
	if c != nil {
		ropts.AfterAttach, ropts.Done = c.release, c.done
		ropts.ChildPID = c.cmd.Process.Pid
	}
	if a.opts.pid > 0 && a.opts.cmd == "" {
		done, err := watchPID(ctx, a.opts.pid)
		if err != nil {
			return err
		}
		ropts.Done = done
	}
	var hooks []func(runtime.StackMaps) error
	if a.opts.format == "pprof" {
		if f, ok := a.stdout.(*os.File); ok && isTerminal(f) {
			return &cliError{"-f pprof writes a binary profile: give -o FILE or redirect the output"}
		}
		hooks = append(hooks, a.writePprof)
	}
	if a.opts.flamegraph != "" {
		write, closeFile, err := a.flameGraphWriter(scriptSubtitle(a.opts))
		if err != nil {
			return err
		}
		defer closeFile()
		hooks = append(hooks, write)
	}
	if len(hooks) > 0 {
		ropts.Stacks = func(st runtime.StackMaps) error {
			for _, h := range hooks {
				if err := h(st); err != nil {
					return err
				}
			}
			return nil
		}
	}
	if a.opts.metrics != "" {
		stop, err := a.serveMetrics(&ropts)
		if err != nil {
			return err
		}
		defer stop()
	}
	err = runtime.Run(ctx, obj, ropts)
	var ae *runtime.AttachError
	if errors.As(err, &ae) {
		// bpftrace's two lines: why, then which probe.
		fmt.Fprintln(a.stderr, "ERROR:", ae.Err)
		fmt.Fprintln(a.stderr, "ERROR:", a.opts.compat.Sprintf(compat.AttachFailed, ae.Probe))
		return shownError{err}
	}
	var le *runtime.LoadError
	if errors.As(err, &le) {
		d := &diag.Diagnostic{Span: le.Span, Msg: fmt.Sprintf("the kernel's verifier rejected the program of %s: %s", le.Probe, le.Msg)}
		if le.Span == (ast.Span{}) {
			d.Span = ast.Span{}
		}
		d.Hint = "run with -v for the whole verifier log"
		if le.Helper != "" {
			// In bpftrace's words, at the call.
			d.Msg = a.opts.compat.Sprintf(compat.HelperNotAllowed, le.Helper)
			if !a.opts.compat.Has(compat.HelperErrorAtCall) {
				d.Span = fromStatement(obj.Info.Prog, d.Span)
			}
			d.Hint = "the kernel allows " + le.Helper + " only in some probe types or functions"
		}
		if le.Missing != "" {
			d.Msg = fmt.Sprintf("this kernel has no helper %s for the program of %s (probed: %s)", le.Missing, le.Probe, le.Msg)
			d.Hint = "a newer kernel, or another probe type, may have it; gbt --info lists what this kernel has"
		}
		if le.Kfunc != "" {
			// The verifier's words, at the call.
			d.Msg = fmt.Sprintf("calling kernel function %s is not allowed in the program of %s", le.Kfunc, le.Probe)
			d.Hint = "the kernel allows the kernel function (kfunc) " + le.Kfunc + " only in some probe types"
		}
		if le.Helper != "" || le.Missing != "" || le.Kfunc != "" {
			// What the builtin at the call needs, in its own words.
			if e := a.builtinAt(obj.Info.Prog, le.Span); e != nil && e.Needs != "" {
				d.Hint = e.Needs
			}
		}
		if le.Unchecked != "" {
			// In bpftrace's words (it says so before loading, at the call).
			d.Msg = "helper " + le.Unchecked + ": result needs to be null-checked before accessing fields"
			d.Hint = "test the pointer against 0 before reading through it: percpu_kaddr(name, cpu) is 0 for a CPU that does not exist"
		}
		if errors.Is(le, runtime.ErrNoKernelVarAddr) {
			d.Hint = "percpu_kaddr() needs the variable in /proc/kallsyms, which lists data symbols only in kernels built with CONFIG_KALLSYMS_ALL"
		}
		if strings.HasPrefix(le.Msg, "infinite loop detected") {
			d.Hint = "the loop can go round with nothing changed: make its body change what its condition tests, or bound it with unroll(N)"
		}
		diag.Render(a.stderr, source, d)
		log := le.Tail
		if a.opts.verbose {
			log = le.Log
		}
		for _, l := range log {
			fmt.Fprintln(a.stderr, "  |", l)
		}
		return shownError{err}
	}
	return err
}

func (a *app) outputFormat() output.Format {
	switch a.opts.format {
	case "json":
		return output.JSON
	case "folded":
		return output.Folded
	case "pprof":
		return output.Pprof
	}
	return output.Text
}

// metricsAddr is where --metrics listens: a port alone (":9464" or
// "9464") means this machine's loopback, since the maps name processes
// and files; serving every interface takes an explicit host such as
// "0.0.0.0:9464".
func metricsAddr(flag string) string {
	if !strings.Contains(flag, ":") {
		flag = ":" + flag
	}
	host, port, err := net.SplitHostPort(flag)
	if err != nil || host != "" {
		return flag
	}
	return net.JoinHostPort("localhost", port)
}

// watchPID returns a channel closed when process pid exits (-p: gbt stops
// with the process it traces).
func watchPID(ctx context.Context, pid int) (<-chan struct{}, error) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return nil, fmt.Errorf("-p %d: %w", pid, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer unix.Close(fd)
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		for ctx.Err() == nil {
			n, err := unix.Poll(fds, 100)
			if n > 0 || (err != nil && err != unix.EINTR) {
				return
			}
		}
	}()
	return done, nil
}

// lineBuffered reports whether output is written after every event: with
// -B none or -B line, and by default when stdout is a terminal (a pipe or
// file gets large blocks, so high event rates cost no write per event).
func (a *app) lineBuffered() bool {
	switch a.opts.buffer {
	case "none", "line":
		return true
	case "full":
		return false
	}
	f, ok := a.stdout.(*os.File)
	return ok && isTerminal(f)
}

// colorOutput says whether --test's results are in color: when they go
// to a terminal (bpftrace colors them wherever they go).
func (a *app) colorOutput() bool {
	f, ok := a.stdout.(*os.File)
	return ok && isTerminal(f) && os.Getenv("NO_COLOR") == ""
}

// serveMetrics serves the running trace's maps as Prometheus metrics on
// --metrics ADDR until stop is called.
func (a *app) serveMetrics(ropts *runtime.Options) (stop func(), err error) {
	ln, err := net.Listen("tcp", metricsAddr(a.opts.metrics))
	if err != nil {
		return nil, fmt.Errorf("--metrics: %w", err)
	}
	exp := &metrics.Exporter{Percentiles: ropts.Percentiles}
	mux := http.NewServeMux()
	// GET (and so HEAD) only: anything else is 405 Method Not Allowed.
	mux.Handle("GET /metrics", exp)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	if a.opts.verbose {
		fmt.Fprintf(a.stderr, "gbt: serving metrics on http://%s/metrics\n", ln.Addr())
	}
	ropts.Live = exp.Attach
	return func() { srv.Close() }, nil
}

// fromStatement returns span widened to start where the innermost
// statement holding it starts (bpftrace 0.17's span of a refused helper
// call).
func fromStatement(prog *ast.Program, span ast.Span) ast.Span {
	out := span
	ast.Inspect(prog, func(n ast.Node) bool {
		s := n.NodeSpan()
		if s.Origin != nil || s.Start.Offset > span.Start.Offset || s.End.Offset < span.End.Offset {
			return false
		}
		if _, ok := n.(ast.Stmt); ok {
			out.Start = s.Start
		}
		return true
	})
	return out
}

// builtinAt is the stdlib entry of the innermost call whose span holds
// span (a verifier error's instruction), or nil.
func (a *app) builtinAt(prog *ast.Program, span ast.Span) *stdlib.Entry {
	var found *stdlib.Entry
	ast.Inspect(prog, func(n ast.Node) bool {
		s := n.NodeSpan()
		if s.Origin != nil || s.Start.Offset > span.Start.Offset || s.End.Offset < span.End.Offset {
			return false
		}
		if c, ok := n.(*ast.Call); ok {
			if e := a.table.Entry(c.Name); e != nil {
				found = e
			}
		}
		return true
	})
	return found
}
