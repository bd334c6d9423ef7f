// Package syscalls holds the Linux system call numbers of the
// architectures gbt runs on, by name and by number: syscall_name()'s
// text, and the __NR_ and SYS_ macros of scripts that #include a header.
package syscalls

import goruntime "runtime"

// Names returns the system call table of the machine gbt runs on, whose
// kernel it traces, indexed by number ("" where a number has no call);
// nil on other architectures, where every number is unknown, as in
// bpftrace. The caller must not modify it.
func Names() []string {
	return ForArch(goruntime.GOARCH)
}

// ForArch returns the table of GOARCH arch, nil if gbt has none.
func ForArch(arch string) []string {
	switch arch {
	case "amd64":
		return namesAMD64[:]
	case "arm64":
		return namesARM64[:]
	}
	return nil
}

// Name returns the name of system call nr on this machine.
func Name(nr int64) (string, bool) {
	names := Names()
	if nr < 0 || nr >= int64(len(names)) || names[nr] == "" {
		return "", false
	}
	return names[nr], true
}

// Number returns the number of system call name on this machine.
func Number(name string) (int, bool) {
	for nr, n := range Names() {
		if n == name && n != "" {
			return nr, true
		}
	}
	return 0, false
}
