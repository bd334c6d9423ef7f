package runtime

import (
	"encoding/binary"
	"fmt"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/lang/probe"
)

// Breakpoint types of <linux/hw_breakpoint.h>.
const (
	hwBreakpointR = 1
	hwBreakpointW = 2
	hwBreakpointX = 4
)

// attachWatchpoint sets the hardware breakpoint pt.Watch in the traced
// process (-p or -c): a perf event of type PERF_TYPE_BREAKPOINT that fires
// on every access of the watched kind.
func attachWatchpoint(s *Session, prog *ebpf.Program, pt probe.Point, cookie uint64) error {
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
	if err := s.linkPerfEvent(prog, fd, cookie); err != nil {
		return err
	}
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
