package runtime

import (
	"errors"
	"fmt"
	goruntime "runtime"
	"slices"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
)

// syscallFeature is --no-feature's name for running system call
// tracepoints on the raw tracepoints sys_enter and sys_exit
// (codegen/syscalls.go); without it each is its own perf event.
const syscallFeature = "syscall_tp_btf"

// syscallRawTPOf answers codegen.Options.SyscallRawTP, probed once, when a
// script has a system call tracepoint: whether this kernel loads a tp_btf
// program on sys_enter, and where struct task_struct has
// thread_info.status, from the kernel's BTF (which loading a tp_btf
// program reads anyway).
// It is nil under --no-feature syscall_tp_btf, and opts.SyscallRawTP
// when set.
func syscallRawTPOf(opts CompileOptions) func() (int, bool) {
	if slices.Contains(opts.NoFeatures, syscallFeature) {
		return nil
	}
	if opts.SyscallRawTP != nil {
		return opts.SyscallRawTP
	}
	have := sync.OnceValues(haveSyscallRawTP)
	return func() (int, bool) {
		off, err := have()
		return off, err == nil
	}
}

// HaveSyscallRawTP reports whether system call tracepoints run on the
// raw tracepoints sys_enter and sys_exit here (--info's syscall_tp_btf):
// on x86-64, with BTF and tp_btf programs.
func HaveSyscallRawTP() error {
	if goruntime.GOARCH != "amd64" {
		return fmt.Errorf("gbt reads the system call registers of x86-64 only: %w", errors.ErrUnsupported)
	}
	_, err := haveSyscallRawTP()
	return err
}

// haveSyscallRawTP loads a program that returns at once on sys_enter and
// returns the offset of thread_info.status in struct task_struct.
func haveSyscallRawTP() (int, error) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return 0, err
	}
	task, err := memberOffset(spec, "task_struct", "thread_info")
	if err != nil {
		return 0, err
	}
	status, err := memberOffset(spec, "thread_info", "status")
	if err != nil {
		return 0, err
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.Tracing, AttachType: ebpf.AttachTraceRawTp, AttachTo: "sys_enter",
		License: "GPL", Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()}})
	if err != nil {
		return 0, err
	}
	prog.Close()
	return task + status, nil
}

// memberOffset returns the byte offset of member name of struct s.
func memberOffset(spec *btf.Spec, s, name string) (int, error) {
	var st *btf.Struct
	if err := spec.TypeByName(s, &st); err != nil {
		return 0, fmt.Errorf("struct %s: %w", s, err)
	}
	for _, m := range st.Members {
		if m.Name == name && m.BitfieldSize == 0 {
			return int(m.Offset.Bytes()), nil
		}
	}
	return 0, fmt.Errorf("struct %s has no member %s: %w", s, name, errors.ErrUnsupported)
}

// attachSyscalls attaches a program of system call tracepoints to the raw
// tracepoint it was loaded for (its AttachTo): one link, whatever its
// points, which the program tells apart by the call's number.
func attachSyscalls(s *Session, prog *ebpf.Program) error {
	l, err := link.AttachTracing(link.TracingOptions{Program: prog})
	if err != nil {
		return err
	}
	s.links = append(s.links, l)
	return nil
}
