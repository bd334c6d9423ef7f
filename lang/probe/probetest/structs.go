package probetest

import (
	"fmt"
	"sync"

	"github.com/cilium/ebpf/btf"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

var (
	_ probe.StructEnv = (*Env)(nil)
	_ probe.FuncEnv   = (*Env)(nil)
)

// FuncArgs implements probe.FuncEnv over canned prototypes of this
// kernel: the function vfs_read and the BTF tracepoints sys_enter and
// sched_switch.
func (e *Env) FuncArgs(kind, name string) (types.Type, types.Type, error) {
	proto, ok := cannedProtos()[kind+":"+name]
	if !ok {
		return types.Type{}, types.Type{}, fmt.Errorf("%s:%s: %w", kind, name, probe.ErrNoStruct)
	}
	skip := 0
	if kind == "tp_btf" {
		skip = 1
	}
	return probe.ArgsFromProto(name, proto, skip)
}

// cannedProtos and cannedStructs build the canned BTF once: conversion
// only reads it.
var (
	cannedProtos  = sync.OnceValue(newCannedProtos)
	cannedStructs = sync.OnceValue(newCannedStructs)
)

func newCannedProtos() map[string]*btf.FuncProto {
	i64 := &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}
	u64 := &btf.Int{Name: "long unsigned int", Size: 8}
	void := &btf.Pointer{Target: &btf.Void{}}
	canned := cannedStructs()
	task, regs := canned[0], canned[3]
	return map[string]*btf.FuncProto{
		"kfunc:vfs_read": {Return: i64, Params: []btf.FuncParam{
			{Name: "file", Type: &btf.Pointer{Target: &btf.Struct{Name: "file", Size: 232}}},
			{Name: "buf", Type: &btf.Pointer{Target: &btf.Int{Name: "char", Size: 1, Encoding: btf.Char}}},
			{Name: "count", Type: u64},
			{Name: "pos", Type: &btf.Pointer{Target: i64}},
		}},
		"tp_btf:sys_enter": {Return: &btf.Void{}, Params: []btf.FuncParam{
			{Name: "__data", Type: void}, {Name: "regs", Type: &btf.Pointer{Target: regs}}, {Name: "id", Type: i64},
		}},
		"tp_btf:sched_switch": {Return: &btf.Void{}, Params: []btf.FuncParam{
			{Name: "__data", Type: void}, {Name: "preempt", Type: &btf.Int{Name: "_Bool", Size: 1, Encoding: btf.Bool}},
			{Name: "prev", Type: &btf.Pointer{Target: task}}, {Name: "next", Type: &btf.Pointer{Target: task}},
			{Name: "prev_state", Type: &btf.Int{Name: "unsigned int", Size: 4}},
		}},
	}
}

// Struct implements probe.StructEnv over a few canned BTF types, laid out
// as on the 6.18 kernel the tracefs files come from (a subset of their
// members): struct task_struct, struct sched_entity, struct mm_struct,
// struct pt_regs, struct __kernel_timespec.
func (e *Env) Struct(name string) (types.Type, error) {
	for _, t := range cannedStructs() {
		var got string
		switch v := t.(type) {
		case *btf.Struct:
			got = "struct " + v.Name
		case *btf.Union:
			got = "union " + v.Name
		}
		if got == name {
			return probe.RecordFromBTF(t)
		}
	}
	return types.Type{}, fmt.Errorf("%s: %w", name, probe.ErrNoStruct)
}

func newCannedStructs() []btf.Type {
	i32 := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	u32 := &btf.Int{Name: "unsigned int", Size: 4}
	u64 := &btf.Int{Name: "long long unsigned int", Size: 8}
	char := &btf.Int{Name: "char", Size: 1, Encoding: btf.Char}
	pid := &btf.Typedef{Name: "pid_t", Type: i32}
	task := &btf.Struct{Name: "task_struct", Size: 3264}
	mm := &btf.Struct{Name: "mm_struct", Size: 1344, Members: []btf.Member{
		{Name: "task_size", Type: u64, Offset: 8 * 8},
		{Name: "map_count", Type: i32, Offset: 88 * 8},
	}}
	se := &btf.Struct{Name: "sched_entity", Size: 320, Members: []btf.Member{
		{Name: "on_rq", Type: &btf.Int{Name: "unsigned char", Size: 1}, Offset: 64 * 8},
		{Name: "vruntime", Type: u64, Offset: 104 * 8},
		{Name: "nr_migrations", Type: u64, Offset: 168 * 8},
	}}
	task.Members = []btf.Member{
		{Name: "__state", Type: u32, Offset: 24 * 8},
		{Name: "flags", Type: u32, Offset: 44 * 8},
		{Name: "se", Type: se, Offset: 128 * 8},
		{Name: "mm", Type: &btf.Pointer{Target: mm}, Offset: 1176 * 8},
		// unsigned sched_reset_on_fork:1; sched_contributes_to_load:1; ...
		{Name: "sched_reset_on_fork", Type: u32, Offset: 1240 * 8, BitfieldSize: 1},
		{Name: "sched_contributes_to_load", Type: u32, Offset: 1240*8 + 1, BitfieldSize: 1},
		{Name: "pid", Type: pid, Offset: 1264 * 8},
		{Name: "tgid", Type: pid, Offset: 1268 * 8},
		{Name: "real_parent", Type: &btf.Pointer{Target: task}, Offset: 1280 * 8},
		// An anonymous union whose members are the task's own.
		{Name: "", Type: &btf.Union{Size: 8, Members: []btf.Member{
			{Name: "start_time_alias", Type: u64},
		}}, Offset: 1400 * 8},
		{Name: "comm", Type: &btf.Array{Type: char, Nelems: 16}, Offset: 1752 * 8},
	}
	regs := &btf.Struct{Name: "pt_regs", Size: 168, Members: []btf.Member{
		{Name: "ax", Type: u64, Offset: 80 * 8}, {Name: "si", Type: u64, Offset: 104 * 8}, {Name: "di", Type: u64, Offset: 112 * 8},
	}}
	i64 := &btf.Int{Name: "long long int", Size: 8, Encoding: btf.Signed}
	ts := &btf.Struct{Name: "__kernel_timespec", Size: 16, Members: []btf.Member{
		{Name: "tv_sec", Type: i64}, {Name: "tv_nsec", Type: i64, Offset: 8 * 8},
	}}
	return []btf.Type{task, se, mm, regs, ts}
}

var _ probe.AddrEnv = (*Env)(nil)

// cannedKernelAddrs are kernel symbols for kaddr() in tests.
var cannedKernelAddrs = map[string]uint64{
	"vfs_read": 0xffffffff81412340, "do_sys_openat2": 0xffffffff814056a0, "schedule": 0xffffffff81e3c1b0,
}

// KernelAddr implements probe.AddrEnv over canned kernel symbols.
func (e *Env) KernelAddr(name string) (uint64, error) {
	if a, ok := cannedKernelAddrs[name]; ok {
		return a, nil
	}
	return 0, fmt.Errorf("no kernel symbol %s", name)
}

// UserAddr implements probe.AddrEnv; tests resolve no user symbols.
func (e *Env) UserAddr(path, name string) (uint64, error) {
	return 0, fmt.Errorf("no symbol %s in %s (probetest resolves none)", name, path)
}

// CgroupID implements probe.AddrEnv: the canned root cgroup has id 1.
func (e *Env) CgroupID(path string) (uint64, error) {
	if path == "/sys/fs/cgroup" {
		return 1, nil
	}
	return 0, fmt.Errorf("cgroup %s: no such file or directory", path)
}
