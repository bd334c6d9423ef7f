// Package probe knows the probe kinds gbt supports (their names and aliases,
// how their attach points are spelled, which context they give a program) and
// expands attach points with wildcards against an Env.
//
// The kernel is behind Env so that the front end can be tested without root:
// runtime/kernel implements Env over tracefs, BTF and ELF files; tests use a
// fake with canned tracepoint lists and format files.
package probe

// Env answers the questions the front end asks about the running system.
type Env interface {
	// Tracepoints returns every available tracepoint as "category:name"
	// (the contents of tracefs available_events).
	Tracepoints() ([]string, error)
	// TracepointFormat returns the raw text of
	// events/<category>/<name>/format.
	TracepointFormat(category, name string) (string, error)
}

// AddrEnv is an Env that resolves names to numbers when a script is
// compiled: kaddr("sym") from the kernel's symbols, uaddr("sym") from an
// executable's, cgroupid("path") from the cgroup file system.
type AddrEnv interface {
	KernelAddr(name string) (uint64, error)
	UserAddr(path, name string) (uint64, error)
	CgroupID(path string) (uint64, error)
}
