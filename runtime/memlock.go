package runtime

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// raiseMemlock lifts RLIMIT_MEMLOCK, which kernels before 5.11 charge BPF
// maps and programs to (later ones charge the memory cgroup and ignore
// it). One setrlimit does it for root and CAP_SYS_RESOURCE. A process
// that may not raise the limit (CAP_BPF alone) is probed: memcgAccounted
// says whether this kernel needs the limit raised at all. gbt decides by
// probing, never by the kernel's version. (cilium/ebpf's rlimit package
// runs its probe at init, in every gbt process, even gbt --version.)
func raiseMemlock() error {
	err := unix.Setrlimit(unix.RLIMIT_MEMLOCK, &unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY})
	if err == nil {
		return nil
	}
	if ok, perr := memcgAccounted(); perr != nil {
		return fmt.Errorf("%w (and probing memory accounting: %w)", err, perr)
	} else if ok {
		return nil
	}
	return err
}

// memcgAccounted probes whether this kernel charges BPF maps to the memory
// cgroup, not to RLIMIT_MEMLOCK: with the limit at zero, a one-entry
// array map can be created only then.
func memcgAccounted() (bool, error) {
	var old unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &old); err != nil {
		return false, fmt.Errorf("read RLIMIT_MEMLOCK: %w", err)
	}
	// Lowering the current value, keeping the maximum, is always allowed.
	if err := unix.Setrlimit(unix.RLIMIT_MEMLOCK, &unix.Rlimit{Cur: 0, Max: old.Max}); err != nil {
		return false, fmt.Errorf("lower RLIMIT_MEMLOCK: %w", err)
	}
	m, mapErr := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err := unix.Setrlimit(unix.RLIMIT_MEMLOCK, &old); err != nil {
		return false, fmt.Errorf("restore RLIMIT_MEMLOCK: %w", err)
	}
	if mapErr == nil {
		m.Close()
		return true, nil
	}
	if errors.Is(mapErr, unix.EPERM) {
		// Over the (zero) limit, or not allowed to create maps at all:
		// either way the limit cannot be shown not to matter.
		return false, nil
	}
	return false, mapErr
}
