// Package runtime loads a compiled Object into the kernel, runs BEGIN,
// attaches the probes, streams events, and on exit detaches everything,
// runs END and prints the maps as bpftrace does.
package runtime

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/perf"
	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/runtime/kernel"
	"github.com/gbt-dev/gbt/runtime/output"
	"github.com/gbt-dev/gbt/runtime/sym"
	"github.com/gbt-dev/gbt/stdlib"
)

// Options control a run.
type Options struct {
	Stdout  io.Writer
	Stderr  io.Writer
	Quiet   bool // no "Attaching N probes..."
	Verbose bool // full verifier logs, attach details
	DryRun  bool // load through the verifier, attach nothing
	Format  output.Format
	// AfterAttach, if set, runs once every probe is attached (gbt -c
	// releases its child here); the run ends when Done is closed.
	AfterAttach func() error
	Done        <-chan struct{}
	// Unbuffered writes output after every event (-B none).
	Unbuffered bool
	// CatBytesMax bounds what cat() prints (BPFTRACE_CAT_BYTES_MAX).
	CatBytesMax int
	// NoWarnings silences the warnings the script prints (warnf).
	NoWarnings bool
	// PID restricts uprobes to one process (-p).
	PID int
	// DwarfPIDs are the processes of --dwarf-pid, whose stacks dw_ustack
	// unwinds besides PID's and ChildPID's.
	DwarfPIDs []int
	// DebugDirs hold separate debug files (--debuginfo), searched before
	// /usr/lib/debug for the symbols and source lines of user stacks.
	DebugDirs []string
	// NoFeatures are kernel features gbt must not use though the kernel
	// has them (--no-feature): NoFeatureNames' names.
	NoFeatures []string
	// ChildPID is the -c command's process, which watchpoints watch when
	// no -p is given.
	ChildPID int
	// Live, if set, receives a view of the running session's maps once
	// every probe is attached (exporters read it while the trace runs).
	Live func(*Live)
	// NotifyAttached prints the line __BPFTRACE_NOTIFY_PROBES_ATTACHED
	// once every probe is attached, as bpftrace does when that environment
	// variable is set (test harnesses wait for it): on Stdout, or on
	// Stderr as 0.17 did (compat.StdoutMarker).
	NotifyAttached bool
	// Compat is the bpftrace release whose output and run gbt reproduces
	// where releases differ (zero: the newest; --compat, GBT_COMPAT).
	Compat compat.Version
	// Stacks, if set, receives at exit, after the maps are printed, the
	// folded stacks of the maps keyed by kstack or ustack (--flamegraph).
	Stacks func(StackMaps) error
	// Percentiles prints p50, p90, p99 and max estimated from the buckets
	// with every hist() and lhist() value (--percentiles).
	Percentiles bool
	// Order is the order map rows print in (--sort, --reverse); Top, if
	// not zero, prints only the Top largest values of each map where
	// print() gives no top (--top).
	Order output.Order
	Top   int
	// PrintInterval, if not zero, prints every aggregation map that holds
	// something and clears it at that period (--interval), as an
	// interval:s:N { print(@m); clear(@m); } probe for each would. Maps
	// of plain values (the script's state) are left alone.
	PrintInterval time.Duration
	// Strict makes a run that lost events (the ring buffer was full) or
	// failed map updates (a map was full) end with a StrictError, after
	// the maps are printed (--strict).
	Strict bool
	// Mode is what the run does: trace (the zero value), or run the
	// test:NAME probes once each and judge them (--test), or time the
	// bench:NAME probes (--bench), then stop. A run in a mode runs only
	// that mode's probes, begin and end, and prints no maps at exit;
	// other runs never run test or bench probes.
	Mode probe.Mode
	// Color colors the status words of --test's results, as bpftrace
	// does (cmd/gbt: when stdout is a terminal).
	Color bool
	// ReleaseHelper, if set, is an executable that calls ServeRelease
	// first thing (cmd/gbt: itself): at exit the session hands its perf
	// events to it, whose release the kernel serializes (seconds for
	// hundreds of tracepoints), instead of waiting for it. The helper
	// releases them when this process exits (the tracepoints stay
	// enabled till then), unless ReleaseNow.
	ReleaseHelper string
	// ReleaseNow has the release helper release the perf events at once,
	// for a process that goes on after the session (the REPL, a
	// program embedding gbt); the kernel's release then runs behind it
	// in the workers that closed the links, which its exit waits for.
	ReleaseNow bool
}

// AttachedMarker is the line NotifyAttached prints.
const AttachedMarker = "__BPFTRACE_NOTIFY_PROBES_ATTACHED"

