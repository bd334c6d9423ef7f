package kernel

import (
	"fmt"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// NumPossibleCPUs returns the number of possible CPUs: the number of
// values a per-CPU map holds for each key.
func NumPossibleCPUs() (int, error) {
	n, err := ebpf.PossibleCPU()
	if err != nil {
		return 0, fmt.Errorf("count possible CPUs: %w", err)
	}
	return n, nil
}

// BootWallTime returns the wall-clock time at which CLOCK_BOOTTIME read
// zero: adding a bpf_ktime_get_boot_ns() value to it gives the wall time
// of the event.
func BootWallTime() (time.Time, error) { return clockWallTime(unix.CLOCK_BOOTTIME) }

// MonotonicWallTime returns the wall-clock time at which CLOCK_MONOTONIC
// read zero: adding a bpf_ktime_get_ns() value (the nsecs builtin) to it
// gives the wall time of the event.
func MonotonicWallTime() (time.Time, error) { return clockWallTime(unix.CLOCK_MONOTONIC) }

// clockWallTime samples CLOCK_REALTIME around clock a few times and keeps
// the tightest bracket, so the offset is accurate to about a microsecond.
func clockWallTime(clock int32) (time.Time, error) {
	var best time.Duration = -1
	var wall time.Time
	for range 3 {
		var r1, c, r2 unix.Timespec
		if err := unix.ClockGettime(unix.CLOCK_REALTIME, &r1); err != nil {
			return time.Time{}, fmt.Errorf("read CLOCK_REALTIME: %w", err)
		}
		if err := unix.ClockGettime(clock, &c); err != nil {
			return time.Time{}, fmt.Errorf("read clock %d: %w", clock, err)
		}
		if err := unix.ClockGettime(unix.CLOCK_REALTIME, &r2); err != nil {
			return time.Time{}, fmt.Errorf("read CLOCK_REALTIME: %w", err)
		}
		gap := time.Duration(r2.Nano() - r1.Nano())
		if best >= 0 && gap >= best {
			continue
		}
		best = gap
		mid := r1.Nano() + (r2.Nano()-r1.Nano())/2
		wall = time.Unix(0, mid-c.Nano())
	}
	return wall, nil
}

// TAIOffset returns how far CLOCK_TAI (bpf_ktime_get_tai_ns) is ahead of
// the wall clock: the leap seconds the system knows of, or 0 when the
// clock cannot be read.
func TAIOffset() time.Duration {
	zero, err := clockWallTime(unix.CLOCK_TAI)
	if err != nil {
		return 0
	}
	return time.Duration(-zero.UnixNano()).Round(time.Second)
}
