// Package runtime loads a compiled Object into the kernel, runs BEGIN,
// attaches the probes, streams events, and on exit detaches everything,
// runs END and prints the maps as bpftrace does.
package runtime

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/runtime/kernel"
	"github.com/gbt-dev/gbt/runtime/output"
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
	// PID restricts uprobes to one process (-p).
	PID int
	// ChildPID is the -c command's process, which watchpoints watch when
	// no -p is given.
	ChildPID int
	// Live, if set, receives a view of the running session's maps once
	// every probe is attached (exporters read it while the trace runs).
	Live func(*Live)
}

// ErrNoOverride is in the error of loading a program that calls override()
// on a kernel built without CONFIG_BPF_KPROBE_OVERRIDE.
var ErrNoOverride = errors.New("this kernel does not let BPF programs override return values")

// ErrNoTrampolines is the error of loading a kfunc or kretfunc program on a
// kernel that refuses fentry/fexit programs.
var ErrNoTrampolines = errors.New("this kernel refuses fentry/fexit programs (operation not permitted)")

// Session is one loaded Object.
type Session struct {
	obj     *codegen.Object
	opts    Options
	out     *bufio.Writer
	maps    map[string]*ebpf.Map // by MapDesc.Name
	progs   []*ebpf.Program
	links   []link.Link
	linkFDs []int // BPF links made without package link
	perfFDs []int
	// watches are the link and perf event fds of each watched address,
	// as indexes in linkFDs and perfFDs, for unwatch().
	watches map[uint64][][2]int
	reader  *ringbuf.Reader
	pr      *output.Printer
	printfs []*output.Printf // by event id: printf, system and cat formats
	clock   time.Time        // wall time of nsecs zero, when strftime() is used
	line    []byte
	exited  bool
	lost    uint64
	env     *kernel.Env // tracefs, for tracepoint ids; made when first needed
}

