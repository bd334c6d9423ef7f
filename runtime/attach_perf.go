package runtime

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/lang/probe"
)

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
