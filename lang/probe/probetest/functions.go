package probetest

// cannedTraceable are the traceable functions of the canned kernel: a few
// of the 6.18 kernel's, and one of a module.
var cannedTraceable = []string{
	"nf_conntrack:nf_conntrack_in",
	"vmlinux:do_nanosleep",
	"vmlinux:vfs_read",
	"vmlinux:vfs_write",
}

// TraceableFunctions implements probe.Env over the canned functions.
func (e *Env) TraceableFunctions() ([]string, error) { return cannedTraceable, nil }

// BTFFunctions implements probe.Env: the canned kernel's BTF describes
// vfs_read and vfs_write (do_nanosleep is traceable but has no BTF here).
func (e *Env) BTFFunctions() ([]string, error) {
	return []string{"vmlinux:vfs_read", "vmlinux:vfs_write"}, nil
}

// RawTracepoints implements probe.Env: the canned kernel's raw
// tracepoints, those of FuncArgs's BTF tracepoints among them.
func (e *Env) RawTracepoints() ([]string, error) {
	return []string{"vmlinux:irq_handler_entry", "vmlinux:sched_switch", "vmlinux:sched_wakeup", "vmlinux:sys_enter", "vmlinux:sys_exit"}, nil
}
