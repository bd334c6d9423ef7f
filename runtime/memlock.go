package runtime

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// raiseMemlock lifts RLIMIT_MEMLOCK on kernels before 5.11, which charged
// BPF maps and programs to it; later ones charge the memory cgroup and
// ignore it. (cilium/ebpf's rlimit package decides by creating a map as
// the program starts, in every gbt process.)
func raiseMemlock() error {
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil && releaseAtLeast(unix.ByteSliceToString(u.Release[:]), 5, 11) {
		return nil
	}
	return unix.Setrlimit(unix.RLIMIT_MEMLOCK, &unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY})
}

// releaseAtLeast reports whether a kernel release ("6.18.44-fc",
// "5.10.0-27-amd64") is major.minor or later; false if it cannot tell.
func releaseAtLeast(release string, major, minor int) bool {
	var maj, mnr int
	if n, _ := fmt.Sscanf(release, "%d.%d", &maj, &mnr); n != 2 {
		return false
	}
	return maj > major || maj == major && mnr >= minor
}