// ExitCode is the error of a run that ended with exit(code), code not
// zero, after it ran END and printed the maps: gbt exits with code.
type ExitCode int

func (e ExitCode) Error() string { return fmt.Sprintf("exit(%d)", int(e)) }

// ErrNoTrampolines is the error of loading a kfunc or kretfunc program on a
// kernel that refuses fentry/fexit programs.
var ErrNoTrampolines = errors.New("this kernel refuses fentry/fexit programs (operation not permitted)")

// Session is one loaded Object.
type Session struct {
	obj   *codegen.Object
	opts  Options
	out   *bufio.Writer
	maps  map[string]*ebpf.Map // by MapDesc.Name
	progs []*ebpf.Program
	// multi holds, for each program, the multi linker it was loaded for
	// (kprobe_multi, uprobe_multi links of all its points), or nil.
	multi []*multiLinker
	// executables are the user binaries uprobes were attached to, each
	// opened once: link.Executable reads the file's symbols once.
	executables map[string]*link.Executable
	// unattached counts the probes left out because the kernel would
	// not attach them and missing_probes allowed it (missing.go).
	unattached int
	links      []link.Link
	linkFDs    []int // BPF links made without package link
	perfFDs    []int
	// watches are the link and perf event fds of each watched address,
	// as indexes in linkFDs and perfFDs, for unwatch().
	watches map[uint64][][2]int
	// argWatches are the watchpoints on functions' arguments, when the
	// script has some.
	argWatches *argWatches
	// polls run at each turn of the event loop, for probes that gbt
	// itself fires (self:signal); stops end what attachers started other
	// than links and fds, when the links close.
	polls []func() error
	stops []func()
	// benches are the bench probes to time, tests the test probes to
	// run, in attach order.
	benches []namedProg
	tests   []namedProg
	// errw receives the script's messages (errorf, runtime errors):
	// Options.Stderr, or a test's captured output while it runs.
	errw io.Writer
	// scriptErrors counts the errors the script reported as it ran.
	scriptErrors int
	reader       *ringbuf.Reader
	control      *ringbuf.Reader // the control ring, when the program sends control records
	perf         *perf.Reader    // the perf event array, when a helper sends records there
	pcaps        map[string]*packetFile
	pr           *output.Printer
	// handlers decode and act on each event's records, by event id.
	handlers []stdlib.Handler
	printfs  []*output.Printf // the formats handlers compiled, for stacks
	// kallsyms reads /proc/kallsyms once, for kernel stacks and symbols
	// and for kprobe offsets' bounds.
	kallsyms func() (*sym.Kernel, error)
	clock    time.Time // wall time of nsecs zero, when strftime() is used
	exited   bool
	// holdOutput keeps drains from flushing: what begin printed is
	// written after the probes attach.
	holdOutput bool
	exitCode   int    // what exit(code) asked for
	lost       uint64 // events lost, as reported so far
	handled    uint64 // records handled
	dropped    uint64 // records dropped at exit

	// exitCalled says an exit() was handled (not a signal): at exit the
	// records queued are then read after END, as before.
	exitCalled bool
	// finishing is set once teardown begins: an exit() record queued
	// behind the one that stopped the run (a probe firing again before
	// it was detached) must not stop the drains that read END's output.
	finishing bool

	// zeroed holds the names of keyless aggregations that zero() reset
	// since they were last cleared: they print although all zero, as in
	// bpftrace (the live view reads it from another goroutine).
	zeroed sync.Map
	// cleared holds the names of keyless aggregations that clear() or
	// delete() emptied: while all zero they print nothing, count and sum
	// too, as in bpftrace 0.26.
	cleared sync.Map
	env     *kernel.Env // tracefs, for tracepoint ids; made when first needed
}

