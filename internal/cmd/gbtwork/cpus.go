package main

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// openEachCPU opens and closes path n times on each CPU the process may
// run on, one CPU after another, its thread pinned there: per-CPU values
// (count() maps) then hold n on every CPU.
func openEachCPU(n int, path string) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var all unix.CPUSet
	if err := unix.SchedGetaffinity(0, &all); err != nil {
		return fmt.Errorf("sched_getaffinity: %w", err)
	}
	for cpu, left := 0, all.Count(); left > 0; cpu++ {
		if !all.IsSet(cpu) {
			continue
		}
		left--
		var one unix.CPUSet
		one.Set(cpu)
		if err := unix.SchedSetaffinity(0, &one); err != nil {
			return fmt.Errorf("sched_setaffinity to CPU %d: %w", cpu, err)
		}
		for i := 0; i < n; i++ {
			fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				return err
			}
			unix.Close(fd)
		}
	}
	return unix.SchedSetaffinity(0, &all)
}
