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

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/metrics"
	"github.com/gbt-dev/gbt/runtime/output"
)

// execute runs the whole pipeline on one program: parse, check, compile,
// then (unless -d) load, attach, run and print.
func (a *app) execute(ctx context.Context, name, src string) error {
	info, err := a.frontEnd(name, src)
	if err != nil {
		return err
	}
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		ncpu = 1
	}
	// The -c command starts (held) before compiling, so cpid is known.
	var c *child
	if a.opts.cmd != "" && !a.opts.dryRun && a.opts.debug == 0 {
		if c, err = startChild(a.opts.cmd); err != nil {
			return err
		}
		defer c.kill()
	}
	copts := codegen.Options{NumCPUs: ncpu, KeysMax: a.keysMax, RingbufSize: ringbufSize(a.rbPages, ncpu)}
	if c != nil {
		copts.ChildPID = c.cmd.Process.Pid
	}
	obj, diags := codegen.Compile(info, a.table, copts)
	source := diag.Source{Name: name, Text: src}
	if diags.HasErrors() {
		diag.RenderAll(a.stderr, source, diags)
		return shownError{diags.Err()}
	}
	npoints := 0
	for _, p := range obj.Programs {
		npoints += len(p.Points)
	}
	if npoints > a.maxProbes {
		return fmt.Errorf("the program has %d probes, more than BPFTRACE_MAX_PROBES=%d allows", npoints, a.maxProbes)
	}
	if a.opts.debug > 0 {
		if err := a.dump(info); err != nil {
			return err
		}
		for _, p := range obj.Programs {
			fmt.Fprintf(a.stdout, "\n%s (%d instructions):\n%v", p.Name, len(p.Insns), p.Insns)
		}
		return nil
	}
	ropts := runtime.Options{
		Stdout: a.stdout, Stderr: a.stderr, Quiet: a.opts.quiet, Verbose: a.opts.verbose, DryRun: a.opts.dryRun,
		Format: a.outputFormat(), Unbuffered: a.lineBuffered(),
		CatBytesMax: a.catMax, PID: a.opts.pid,
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
	if a.opts.metrics != "" {
		stop, err := a.serveMetrics(&ropts)
		if err != nil {
			return err
		}
		defer stop()
	}
	err = runtime.Run(ctx, obj, ropts)
	var le *runtime.LoadError
	if errors.As(err, &le) {
		d := &diag.Diagnostic{Span: le.Span, Msg: fmt.Sprintf("the kernel's verifier rejected the program of %s: %s", le.Probe, le.Msg)}
		if le.Span == (ast.Span{}) {
			d.Span = ast.Span{}
		}
		d.Hint = "run with -v for the whole verifier log"
		if errors.Is(le, runtime.ErrNoOverride) {
			d.Hint = "override() needs a kernel built with CONFIG_BPF_KPROBE_OVERRIDE, on a function that allows error injection"
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
	if a.opts.format == "json" {
		return output.JSON
	}
	return output.Text
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

// ringbufSize turns BPFTRACE_PERF_RB_PAGES (pages per CPU, for bpftrace's
// per-CPU perf buffers; bpftrace's default is 64) into one shared ring
// buffer of the same total size, at least minRingbuf and rounded up to a
// power of two as the kernel requires. The whole ring counts in gbt's RSS
// (the kernel maps its pages twice, populated), so it is not made larger
// than the reader needs: it drains every 10 ms and whenever the ring is half
// full, which keeps 600k events/s of 64-byte records without loss in 1 MiB.
func ringbufSize(pagesPerCPU, ncpu int) int {
	if pagesPerCPU <= 0 {
		pagesPerCPU = defaultRBPages
	}
	want := max(pagesPerCPU*ncpu*os.Getpagesize(), minRingbuf)
	size := os.Getpagesize()
	for size < want {
		size <<= 1
	}
	return size
}

const (
	defaultRBPages = 64      // bpftrace's BPFTRACE_PERF_RB_PAGES default
	minRingbuf     = 1 << 20 // bytes
)

// serveMetrics serves the running trace's maps as Prometheus metrics on
// --metrics ADDR until stop is called.
func (a *app) serveMetrics(ropts *runtime.Options) (stop func(), err error) {
	ln, err := net.Listen("tcp", a.opts.metrics)
	if err != nil {
		return nil, fmt.Errorf("--metrics: %w", err)
	}
	exp := &metrics.Exporter{}
	mux := http.NewServeMux()
	mux.Handle("/metrics", exp)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	if a.opts.verbose {
		fmt.Fprintf(a.stderr, "gbt: serving metrics on http://%s/metrics\n", ln.Addr())
	}
	ropts.Live = exp.Attach
	return func() { srv.Close() }, nil
}