// Run loads obj, runs it until exit() or ctx is cancelled, and tears down.
func Run(ctx context.Context, obj *codegen.Object, opts Options) (err error) {
	s := &Session{obj: obj, opts: opts, maps: map[string]*ebpf.Map{},
		out: bufio.NewWriterSize(opts.Stdout, 256<<10), kallsyms: sync.OnceValues(sym.LoadKernel)}
	s.errw = opts.Stderr
	s.pr = output.NewPrinter(s.out, opts.Format)
	s.pr.SetColor(opts.Color)
	s.pr.SetAside(opts.Stderr) // -f folded: the rest as text on stderr
	s.pr.SetCompat(opts.Compat)
	s.pr.SetProbeNames(obj.ProbeNames)
	s.pr.SetStrTrailer(obj.Settings().StrTruncTrailer)
	s.pr.SetPercentiles(opts.Percentiles)
	s.pr.SetOrder(opts.Order)
	if usesKind(obj, types.Timestamp) {
		zero, err := kernel.MonotonicWallTime()
		if err != nil {
			return err
		}
		s.clock = zero
		s.pr.SetClock(zero)
	}
	if obj.ClockMap == "" {
		s.pr.SetTAIOffset(kernel.TAIOffset())
	}
	defer s.close()
	if len(obj.Programs) == 0 {
		// Every probe was left out (missing_probes, --probe-filter): the
		// newest bpftrace's words, on stdout, and a failed run.
		if !opts.Quiet {
			fmt.Fprintln(opts.Stdout, "No probes to attach")
		}
		return ExitCode(1)
	}
	if err := runsInMode(obj, opts.Mode); err != nil {
		return err
	}
	if err := s.openEvents(); err != nil {
		return err
	}
	if err := raiseMemlock(); err != nil {
		if os.Geteuid() != 0 {
			return fmt.Errorf("gbt needs root, or the capabilities CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN before Linux 5.8), to load BPF programs: %w", err)
		}
		return fmt.Errorf("remove memlock limit: %w", err)
	}
	if err := s.load(); err != nil {
		var le *LoadError
		if errors.As(err, &le) && !opts.DryRun && !opts.Quiet && opts.Format != output.JSON && !opts.Compat.Has(compat.AttachedLine) {
			// 0.17 loads each program as it attaches it, after its
			// "Attaching" line: its refusals follow that line.
			nattach, _ := attachCounts(obj, opts.Mode)
			s.attachingLine(nattach)
		}
		return err
	}
	if opts.DryRun {
		return nil
	}
	if err := s.start(); err != nil {
		return err
	}
	nattach, nprobes := attachCounts(obj, opts.Mode)
	switch {
	case opts.Quiet, opts.Mode != probe.ModeTrace:
		// The newest bpftrace prints no attach lines with --test, --bench.
	case opts.Format == output.JSON:
		s.pr.AttachedProbes(nprobes) // pipelines expect the record on stdout
	case !opts.Compat.Has(compat.AttachedLine):
		if err := s.attachingLine(nattach); err != nil {
			return err
		}
	default:
		// 0.17's line, before begin runs and the probes attach; the
		// newest bpftrace's "Attached N probes" follows once they are.
		fmt.Fprintf(opts.Stderr, "Attaching %d probe%s...\n", nattach, plural(nattach))
	}
	for i, p := range obj.Programs {
		if p.RunAt == probe.RunAtStart {
			if err := s.runOnce(i); err != nil {
				return err
			}
		}
	}
	// begin runs before the other probes attach. What it printed is read
	// now (an exit() in it means nothing attaches) but written once they
	// are, after the attached marker, as bpftrace writes it: a harness
	// that waits for the marker sees all of it.
	s.holdOutput = true
	if err := s.drainFor(0); err != nil {
		return err
	}
	s.holdOutput = false
	if onlyRunOnce(obj) && opts.Compat.Has(compat.RunOnceScriptsEnd) {
		// Nothing to wait for: bpftrace 0.23 and later end a script of
		// only begin and end probes after begin, as if it called exit()
		// (0.17 runs on until a signal).
		s.exited = true
	}
	if !s.exited {
		if err := s.attach(); err != nil {
			return err
		}
		if opts.Mode != probe.ModeTrace && s.benches == nil && s.tests == nil {
			// --test or --bench with none of its probes: nothing runs
			// after begin, as in bpftrace.
			s.exited = true
		}
		if !opts.Compat.Has(compat.NoUsr1Maps) {
			s.watchUsr1() // before the attached marker, which harnesses wait for
		}
		if opts.PrintInterval > 0 {
			s.watchInterval(opts.PrintInterval)
		}
	}
	if !opts.Quiet && opts.Mode == probe.ModeTrace && opts.Format != output.JSON && opts.Compat.Has(compat.AttachedLine) {
		nprobes -= s.unattached
		fmt.Fprintf(opts.Stderr, "Attached %d probe%s\n", nprobes, plural(nprobes))
	}
	if opts.NotifyAttached {
		w := opts.Stderr
		if opts.Compat.Has(compat.StdoutMarker) {
			w = opts.Stdout // unbuffered: before what BEGIN printed
		}
		fmt.Fprintln(w, AttachedMarker)
	}
	if err := s.out.Flush(); err != nil {
		return err
	}
	if !s.exited {
		if opts.Live != nil {
			live := newLive(s)
			defer live.stop() // before s.close, which runs later
			opts.Live(live)
		}
		if opts.AfterAttach != nil {
			if err := opts.AfterAttach(); err != nil {
				return err
			}
		}
		if err := s.loop(ctx); err != nil {
			return err
		}
	}
	return s.finish()
}