// Run loads obj, runs it until exit() or ctx is cancelled, and tears down.
func Run(ctx context.Context, obj *codegen.Object, opts Options) (err error) {
	s := &Session{obj: obj, opts: opts, maps: map[string]*ebpf.Map{},
		out: bufio.NewWriterSize(opts.Stdout, 256<<10)}
	s.pr = output.NewPrinter(s.out, opts.Format)
	s.pr.SetProbeNames(obj.ProbeNames)
	if usesKind(obj, types.Timestamp) {
		zero, err := kernel.MonotonicWallTime()
		if err != nil {
			return err
		}
		s.clock = zero
		s.pr.SetClock(zero)
	}
	defer s.close()
	if err := s.compilePrintfs(); err != nil {
		return err
	}
	if err := rlimit.RemoveMemlock(); err != nil {
		return fmt.Errorf("remove memlock limit: %w", err)
	}
	if err := s.load(); err != nil {
		return err
	}
	if opts.DryRun {
		return nil
	}
	if err := s.start(); err != nil {
		return err
	}
	nattach := 0
	for _, p := range obj.Programs {
		nattach += len(p.Points)
	}
	switch {
	case opts.Format == output.JSON:
		s.pr.AttachedProbes(nattach) // pipelines expect the record on stdout
	case !opts.Quiet:
		fmt.Fprintf(opts.Stderr, "Attaching %d probe%s...\n", nattach, plural(nattach))
	}
	for i, p := range obj.Programs {
		if p.Begin {
			if err := s.runOnce(i); err != nil {
				return err
			}
		}
	}
	if err := s.drainFor(0); err != nil { // what BEGIN printed, without waiting
		return err
	}
	if !s.exited {
		if err := s.attach(); err != nil {
			return err
		}
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

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// compilePrintfs prepares the formatter of every formatted event.
func (s *Session) compilePrintfs() error {
	s.printfs = make([]*output.Printf, len(s.obj.Events))
	for _, ev := range s.obj.Events {
		switch ev.Kind {
		case codegen.EvPrintf, codegen.EvSystem, codegen.EvCat:
			pf, err := output.CompilePrintf(ev.Format, ev.Args, ev.Offs)
			if err != nil {
				return fmt.Errorf("event %d: %w", ev.ID, err)
			}
			pf.SetProbeNames(s.obj.ProbeNames)
			pf.SetClock(s.clock)
			s.printfs[ev.ID] = pf
		}
	}
	return nil
}

// load creates the maps and loads every program, mapping verifier errors
// back to the script.
func (s *Session) load() error {
	for _, md := range s.obj.Maps {
		m, err := ebpf.NewMap(md.Spec)
		if err != nil {
			return fmt.Errorf("create map %s: %w", md.Name, err)
		}
		s.maps[md.Spec.Name] = m
	}
	for _, p := range s.obj.Programs {
		insns := make(asm.Instructions, len(p.Insns))
		copy(insns, p.Insns)
		for name, m := range s.maps {
			if err := insns.AssociateMap(name, m); err != nil && !errors.Is(err, asm.ErrUnreferencedSymbol) {
				return fmt.Errorf("%s: associate map %s: %w", p.Name, name, err)
			}
		}
		spec := &ebpf.ProgramSpec{Name: progName(p), Type: p.Type, Instructions: insns, License: "GPL",
			AttachType: p.AttachType, AttachTo: p.AttachTo}
		prog, err := ebpf.NewProgramWithOptions(spec, ebpf.ProgramOptions{})
		if err != nil {
			if p.Kind == probe.ProgTracing && errors.Is(err, unix.EPERM) && p.AttachType != ebpf.AttachTraceRawTp {
				return fmt.Errorf("%s: %w (kfunc/kretfunc need BPF trampolines, CONFIG_FUNCTION_TRACER and no lockdown; kprobe:%s is the alternative where kprobes exist)", p.Name, ErrNoTrampolines, p.AttachTo)
			}
			return s.loadError(p, err)
		}
		s.progs = append(s.progs, prog)
	}
	return nil
}

func progName(p *codegen.Program) string {
	var b strings.Builder
	for _, r := range p.Name {
		if b.Len() == 15 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
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
	if needsStacks(s) {
		st := newStacks(s)
		s.pr.SetStacks(st)
		for _, pf := range s.printfs {
			if pf != nil {
				pf.SetStacks(st)
			}
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

// attach attaches every probe; on failure everything attached is detached
// by close.
func (s *Session) attach() error {
	for i, p := range s.obj.Programs {
		if p.Begin || p.End {
			continue
		}
		for j, pt := range p.Points {
			cookie := p.Cookies[j]
			var err error
			switch p.Kind {
			case probe.ProgTracepoint:
				err = s.attachTracepoint(s.progs[i], pt, cookie)
			case probe.ProgPerfEvent:
				err = s.attachPerf(s.progs[i], pt, cookie)
			case probe.ProgTracing:
				var l link.Link
				if l, err = link.AttachTracing(link.TracingOptions{Program: s.progs[i]}); err == nil {
					s.links = append(s.links, l)
				}
			case probe.ProgRawTP:
				var l link.Link
				l, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: pt.Func, Program: s.progs[i]})
				switch {
				case errors.Is(err, unix.ENOENT):
					err = fmt.Errorf("the kernel has no raw tracepoint %s (list them with gbt -l 'tracepoint:*:%s')", pt.Func, pt.Func)
				case errors.Is(err, unix.EINVAL):
					err = fmt.Errorf("%w (does the script read more args than %s has?)", err, pt.Func)
				case err == nil:
					s.links = append(s.links, l)
				}
			case probe.ProgKprobe:
				var l link.Link
				l, err = attachProbe(s.progs[i], pt, cookie, s.opts.PID)
				if err == nil {
					s.links = append(s.links, l)
				}
			default:
				err = fmt.Errorf("probe kind %s cannot be attached by gbt yet", pt.Kind.Name)
			}
			if err != nil {
				return fmt.Errorf("attach %s: %w", pt.Name, err)
			}
			if s.opts.Verbose {
				fmt.Fprintf(s.opts.Stderr, "gbt: attached %s\n", pt.Name)
			}
		}
	}
	return nil
}

// attachTracepoint opens the tracepoint's perf event itself (rather than
// through link.Tracepoint) so that finish can close the links first, which
// stops the programs at once, and release the perf events, each of which
// waits for RCU grace periods under the kernel's event_mutex (about 45 ms a
// tracepoint here, 16 s for syscalls:sys_enter_*), after printing.
func (s *Session) attachTracepoint(prog *ebpf.Program, pt probe.Point, cookie uint64) error {
	if s.env == nil {
		s.env = kernel.NewEnv()
	}
	id, err := s.env.TracepointID(pt.Category, pt.Event)
	if err != nil {
		return err
	}
	attr := unix.PerfEventAttr{
		Type:        unix.PERF_TYPE_TRACEPOINT,
		Config:      id,
		Size:        uint32(binary.Size(unix.PerfEventAttr{})),
		Sample_type: unix.PERF_SAMPLE_RAW,
		Sample:      1,
		Wakeup:      1,
	}
	fd, err := unix.PerfEventOpen(&attr, -1, 0, -1, unix.PERF_FLAG_FD_CLOEXEC)
	if err != nil {
		return fmt.Errorf("perf_event_open: %w", err)
	}
	s.perfFDs = append(s.perfFDs, fd)
	lfd, err := perfEventLink(prog, fd, cookie)
	if err != nil {
		return err
	}
	s.linkFDs = append(s.linkFDs, lfd)
	return nil
}

// perfEventLink attaches prog to a perf event with a BPF link carrying an
// attach cookie (link.RawLinkOptions cannot pass one) and returns the
// link's fd.
func perfEventLink(prog *ebpf.Program, perfFD int, cookie uint64) (int, error) {
	attr := struct {
		progFD, targetFD, attachType, flags uint32
		cookie                              uint64
	}{uint32(prog.FD()), uint32(perfFD), uint32(ebpf.AttachPerfEvent), 0, cookie}
	fd, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_LINK_CREATE, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	if errno != 0 {
		return -1, fmt.Errorf("create perf event link: %w", errno)
	}
	return int(fd), nil
}

// attachPerf opens CPU-clock perf events: one per CPU for profile, one on
// CPU 0 for interval. Their links carry the point's cookie, which tells
// the points of a program apart.
func (s *Session) attachPerf(prog *ebpf.Program, pt probe.Point, cookie uint64) error {
	if pt.Watch != nil {
		return s.attachWatchpoint(prog, pt, cookie)
	}
	attr := unix.PerfEventAttr{
		Type:   unix.PERF_TYPE_SOFTWARE,
		Config: unix.PERF_COUNT_SW_CPU_CLOCK,
		Size:   uint32(binary.Size(unix.PerfEventAttr{})),
	}
	cpus := []int{0}
	switch pt.Kind.Name {
	case "software", "hardware":
		ev, _ := probe.PerfEventByName(pt.Kind.Name, pt.Event)
		attr.Config, attr.Sample = ev.Config, pt.Period
		if pt.Kind.Name == "hardware" {
			attr.Type = unix.PERF_TYPE_HARDWARE
		}
	}
	switch pt.Unit {
	case "hz":
		attr.Sample = pt.Period
		attr.Bits |= unix.PerfBitFreq
	case "s":
		attr.Sample = pt.Period * 1e9
	case "ms":
		attr.Sample = pt.Period * 1e6
	case "us":
		attr.Sample = pt.Period * 1e3
	}
	if pt.Kind.Name != "interval" {
		n, err := ebpf.PossibleCPU()
		if err != nil {
			return err
		}
		cpus = cpus[:0]
		for c := 0; c < n; c++ {
			cpus = append(cpus, c)
		}
	}
	for _, cpu := range cpus {
		fd, err := unix.PerfEventOpen(&attr, -1, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
		if err != nil {
			if errors.Is(err, unix.ENODEV) {
				continue // CPU offline
			}
			if errors.Is(err, unix.ENOENT) && pt.Kind.Name == "hardware" {
				return fmt.Errorf("hardware event %s is not available on this machine (no PMU access, as in most VMs): %w", pt.Event, err)
			}
			return fmt.Errorf("perf_event_open on CPU %d: %w", cpu, err)
		}
		s.perfFDs = append(s.perfFDs, fd)
		lfd, err := perfEventLink(prog, fd, cookie)
		if err != nil {
			return err
		}
		s.linkFDs = append(s.linkFDs, lfd)
	}
	return nil
}

// Breakpoint types of <linux/hw_breakpoint.h>.
const (
	hwBreakpointR = 1
	hwBreakpointW = 2
	hwBreakpointX = 4
)

// attachWatchpoint sets a hardware breakpoint in the traced process (-p
// or -c): a perf event of type PERF_TYPE_BREAKPOINT that fires on every
// access of the watched kind.
func (s *Session) attachWatchpoint(prog *ebpf.Program, pt probe.Point, cookie uint64) error {
	pid := s.opts.PID
	if pid <= 0 {
		pid = s.opts.ChildPID
	}
	if pid <= 0 {
		return fmt.Errorf("watchpoints need a process to watch: run gbt with -p PID or -c CMD")
	}
	var bpType uint32
	for _, m := range pt.Watch.Mode {
		switch m {
		case 'r':
			bpType |= hwBreakpointR
		case 'w':
			bpType |= hwBreakpointW
		case 'x':
			bpType |= hwBreakpointX
		}
	}
	attr := unix.PerfEventAttr{
		Type:    unix.PERF_TYPE_BREAKPOINT,
		Size:    uint32(binary.Size(unix.PerfEventAttr{})),
		Sample:  1,
		Bp_type: bpType,
		Ext1:    pt.Watch.Addr, // bp_addr
		Ext2:    pt.Watch.Len,  // bp_len
	}
	fd, err := unix.PerfEventOpen(&attr, pid, -1, -1, unix.PERF_FLAG_FD_CLOEXEC)
	if err != nil {
		return fmt.Errorf("set a hardware breakpoint in process %d: %w", pid, err)
	}
	s.perfFDs = append(s.perfFDs, fd)
	lfd, err := perfEventLink(prog, fd, cookie)
	if err != nil {
		return err
	}
	s.linkFDs = append(s.linkFDs, lfd)
	if s.watches == nil {
		s.watches = map[uint64][][2]int{}
	}
	s.watches[pt.Watch.Addr] = append(s.watches[pt.Watch.Addr], [2]int{len(s.linkFDs) - 1, len(s.perfFDs) - 1})
	return nil
}

// unwatch removes the watchpoints at addr (unwatch()): their links and
// perf events are closed now, and marked so that detach skips them.
func (s *Session) unwatch(addr uint64) {
	for _, w := range s.watches[addr] {
		unix.Close(s.linkFDs[w[0]])
		unix.Close(s.perfFDs[w[1]])
		s.linkFDs[w[0]], s.perfFDs[w[1]] = -1, -1
	}
	delete(s.watches, addr)
}

// loop reads events until exit() or cancellation.
func (s *Session) loop(ctx context.Context) error {
	for !s.exited {
		if ctx.Err() != nil {
			return nil
		}
		select {
		case <-s.opts.Done:
			// The traced command exited: read what it left, then stop.
			return s.drain()
		default:
		}
		if err := s.drain(); err != nil {
			return err
		}
	}
	return nil
}

// drain reads the records available within one 10 ms window and flushes
// the output.
func (s *Session) drain() error { return s.drainFor(drainWindow) }

// drainWindow is how long one drain waits for records: the latency of
// printf output, and the period of the lost-event check.
const drainWindow = 10 * time.Millisecond

// drainFor reads the records that are available or arrive within wait, and
// flushes the output.
func (s *Session) drainFor(wait time.Duration) error {
	var rec ringbuf.Record
	s.reader.SetDeadline(time.Now().Add(wait))
	for !s.exited {
		err := s.reader.ReadInto(&rec)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		if err := s.handle(rec.RawSample); err != nil {
			return err
		}
		if s.opts.Unbuffered {
			if err := s.out.Flush(); err != nil {
				return err
			}
		}
	}
	s.checkLost()
	return s.out.Flush()
}

func (s *Session) checkLost() {
	m := s.mapByRole(codegen.RoleLost)
	if m == nil {
		return
	}
	var per []uint64
	if err := m.Lookup(uint32(0), &per); err != nil {
		return
	}
	var total uint64
	for _, v := range per {
		total += v
	}
	if total > s.lost {
		if s.opts.Format == output.JSON {
			s.pr.LostEvents(total - s.lost)
		} else {
			fmt.Fprintf(s.opts.Stderr, "Lost %d events\n", total-s.lost)
		}
		s.lost = total
	}
}

// handle dispatches one ring-buffer record by its event id.
func (s *Session) handle(rec []byte) error {
	if len(rec) < 8 {
		return fmt.Errorf("short event record (%d bytes)", len(rec))
	}
	id := binary.LittleEndian.Uint64(rec)
	if id >= uint64(len(s.obj.Events)) {
		return fmt.Errorf("unknown event id %d", id)
	}
	ev := s.obj.Events[id]
	switch ev.Kind {
	case codegen.EvPrintf:
		s.line = s.printfs[id].Append(s.line[:0], rec)
		return s.pr.Printf(s.line)
	case codegen.EvExit:
		s.exited = true
	case codegen.EvPrintValue:
		return s.pr.PrintValue(ev.Args[0], rec[ev.Offs[0]:])
	case codegen.EvTime:
		s.line = output.AppendStrftime(s.line[:0], ev.Format, time.Now())
		return s.pr.Message("time", s.line)
	case codegen.EvSystem:
		s.line = s.printfs[id].Append(s.line[:0], rec)
		return s.system(string(s.line))
	case codegen.EvCat:
		s.line = s.printfs[id].Append(s.line[:0], rec)
		return s.cat(string(s.line))
	case codegen.EvJoin:
		s.line = appendJoin(s.line[:0], rec, ev.Format)
		return s.pr.Line("join", s.line)
	case codegen.EvPrintMap:
		return s.printMap(ev.Map, ev.Top, ev.Div)
	case codegen.EvClear:
		return s.clearMap(ev.Map, false)
	case codegen.EvZero:
		return s.clearMap(ev.Map, true)
	case codegen.EvUnwatch:
		s.unwatch(binary.LittleEndian.Uint64(rec[ev.Offs[0]:]))
	}
	return nil
}

func (s *Session) userMap(name string) (*codegen.MapDesc, *ebpf.Map) {
	for _, md := range s.obj.Maps {
		if md.Role == codegen.RoleUser && md.Name == name {
			return md, s.maps[md.Spec.Name]
		}
	}
	return nil, nil
}

// readMap reads every element of a user map.
func (s *Session) readMap(md *codegen.MapDesc, m *ebpf.Map) (output.MapLayout, []output.Entry, error) {
	l := output.MapLayout{Name: md.Name, Key: md.Info.Key, Value: md.Info.Value,
		Lhist: output.LhistParams{Min: md.Info.LhistMin, Max: md.Info.LhistMax, Step: md.Info.LhistStep}}
	if md.Info.Keyless() {
		l.Key = types.Type{Kind: types.Void}
	}
	valSize := int(md.Spec.ValueSize)
	stride := (valSize + 7) &^ 7
	var es []output.Entry
	var prev any
	for {
		next := make([]byte, md.Spec.KeySize)
		err := m.NextKey(prev, &next)
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			break
		}
		if err != nil {
			return l, nil, fmt.Errorf("read map %s: %w", md.Name, err)
		}
		prev = next
		raw, err := m.LookupBytes(next)
		if err != nil {
			if errors.Is(err, ebpf.ErrKeyNotExist) {
				continue
			}
			return l, nil, fmt.Errorf("read map %s: %w", md.Name, err)
		}
		e := output.Entry{Key: next}
		if md.PerCPU {
			for off := 0; off+valSize <= len(raw); off += stride {
				e.Values = append(e.Values, raw[off:off+valSize])
			}
		} else {
			e.Values = [][]byte{raw}
		}
		es = append(es, e)
	}
	if md.Info.Keyless() && md.Spec.Type == ebpf.PerCPUArray && neverStored(md.Info.Value.AggKind, es) {
		// A keyless aggregation lives in a per-CPU array, which always has
		// its element; bpftrace 0.17 prints those it never stored to (or
		// cleared) as empty maps, except count and sum, which print 0.
		es = nil
	}
	return l, es, nil
}

// neverStored reports whether a keyless aggregation holds nothing.
func neverStored(k types.AggKind, es []output.Entry) bool {
	if k == types.Count || k == types.Sum {
		return false
	}
	for _, e := range es {
		for _, v := range e.Values {
			for _, b := range v {
				if b != 0 {
					return false
				}
			}
		}
	}
	return true
}

func (s *Session) printMap(name string, top, div int) error {
	md, m := s.userMap(name)
	if md == nil {
		return nil
	}
	l, es, err := s.readMap(md, m)
	if err != nil {
		return err
	}
	return s.pr.PrintMap(l, es, top, div)
}

// clearMap deletes every element; keyless aggregations (per-CPU arrays)
// cannot be deleted and are zeroed instead, as bpftrace does.
func (s *Session) clearMap(name string, zero bool) error {
	md, m := s.userMap(name)
	if md == nil {
		return nil
	}
	var keys [][]byte
	var prev any
	for {
		next := make([]byte, md.Spec.KeySize)
		if err := m.NextKey(prev, &next); err != nil {
			break
		}
		keys = append(keys, next)
		prev = next
	}
	for _, k := range keys {
		if zero || md.Spec.Type == ebpf.PerCPUArray || md.Spec.Type == ebpf.Array {
			var zeros any = make([]byte, md.Spec.ValueSize)
			if md.PerCPU {
				n, err := ebpf.PossibleCPU()
				if err != nil {
					return err
				}
				per := make([][]byte, n)
				for i := range per {
					per[i] = make([]byte, md.Spec.ValueSize)
				}
				zeros = per
			}
			if err := m.Put(k, zeros); err != nil {
				return fmt.Errorf("zero %s: %w", name, err)
			}
			continue
		}
		if err := m.Delete(k); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return fmt.Errorf("clear %s: %w", name, err)
		}
	}
	return nil
}

// finish detaches, runs END, drains the events and prints the maps.
func (s *Session) finish() error {
	s.closeLinks() // the programs stop here; the perf events go after printing
	defer s.detach()
	for i, p := range s.obj.Programs {
		if p.End {
			if err := s.runOnce(i); err != nil {
				return err
			}
		}
	}
	s.exited = false
	if err := s.drain(); err != nil {
		return err
	}
	s.out.WriteString("\n\n")
	for _, md := range s.obj.Maps {
		if md.Role != codegen.RoleUser {
			continue
		}
		if err := s.printMap(md.Name, 0, 0); err != nil {
			return err
		}
	}
	return s.out.Flush()
}

// detach closes every link, then every perf event.
func (s *Session) detach() {
	s.closeLinks()
	if n := len(s.perfFDs); n >= slowRelease && !s.opts.Quiet {
		// The output is complete; say why the exit takes seconds.
		fmt.Fprintf(s.opts.Stderr, "Detaching %d probes (the kernel releases tracepoints one at a time: about %d s)...\n",
			n, (n*35+999)/1000)
	}
	closeAll(s.perfFDs, closeFD)
	s.perfFDs = nil
}

// slowRelease is the number of perf events whose release (about 35 ms
// each, serialized by the kernel) is worth a message.
const slowRelease = 40

// closeLinks closes the links: no program runs after it returns.
func (s *Session) closeLinks() {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { closeAll(s.links, func(l link.Link) { l.Close() }); wg.Done() }()
	go func() { closeAll(s.linkFDs, closeFD); wg.Done() }()
	wg.Wait()
	s.links, s.linkFDs = nil, nil
}

// closeFD closes fd, unless unwatch() has (-1).
func closeFD(fd int) {
	if fd >= 0 {
		unix.Close(fd)
	}
}

// closeAll closes everything at once: each close of a tracepoint or perf
// event waits for RCU grace periods (20-40 ms here), and concurrent closes
// share them where the kernel does not serialize them.
func closeAll[T any](xs []T, close func(T)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxParallelDetach)
	for _, x := range xs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			close(x)
			<-sem
		}()
	}
	wg.Wait()
}

