package runtime

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/lang/probe"
)

// attachPerf opens the sampling perf event pt.Perf of a profile,
// interval, software or hardware point: on every CPU, or on CPU 0 only.
// Their links carry the point's cookie, which tells the points of a
// program apart.
func attachPerf(s *Session, prog *ebpf.Program, pt probe.Point, cookie uint64) error {
	p := pt.Perf
	attr := unix.PerfEventAttr{
		Type:   uint32(p.Type), // probe.PerfType values are PERF_TYPE_*
		Config: p.Config,
		Sample: p.Sample,
		Size:   uint32(binary.Size(unix.PerfEventAttr{})),
	}
	if p.Freq {
		attr.Bits |= unix.PerfBitFreq
	}
	cpus := []int{0}
	if p.AllCPUs {
		n, err := ebpf.PossibleCPU()
		if err != nil {
			return err
		}
		cpus = cpus[:0]
		for c := 0; c < n; c++ {
			cpus = append(cpus, c)
		}
	}
	pid := -1
	if s.opts.PID > 0 && pt.Kind.PIDFilter == probe.PIDFilterAtAttach {
		pid = s.opts.PID // -p: count the process's events alone
	}
	for _, cpu := range cpus {
		fd, err := unix.PerfEventOpen(&attr, pid, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
		if err != nil {
			if errors.Is(err, unix.ENODEV) {
				continue // CPU offline
			}
			if errors.Is(err, unix.ENOENT) && p.Type == probe.PerfHardware {
				return fmt.Errorf("hardware event %s is not available on this machine (no PMU access, as in most VMs): %w", pt.Event, err)
			}
			return fmt.Errorf("perf_event_open on CPU %d: %w", cpu, err)
		}
		if err := s.linkPerfEvent(prog, fd, cookie); err != nil {
			return err
		}
	}
	return nil
}
