package runtime

import "golang.org/x/sys/unix"

// initPidNSIno is the inode of the initial pid namespace (the kernel's
// PROC_PID_INIT_INO).
const initPidNSIno = 0xeffffffc

// pidNamespace returns the device and inode of gbt's own pid namespace,
// or zeros when that is the initial namespace (or unknown): pid and tid
// then need no namespace translation.
func pidNamespace() (dev, ino uint64) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/pid", &st); err != nil || st.Ino == initPidNSIno {
		return 0, 0
	}
	return st.Dev, st.Ino
}
