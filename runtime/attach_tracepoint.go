package runtime

import (
	"encoding/binary"
	"fmt"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime/kernel"
)

// attachTracepoint attaches to the tracepoint pt.Category:pt.Event. It
// opens the tracepoint's perf event itself (rather than through
// link.Tracepoint) so that finish can close the links first, which stops
// the programs at once, and release the perf events, each of which waits
// for RCU grace periods under the kernel's event_mutex (about 45 ms a
// tracepoint here, 16 s for syscalls:sys_enter_*), after printing.
func attachTracepoint(s *Session, prog *ebpf.Program, pt probe.Point, cookie uint64) error {
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
	return s.linkPerfEvent(prog, fd, cookie)
}
