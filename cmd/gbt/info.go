package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	goruntime "runtime"
	"slices"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"
	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/runtime"
)

// infoCheck is one line of --info: a name and the probe that says whether
// this kernel has it (nil error: yes; else no, and the error says why).
type infoCheck struct {
	name  string
	probe func() error
}

// infoSection is a titled group of checks.
type infoSection struct {
	title  string
	checks []infoCheck
}

// printInfo prints what --info reports, in bpftrace's layout: the system,
// the build, then for each kernel helper, feature, map type and probe type
// "name: yes", or "name: no (why)".
func (a *app) printInfo(w io.Writer) {
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil {
		fmt.Fprintf(w, "System\n  OS: %s %s %s\n  Arch: %s\n\n",
			unix.ByteSliceToString(u.Sysname[:]), unix.ByteSliceToString(u.Release[:]),
			unix.ByteSliceToString(u.Version[:]), unix.ByteSliceToString(u.Machine[:]))
	}
	fmt.Fprintf(w, "Build\n  version: %s\n  follows: %s\n  Go: %s\n", gbtVersion, followedBpftrace, goruntime.Version())
	for _, s := range a.infoSections() {
		fmt.Fprintf(w, "\n%s\n", s.title)
		for _, c := range s.checks {
			if slices.Contains(a.opts.noFeatures, c.name) {
				fmt.Fprintf(w, "  %s: no (--no-feature)\n", c.name)
				continue
			}
			if err := c.probe(); err != nil {
				fmt.Fprintf(w, "  %s: no (%v)\n", c.name, err)
			} else {
				fmt.Fprintf(w, "  %s: yes\n", c.name)
			}
		}
	}
}

func (a *app) infoSections() []infoSection {
	helper := func(f asm.BuiltinFunc) func() error {
		return func() error { return features.HaveProgramHelper(ebpf.Kprobe, f) }
	}
	mapType := func(t ebpf.MapType) func() error { return func() error { return features.HaveMapType(t) } }
	progType := func(t ebpf.ProgramType) func() error { return func() error { return features.HaveProgramType(t) } }
	tracefsFile := func(name, why string) func() error {
		return func() error {
			dir := a.env.Tracefs()
			if dir == "" {
				return errors.New("tracefs is not mounted")
			}
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				return fmt.Errorf("no %s in tracefs: %s", name, why)
			}
			return nil
		}
	}
	kprobe := tracefsFile("kprobe_events", "the kernel is built without CONFIG_KPROBES")
	needsKprobes := func(probe func() error) func() error {
		return func() error {
			if err := kprobe(); err != nil {
				return err // the feature probe would blame the kernel version
			}
			return probe()
		}
	}
	file := func(path string) func() error {
		return func() error { _, err := os.Stat(path); return err }
	}
	return []infoSection{
		{"Kernel helpers", []infoCheck{
			{"probe_read_user", helper(asm.FnProbeReadUser)},
			{"probe_read_user_str", helper(asm.FnProbeReadUserStr)},
			{"probe_read_kernel", helper(asm.FnProbeReadKernel)},
			{"probe_read_kernel_str", helper(asm.FnProbeReadKernelStr)},
			{"get_current_cgroup_id", helper(asm.FnGetCurrentCgroupId)},
			{"current_task_under_cgroup", helper(asm.FnCurrentTaskUnderCgroup)}, // --cgroup, --container
			{"send_signal", helper(asm.FnSendSignal)},
			{"override_return", helper(asm.FnOverrideReturn)},
			{"get_boot_ns", helper(asm.FnKtimeGetBootNs)},
			{"get_tai_ns", helper(asm.FnKtimeGetTaiNs)},
			{"get_func_ip", helper(asm.FnGetFuncIp)},
			{"lookup_percpu_elem", helper(asm.FnMapLookupPercpuElem)},
			{"loop", helper(asm.FnLoop)},
		}},
		{"Kernel features", []infoCheck{
			{"Instruction limit 1000000", features.HaveLargeInstructions},
			{"Loop support", features.HaveBoundedLoops},
			{"btf", file("/sys/kernel/btf/vmlinux")},
		}},
		{"Map types", []infoCheck{
			{"hash", mapType(ebpf.Hash)},
			{"percpu hash", mapType(ebpf.PerCPUHash)},
			{"array", mapType(ebpf.Array)},
			{"percpu array", mapType(ebpf.PerCPUArray)},
			{"stack_trace", mapType(ebpf.StackTrace)},
			{"perf_event_array", mapType(ebpf.PerfEventArray)},
			{"ringbuf", mapType(ebpf.RingBuf)},
			{"cgroup_array", mapType(ebpf.CGroupArray)}, // --cgroup, --container
		}},
		{"Probe types", []infoCheck{
			{"kprobe", kprobe},
			{"uprobe", tracefsFile("uprobe_events", "the kernel is built without CONFIG_UPROBE_EVENTS")},
			{"tracepoint", progType(ebpf.TracePoint)},
			{"perf_event", progType(ebpf.PerfEvent)},
			{"kprobe_multi", needsKprobes(features.HaveBPFLinkKprobeMulti)},
			{"kprobe_session", needsKprobes(features.HaveBPFLinkKprobeSession)},
			{"uprobe_multi", features.HaveBPFLinkUprobeMulti},
			{"syscall_tp_btf", runtime.HaveSyscallRawTP}, // gbt's: syscalls:* on sys_enter/sys_exit
		}},
	}
}
