package runtime

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/lang/probe"
)

// Breakpoint types of <linux/hw_breakpoint.h>.
const (
	hwBreakpointR = 1
	hwBreakpointW = 2
	hwBreakpointX = 4
)

// attachWatchpoint sets the hardware breakpoint of pt.Watch in the traced
// process (-p or -c): a perf event of type PERF_TYPE_BREAKPOINT that fires
// on every access of the watched kind. With no process, as in bpftrace,
// the breakpoint is set on every CPU, whoever runs there: how a kernel
// address (a variable of /proc/kallsyms) is watched. A watchpoint on a
// function's argument gets its breakpoints later, one for each address
// the function is given (see watchArg).
func attachWatchpoint(s *Session, prog *ebpf.Program, pt probe.Point, cookie uint64) error {
	pid := s.opts.PID
	if pid <= 0 {
		pid = s.opts.ChildPID
	}
	if pt.Watch.OnArg() {
		if pid <= 0 {
			return fmt.Errorf("watchpoints on a function's argument need a process: run gbt with -p PID or -c CMD")
		}
		return s.watchArg(prog, pt, cookie, pid)
	}
	return s.setBreakpoint(prog, pt.Watch, pt.Watch.Addr, cookie, pid)
}

// setBreakpoint sets a breakpoint of w's length and mode at addr in
// process pid (every process when pid <= 0: one per CPU), which runs prog.
// The error wraps ENOSPC when the CPU has no debug register left.
func (s *Session) setBreakpoint(prog *ebpf.Program, w *probe.Watch, addr, cookie uint64, pid int) error {
	var bpType uint32
	for _, m := range w.Mode {
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
		Ext1:    addr,  // bp_addr
		Ext2:    w.Len, // bp_len
	}
	cpus := []int{-1}
	if pid <= 0 {
		pid = -1
		n, err := ebpf.PossibleCPU()
		if err != nil {
			return err
		}
		cpus = cpus[:0]
		for c := range n {
			cpus = append(cpus, c)
		}
	}
	if s.watches == nil {
		s.watches = map[uint64][][2]int{}
	}
	for _, cpu := range cpus {
		fd, err := unix.PerfEventOpen(&attr, pid, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
		switch {
		case errors.Is(err, unix.ENODEV) && cpu >= 0:
			continue // CPU offline
		case err != nil && pid > 0:
			return fmt.Errorf("set a hardware breakpoint in process %d: %w", pid, err)
		case err != nil:
			return fmt.Errorf("set a hardware breakpoint on CPU %d: %w", cpu, err)
		}
		if err := s.linkPerfEvent(prog, fd, cookie); err != nil {
			return err
		}
		s.watches[addr] = append(s.watches[addr], [2]int{len(s.linkFDs) - 1, len(s.perfFDs) - 1})
	}
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

// argWatches are a session's watchpoints on functions' arguments
// (watchpoint:FUNC+argN), as bpftrace 0.17 sets them. A uprobe on the
// function runs a set-up program, which gbt builds here (it is the same
// for every script: it reads one register and sends one record): it
// stops the calling process (SIGSTOP; not for asyncwatchpoint) and sends
// the argument's value through its own ring buffer. The event loop reads
// the record, sets a breakpoint at that address that runs the script's
// program, and lets the process continue (SIGCONT): the breakpoint is in
// place before the function runs. When the CPU has no debug register
// left, gbt prints bpftrace's "You are out of watchpoint registers" and
// the process continues unwatched.
type argWatches struct {
	pid    int
	ring   *ebpf.Map
	reader *ringbuf.Reader
	progs  []*ebpf.Program // set-up programs, by slot
	links  []link.Link     // their uprobes
	slots  []argWatch
}

// argWatch is one watchpoint on a function's argument: the script's
// program to run at each address the function is given.
type argWatch struct {
	prog   *ebpf.Program
	pt     probe.Point
	cookie uint64
	addr   uint64 // the address watched last: a call with it again sets none
}

// watchSetupRing is the size of the set-up programs' ring buffer: room
// for hundreds of records, where at most one per task waits when the
// caller is stopped.
const watchSetupRing = 16 << 10

// watchArg attaches the set-up program of a watchpoint on a function's
// argument to the function, in process pid.
func (s *Session) watchArg(prog *ebpf.Program, pt probe.Point, cookie uint64, pid int) error {
	w := s.argWatches
	if w == nil {
		ring, err := ebpf.NewMap(&ebpf.MapSpec{Name: "gbt_watch_setup", Type: ebpf.RingBuf, MaxEntries: watchSetupRing})
		if err != nil {
			return fmt.Errorf("create the watchpoint set-up ring buffer: %w", err)
		}
		rd, err := ringbuf.NewReader(ring)
		if err != nil {
			ring.Close()
			return fmt.Errorf("read the watchpoint set-up ring buffer: %w", err)
		}
		w = &argWatches{pid: pid, ring: ring, reader: rd}
		s.argWatches = w
		s.polls = append(s.polls, func() error { return w.poll(s) })
		s.stops = append(s.stops, w.stop)
	}
	slot := len(w.slots)
	w.slots = append(w.slots, argWatch{prog: prog, pt: pt, cookie: cookie})
	setup, err := ebpf.NewProgram(watchSetupProgram(w.ring, slot, pt.Watch))
	if err != nil {
		return fmt.Errorf("load the watchpoint set-up program: %w", err)
	}
	w.progs = append(w.progs, setup)
	ex, err := s.executable(pt.Path)
	if err != nil {
		return err
	}
	l, err := ex.Uprobe(pt.Func, setup, &link.UprobeOptions{PID: pid})
	if err != nil {
		return err
	}
	w.links = append(w.links, l)
	return nil
}

// watchSetupProgram is the set-up program of slot: it sends the record
// {slot, the value of argument w.Arg} (two u64s), after stopping the
// calling process unless w.Async. If the ring refuses the record, it lets
// the process continue at once.
func watchSetupProgram(ring *ebpf.Map, slot int, w *probe.Watch) *ebpf.ProgramSpec {
	off, _ := probe.RegOffset(probe.ArgReg(w.Arg))
	insns := asm.Instructions{asm.Mov.Reg(asm.R6, asm.R1)}
	if !w.Async {
		insns = append(insns, asm.Mov.Imm(asm.R1, int32(unix.SIGSTOP)), asm.FnSendSignal.Call())
	}
	insns = append(insns,
		asm.Mov.Imm(asm.R1, int32(slot)), asm.StoreMem(asm.R10, -16, asm.R1, asm.DWord),
		asm.LoadMem(asm.R1, asm.R6, off, asm.DWord), asm.StoreMem(asm.R10, -8, asm.R1, asm.DWord),
		asm.LoadMapPtr(asm.R1, ring.FD()), asm.Mov.Reg(asm.R2, asm.R10), asm.Add.Imm(asm.R2, -16),
		asm.Mov.Imm(asm.R3, 16), asm.Mov.Imm(asm.R4, 0), asm.FnRingbufOutput.Call(),
	)
	if !w.Async {
		insns = append(insns, asm.JEq.Imm(asm.R0, 0, "done"),
			asm.Mov.Imm(asm.R1, int32(unix.SIGCONT)), asm.FnSendSignal.Call())
	}
	insns = append(insns, asm.Mov.Imm(asm.R0, 0).WithSymbol("done"), asm.Return())
	return &ebpf.ProgramSpec{Name: "gbt_watch_setup", Type: ebpf.Kprobe, License: "GPL", Instructions: insns}
}

// poll handles the set-up records sent so far (the event loop calls it).
func (w *argWatches) poll(s *Session) error {
	return w.read(func(slot int, addr uint64) error { return w.set(s, slot, addr) })
}

// read calls f on each record waiting in the ring, without waiting for
// more.
func (w *argWatches) read(f func(slot int, addr uint64) error) error {
	var rec ringbuf.Record
	w.reader.SetDeadline(time.Now())
	for {
		err := w.reader.ReadInto(&rec)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read watchpoint set-up records: %w", err)
		}
		if len(rec.RawSample) < 16 {
			return fmt.Errorf("watchpoint set-up record of %d bytes", len(rec.RawSample))
		}
		slot := binary.LittleEndian.Uint64(rec.RawSample)
		if slot >= uint64(len(w.slots)) {
			return fmt.Errorf("watchpoint set-up record for watchpoint %d of %d", slot, len(w.slots))
		}
		if err := f(int(slot), binary.LittleEndian.Uint64(rec.RawSample[8:])); err != nil {
			return err
		}
	}
}

// set sets the breakpoint a set-up record asks for and lets the stopped
// caller continue.
func (w *argWatches) set(s *Session, slot int, addr uint64) error {
	a := &w.slots[slot]
	var err error
	if a.addr != addr {
		a.addr = addr
		err = s.setBreakpoint(a.prog, a.pt.Watch, addr, a.cookie, w.pid)
		switch {
		case errors.Is(err, unix.ESRCH):
			err = nil // the process has exited (an asyncwatchpoint's runs on)
		case errors.Is(err, unix.ENOSPC):
			err = s.pr.Line("lost_events", []byte("Failed to attach watchpoint probe. You are out of watchpoint registers."))
		case err != nil:
			err = fmt.Errorf("attach %s at 0x%x: %w", a.pt.Name, addr, err)
		}
	}
	if cerr := w.resume(slot); err == nil {
		err = cerr
	}
	return err
}

// resume lets the caller stopped for slot's record continue.
func (w *argWatches) resume(slot int) error {
	if w.slots[slot].pt.Watch.Async {
		return nil
	}
	if err := unix.Kill(w.pid, unix.SIGCONT); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("let process %d continue: %w", w.pid, err)
	}
	return nil
}

// stop detaches the set-up programs, then lets continue the callers
// stopped for records not handled yet, so that gbt never leaves a
// process stopped.
func (w *argWatches) stop() {
	for _, l := range w.links {
		l.Close()
	}
	w.read(func(slot int, _ uint64) error { return w.resume(slot) })
	w.reader.Close()
	w.ring.Close()
	for _, p := range w.progs {
		p.Close()
	}
}
