// Package cheaders holds the integer macros of the C headers bpftrace
// scripts #include (<signal.h>, <fcntl.h>, <linux/sched.h>,
// <sys/socket.h>, <sys/mman.h>, <asm/unistd.h>...) for the machine gbt is
// built for. bpftrace runs clang's preprocessor over the headers; gbt runs
// none, so it knows the macros scripts use as constants: the values come
// from golang.org/x/sys/unix (the kernel's and glibc's headers, per
// architecture), the system call numbers from package syscalls, and the
// kernel's task states, which no user header has, from the kernel.
package cheaders

import "github.com/gbt-dev/gbt/internal/syscalls"

// Macros returns a new map of the macros by name.
func Macros() map[string]int64 {
	m := map[string]int64{
		// <linux/sched.h> task states (the kernel's include/linux/sched.h)
		"TASK_RUNNING": 0x0, "TASK_INTERRUPTIBLE": 0x1, "TASK_UNINTERRUPTIBLE": 0x2,
		"__TASK_STOPPED": 0x4, "__TASK_TRACED": 0x8, "EXIT_DEAD": 0x10, "EXIT_ZOMBIE": 0x20,
		"TASK_PARKED": 0x40, "TASK_DEAD": 0x80, "TASK_WAKEKILL": 0x100, "TASK_WAKING": 0x200,
		"TASK_NOLOAD": 0x400, "TASK_NEW": 0x800,
	}
	for name, v := range osMacros() {
		m[name] = v
	}
	// <asm/unistd.h> and <sys/syscall.h>
	for nr, name := range syscalls.Names() {
		if name != "" {
			m["__NR_"+name] = int64(nr)
			m["SYS_"+name] = int64(nr)
		}
	}
	return m
}