// maxParallelDetach bounds the goroutines (and threads blocked in close)
// detach uses.
const maxParallelDetach = 64

func (s *Session) close() {
	s.detach()
	if s.reader != nil {
		s.reader.Close()
	}
	for _, p := range s.progs {
		p.Close()
	}
	for _, m := range s.maps {
		m.Close()
	}
	s.out.Flush()
}

// DefaultCatBytesMax is bpftrace's BPFTRACE_CAT_BYTES_MAX default.
const DefaultCatBytesMax = 10 << 10

// system runs a command for system() (only compiled with --unsafe); its
// output is printed in event order.
func (s *Session) system(cmdline string) error {
	cmd := exec.Command("/bin/sh", "-c", cmdline)
	cmd.Stderr = s.opts.Stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			fmt.Fprintf(s.opts.Stderr, "gbt: system(%q): %v\n", cmdline, err)
		}
	}
	return s.pr.Message("system", out)
}

// cat prints (up to Options.CatBytesMax of) a file for cat().
func (s *Session) cat(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(s.opts.Stderr, "gbt: cat: %v\n", err)
		return nil
	}
	limit := s.opts.CatBytesMax
	if limit <= 0 {
		limit = DefaultCatBytesMax
	}
	return s.pr.Message("cat", b[:min(len(b), limit)])
}

