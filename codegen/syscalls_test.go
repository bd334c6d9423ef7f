package codegen_test

import (
	"slices"
	"strings"
	"testing"
)

// TestSyscallDispatchPlan: the system call tracepoints of a direction run
// on its raw tracepoint when a block there traces whole directions
// (raw_syscalls, 64 calls or more), all of them or none: not with a block
// that needs the tracepoint or mixes points, nor for more than 4 programs.
func TestSyscallDispatchPlan(t *testing.T) {
	for _, tt := range []struct {
		src string
		raw []bool // each program's: on its raw tracepoint
	}{
		{`tracepoint:syscalls:sys_enter_openat { @ = count(); }`, []bool{false}},
		{`tracepoint:syscalls:sys_enter_*open* { @ = count(); }`, []bool{false}},
		{`tracepoint:syscalls:sys_enter_* { @ = count(); }`, []bool{true}},
		{`tracepoint:raw_syscalls:sys_enter { @ = count(); } tracepoint:syscalls:sys_enter_openat { @o = count(); }`, []bool{true, true}},
		{`tracepoint:syscalls:sys_enter_* { @ = count(); } tracepoint:syscalls:sys_exit_openat { @o = count(); }`, []bool{true, false}},
		{`tracepoint:raw_syscalls:sys_exit { @ = count(); } tracepoint:syscalls:sys_enter_openat { @o = count(); }`, []bool{true, false}},
		{`tracepoint:syscalls:sys_enter_* { @ = count(); } tracepoint:syscalls:sys_enter_openat { $a = args; @o[$a->flags] = count(); }`, []bool{false, false}},
		{`tracepoint:syscalls:sys_enter_* { @ = count(); } tracepoint:syscalls:sys_enter_openat { @k[kstack] = count(); }`, []bool{false, false}},
		{`tracepoint:syscalls:sys_enter_* { @ = count(); } tracepoint:syscalls:sys_enter_openat, tracepoint:sched:sched_switch { @o = count(); }`, []bool{false, false}},
		{`tracepoint:raw_syscalls:sys_enter { @ = count(); }` + strings.Repeat(` tracepoint:syscalls:sys_enter_openat { @o = count(); }`, 4), []bool{false, false, false, false, false}},
		{`tracepoint:raw_syscalls:sys_enter { @ = count(); }` + strings.Repeat(` tracepoint:syscalls:sys_enter_openat { @o = count(); }`, 3), []bool{true, true, true, true}},
		// Points laying args out differently are one program when
		// each field read comes from one place in all (the call's
		// number, sys_exit's ret), else a program each (sys_enter_*
		// printing args would be 360 on sys_enter).
		{`tracepoint:raw_syscalls:sys_enter { @ = count(); } tracepoint:syscalls:sys_enter_open, tracepoint:syscalls:sys_enter_openat, tracepoint:syscalls:sys_enter_read, tracepoint:syscalls:sys_enter_write { @n[args.__syscall_nr] = count(); }`,
			[]bool{true, true}},
		{`tracepoint:raw_syscalls:sys_enter { @ = count(); } tracepoint:syscalls:sys_enter_open, tracepoint:syscalls:sys_enter_getpgid, tracepoint:syscalls:sys_enter_execve, tracepoint:syscalls:sys_enter_clock_nanosleep /args->__syscall_nr != 0/ { @n[probe, args.__syscall_nr] = count(); }`,
			[]bool{true, true}},
		{`tracepoint:raw_syscalls:sys_enter { @ = count(); } tracepoint:syscalls:sys_enter_open, tracepoint:syscalls:sys_enter_getpgid, tracepoint:syscalls:sys_enter_execve, tracepoint:syscalls:sys_enter_clock_nanosleep { print(*args); }`,
			[]bool{false, false, false, false, false}},
		{`tracepoint:syscalls:sys_enter_* { @[probe] = count(); } tracepoint:syscalls:sys_enter_open, tracepoint:syscalls:sys_enter_openat { @f[str(args.filename)] = count(); }`, []bool{true, true, true}},
		{`tracepoint:raw_syscalls:sys_enter { @ = count(); } tracepoint:syscalls:sys_enter_open, tracepoint:syscalls:sys_enter_openat { @f[args.flags] = count(); }`, []bool{true, true, true}},
		// A field read in a macro is the block's (flags: in different
		// registers).
		{`macro flags() { args.flags } tracepoint:raw_syscalls:sys_enter { @ = count(); } tracepoint:syscalls:sys_enter_open, tracepoint:syscalls:sys_enter_openat { @f[flags()] = count(); }`, []bool{true, true, true}},
		{`tracepoint:raw_syscalls:sys_enter { @ = count(); } tracepoint:syscalls:sys_enter_open, tracepoint:syscalls:sys_enter_openat { print(*args); }`, []bool{true, true, true}},
	} {
		obj := compile(t, tt.src)
		var raw []bool
		for _, p := range obj.Programs {
			raw = append(raw, p.Syscalls != nil)
		}
		if !slices.Equal(raw, tt.raw) {
			t.Errorf("%s\non raw tracepoints: %v, want %v", tt.src, raw, tt.raw)
		}
	}
}
