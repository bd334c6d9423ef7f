package probetest

import (
	"io/fs"
	"slices"
	"strings"

	"github.com/gbt-dev/gbt/lang/probe"
)

// TraceableFunctions implements probe.Env over the canned
// available_filter_functions ("name" or "name [module]" lines), as
// "module:name", sorted, without the entries bpftrace leaves out.
func (e *Env) TraceableFunctions() ([]string, error) {
	b, err := fs.ReadFile(e.tracefs, "available_filter_functions")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		name, mod, _ := strings.Cut(strings.TrimSpace(line), " ")
		if name == "" || probe.UnsafeKernelFunction(name) {
			continue
		}
		m := strings.Trim(mod, "[]")
		if m == "" {
			m = "vmlinux"
		}
		out = append(out, m+":"+name)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

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

// BPFFuncs implements probe.Env: two running programs of another tracer,
// an interval probe's and a tracepoint's with a callback subprogram.
func (e *Env) BPFFuncs() ([]probe.BPFFunc, error) {
	return []probe.BPFFunc{
		{ProgID: 41, Name: "interval_us_100000_1", Params: 1},
		{ProgID: 42, Name: "tracepoint_syscalls_sys_enter_openat_2", Params: 1},
		{ProgID: 42, Name: "gbt_cb_continue", Params: 4},
	}, nil
}