// usesKind reports whether any event or map carries a value of kind k
// (alone or inside a tuple key).
func usesKind(obj *codegen.Object, k types.Kind) bool {
	has := func(t types.Type) bool {
		if t.Kind == k {
			return true
		}
		for _, e := range t.Elems {
			if e.Kind == k {
				return true
			}
		}
		return false
	}
	for _, ev := range obj.Events {
		for _, t := range ev.Args {
			if has(t) {
				return true
			}
		}
	}
	for _, md := range obj.Maps {
		if md.Info != nil && (has(md.Info.Value) || has(md.Info.Key)) {
			return true
		}
	}
	return false
}

// attachProbe attaches a kprobe, kretprobe, uprobe or uretprobe.
func attachProbe(prog *ebpf.Program, pt probe.Point, cookie uint64, pid int) (link.Link, error) {
	var l link.Link
	var err error
	switch pt.Kind.Name {
	case "kprobe":
		l, err = link.Kprobe(pt.Func, prog, &link.KprobeOptions{Cookie: cookie, Offset: pt.Offset})
	case "kretprobe":
		l, err = link.Kretprobe(pt.Func, prog, &link.KprobeOptions{Cookie: cookie})
	default:
		return attachUprobe(prog, pt, cookie, pid)
	}
	if err != nil && (errors.Is(err, os.ErrNotExist) || errors.Is(err, link.ErrNotSupported)) {
		return nil, fmt.Errorf("this kernel cannot attach kprobes (no kprobe support or kprobe_events): %w", err)
	}
	return l, err
}