// runsInMode returns the newest bpftrace's error for a script that has
// nothing to run in mode: test or bench probes only, outside their mode,
// or no test or bench probe and no begin or end in it.
func runsInMode(obj *codegen.Object, mode probe.Mode) error {
	var tests, benches bool
	for _, p := range obj.Programs {
		if p.RunAt != probe.RunOnEvent {
			return nil // begin, end
		}
		for _, pt := range p.Points {
			if pt.Kind.Mode == mode {
				return nil
			}
			tests = tests || pt.Kind.Mode == probe.ModeTest
			benches = benches || pt.Kind.Mode == probe.ModeBench
		}
	}
	msg := "Attachment failed for all probes."
	switch {
	case tests && mode != probe.ModeTest:
		msg = "No probes attached; use --test to run test probes."
	case benches && mode != probe.ModeBench:
		msg = "No probes attached; use --bench to run benchmark probes."
	}
	return errors.New(msg) // bpftrace's words, which scripts and suites match
}

// onlyRunOnce reports whether every probe of obj runs once (begin, end).
func onlyRunOnce(obj *codegen.Object) bool {
	for _, p := range obj.Programs {
		for _, pt := range p.Points {
			if pt.Kind.Attach != probe.AttachRunOnce {
				return false
			}
		}
	}
	return true
}

// attachCounts returns the number of attach points (bpftrace 0.17's
// "Attaching N probes...": each location of a usdt probe is one) and the
// number of probes (the newest bpftrace's "Attached N probes": a usdt
// probe is one however many locations it has), the points of one block
// with one name counting once. Probes of another mode than the run's
// (test, bench) do not count: they do not run.
func attachCounts(obj *codegen.Object, mode probe.Mode) (points, probes int) {
	type key struct {
		span ast.Span
		name string
	}
	seen := map[key]bool{}
	for _, p := range obj.Programs {
		for _, pt := range p.Points {
			if pt.Kind.Mode != mode && pt.Kind.Attach != probe.AttachRunOnce {
				continue
			}
			points++
			k := key{pt.Span, pt.Name}
			if !seen[k] {
				seen[k] = true
				probes++
			}
		}
	}
	return points, probes
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// openEvents prepares the user-space side of every event: its stdlib
// codec's decoder, which may compile formats.
func (s *Session) openEvents() error {
	s.handlers = make([]stdlib.Handler, len(s.obj.Events))
	for i, ev := range s.obj.Events {
		h, err := ev.Codec.Decode(ev, host{s})
		if err != nil {
			return fmt.Errorf("%s event %d: %w", ev.Codec.Name, ev.ID, err)
		}
		s.handlers[i] = h
	}
	return nil
}

// start writes the start time and opens the ring buffer reader.
func (s *Session) start() error {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err == nil {
		if m := s.mapByRole(codegen.RoleElapsed); m != nil {
			if err := m.Put(uint32(0), uint64(ts.Nano())); err != nil {
				return fmt.Errorf("set start time: %w", err)
			}
		}
	}
	r, err := ringbuf.NewReader(s.mapByRole(codegen.RoleRingbuf))
	if err != nil {
		return fmt.Errorf("open ring buffer: %w", err)
	}
	s.reader = r
	if err := s.openControl(); err != nil {
		return err
	}
	if err := s.openPerf(); err != nil {
		return err
	}
	if needsStacks(s) {
		st := newStacks(s)
		s.pr.SetStacks(st)
		for _, pf := range s.printfs {
			pf.SetStacks(st)
		}
	}
	return nil
}

func (s *Session) mapByRole(role codegen.MapRole) *ebpf.Map {
	for _, md := range s.obj.Maps {
		if md.Role == role {
			return s.maps[md.Spec.Name]
		}
	}
	return nil
}

// runOnce runs a BEGIN or END program with BPF_PROG_TEST_RUN.
func (s *Session) runOnce(i int) error {
	if _, err := s.progs[i].Run(&ebpf.RunOptions{Context: make([]byte, 8)}); err != nil {
		return fmt.Errorf("run %s: %w", s.obj.Programs[i].Name, err)
	}
	return nil
}

// attachingLine writes bpftrace 0.17's only attach line, "Attaching N
// probes...", on stdout before anything else: before the probes attach,
// and before a program's load error, which 0.17 reports after it.
func (s *Session) attachingLine(nattach int) error {
	s.pr.AttachedProbes(nattach)
	return s.out.Flush()
}