// attachUprobe attaches a uprobe or uretprobe to a symbol or address.
func attachUprobe(prog *ebpf.Program, pt probe.Point, cookie uint64, pid int) (link.Link, error) {
	ex, err := link.OpenExecutable(pt.Path)
	if err != nil {
		return nil, err
	}
	opts := &link.UprobeOptions{Cookie: cookie, PID: pid}
	if u := pt.USDT; u != nil {
		// The note gives file offsets; the kernel counts the semaphore up
		// while the probe is attached, which turns on guarded probes.
		opts.Address, opts.RefCtrOffset = u.Offset, u.Semaphore
		return ex.Uprobe(u.Provider+":"+u.Name, prog, opts)
	}
	sym := pt.Func
	if addr, err := strconv.ParseUint(sym, 0, 64); err == nil {
		opts.Address, sym = addr, ""
	}
	if pt.Kind.Name == "uretprobe" {
		return ex.Uretprobe(sym, prog, opts)
	}
	return ex.Uprobe(sym, prog, opts)
}

// appendJoin joins the strings of a join() record with delim, up to the
// first empty one, as bpftrace 0.17 does.
func appendJoin(dst, rec []byte, delim string) []byte {
	for i := 0; i < codegen.JoinArgs; i++ {
		off := 8 + i*codegen.JoinArgSize
		if off >= len(rec) {
			break
		}
		slot := rec[off:min(off+codegen.JoinArgSize, len(rec))]
		if n := bytes.IndexByte(slot, 0); n >= 0 {
			slot = slot[:n]
		}
		if len(slot) == 0 {
			break
		}
		if i > 0 {
			dst = append(dst, delim...)
		}
		dst = append(dst, slot...)
	}
	return dst
}
