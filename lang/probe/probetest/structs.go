package probetest

import (
	"fmt"
	"slices"
	"sync"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// Struct implements probe.Env over a few records, laid out as the BTF of
// the 6.18 kernel the tracefs files come from has them (a subset of their
// members): struct task_struct, struct sched_entity, struct mm_struct,
// struct pt_regs, struct __kernel_timespec, struct file, struct path,
// struct sk_buff, struct bpf_map. runtime/btfconv's tests check
// that they are what converting that BTF gives.
func (e *Env) Struct(name string) (types.Type, error) {
	if rec, ok := cannedStructs()[name]; ok {
		return rec, nil
	}
	return types.Type{}, fmt.Errorf("%s: %w", name, probe.ErrNoStruct)
}

// FuncArgs implements probe.Env over canned prototypes of this kernel: the
// function vfs_read and the BTF tracepoints sys_enter, sched_switch,
// inet_sock_set_state and consume_skb.
func (e *Env) FuncArgs(target probe.Tracing, name string) (types.Type, types.Type, error) {
	key := "kfunc:" + name
	if target == probe.TracingTracepoint {
		key = "tp_btf:" + name
	}
	f, ok := cannedFuncs()[key]
	if !ok {
		return types.Type{}, types.Type{}, fmt.Errorf("%s: %w", key, probe.ErrNoStruct)
	}
	return f.args, f.ret, nil
}

// FuncParams implements probe.Env from FuncArgs: the canned prototypes
// have no C spellings, so their types are gbt's.
func (e *Env) FuncParams(target probe.Tracing, name string) ([]string, string, error) {
	args, ret, err := e.FuncArgs(target, name)
	if err != nil {
		return nil, "", err
	}
	var params []string
	for _, f := range args.Fields {
		params = append(params, f.Type.String()+" "+f.Name)
	}
	if ret.Kind == types.Void {
		return params, "", nil
	}
	return params, ret.String(), nil
}

// cannedEnum is the canned kernel's enum whose enumerators scripts name
// (the first of them, as the kernel's BTF has them).
var cannedEnum = &types.Enum{Name: "bpf_map_type", Variants: []types.Variant{
	{Name: "BPF_MAP_TYPE_UNSPEC", Value: 0}, {Name: "BPF_MAP_TYPE_HASH", Value: 1}, {Name: "BPF_MAP_TYPE_ARRAY", Value: 2}}}

// cannedFieldEnum is the enum of the field mode of the canned tracepoint
// timer:hrtimer_start (a subset of its enumerators); its enumerators are
// not among EnumOf's.
var cannedFieldEnum = &types.Enum{Name: "hrtimer_mode", Variants: []types.Variant{
	{Name: "HRTIMER_MODE_ABS", Value: 0}, {Name: "HRTIMER_MODE_REL", Value: 1}, {Name: "HRTIMER_MODE_PINNED", Value: 2}}}

// EnumNamed implements probe.Env: enum bpf_map_type and enum
// hrtimer_mode.
func (e *Env) EnumNamed(name string) (*types.Enum, bool) {
	for _, en := range []*types.Enum{cannedEnum, cannedFieldEnum} {
		if en.Name == name {
			return en, true
		}
	}
	return nil, false
}

// EnumValue implements probe.Env: the enumerators of enum bpf_map_type.
func (e *Env) EnumValue(name string) (int64, bool) {
	if _, ok := e.EnumOf(name); !ok {
		return 0, false
	}
	for _, v := range cannedEnum.Variants {
		if v.Name == name {
			return v.Value, true
		}
	}
	return 0, false
}

// EnumOf implements probe.Env: enum bpf_map_type.
func (e *Env) EnumOf(name string) (*types.Enum, bool) {
	for _, v := range cannedEnum.Variants {
		if v.Name == name {
			return cannedEnum, true
		}
	}
	return nil, false
}

// cannedStructs and cannedFuncs are built once: callers only read them.
var (
	cannedStructs = sync.OnceValue(newCannedStructs)
	cannedFuncs   = sync.OnceValue(newCannedFuncs)
)

// named is a record known by name and size only, as a member or pointer
// target of a converted record is.
func named(name string, size int) types.Type {
	return types.Type{Kind: types.Record, Name: name, Size: size}
}

func kptr(t types.Type) types.Type { return types.PointerTo(t, types.Kernel) }

func newCannedStructs() map[string]types.Type {
	rec := func(name string, size int, fields ...types.Field) types.Type {
		return types.Type{Kind: types.Record, Name: name, Size: size, Fields: fields}
	}
	return map[string]types.Type{
		"struct task_struct": rec("struct task_struct", 3264,
			types.Field{Name: "__state", Type: types.U32, Offset: 24},
			types.Field{Name: "flags", Type: types.U32, Offset: 44},
			types.Field{Name: "se", Type: named("struct sched_entity", 320), Offset: 128},
			types.Field{Name: "mm", Type: kptr(named("struct mm_struct", 1344)), Offset: 1176},
			// unsigned sched_reset_on_fork:1; sched_contributes_to_load:1; ...
			types.Field{Name: "sched_reset_on_fork", Type: types.U32, Offset: 1240, BitWidth: 1},
			types.Field{Name: "sched_contributes_to_load", Type: types.U32, Offset: 1240, BitOff: 1, BitWidth: 1},
			types.Field{Name: "pid", Type: types.I32, Offset: 1264},  // pid_t
			types.Field{Name: "tgid", Type: types.I32, Offset: 1268}, // pid_t
			types.Field{Name: "real_parent", Type: kptr(named("struct task_struct", 3264)), Offset: 1280},
			types.Field{Name: "group_leader", Type: kptr(named("struct task_struct", 3264)), Offset: 1328},
			// A member of an anonymous union, which is the task's own.
			types.Field{Name: "start_time_alias", Type: types.U64, Offset: 1400},
			types.Field{Name: "comm", Type: types.StringOf(16), Offset: 1752}, // char comm[16]
		),
		"struct sched_entity": rec("struct sched_entity", 320,
			types.Field{Name: "on_rq", Type: types.U8, Offset: 64},
			types.Field{Name: "vruntime", Type: types.U64, Offset: 104},
			types.Field{Name: "nr_migrations", Type: types.U64, Offset: 168},
		),
		"struct mm_struct": rec("struct mm_struct", 1344,
			types.Field{Name: "task_size", Type: types.U64, Offset: 8},
			types.Field{Name: "map_count", Type: types.I32, Offset: 88},
		),
		"struct pt_regs": rec("struct pt_regs", 168,
			types.Field{Name: "ax", Type: types.U64, Offset: 80},
			types.Field{Name: "si", Type: types.U64, Offset: 104},
			types.Field{Name: "di", Type: types.U64, Offset: 112},
		),
		// What path() reaches: a file's struct path, in place.
		"struct file": rec("struct file", 232,
			types.Field{Name: "f_path", Type: named("struct path", 16), Offset: 16},
			types.Field{Name: "f_flags", Type: types.U32, Offset: 64},
		),
		"struct path": rec("struct path", 16,
			types.Field{Name: "mnt", Type: kptr(named("struct vfsmount", 32))},
			types.Field{Name: "dentry", Type: kptr(named("struct dentry", 192)), Offset: 8},
		),
		// What socket_cookie and skboutput take: a packet and its socket.
		"struct sk_buff": rec("struct sk_buff", 224,
			types.Field{Name: "sk", Type: kptr(named("struct sock", 784)), Offset: 24},
			types.Field{Name: "len", Type: types.U32, Offset: 112},
			types.Field{Name: "data", Type: kptr(types.U8), Offset: 200},
		),
		// The contexts of the task iterators (iter:task, iter:task_file).
		"struct bpf_iter__task": rec("struct bpf_iter__task", 16,
			types.Field{Name: "meta", Type: kptr(named("struct bpf_iter_meta", 24))},
			types.Field{Name: "task", Type: kptr(named("struct task_struct", 3264)), Offset: 8},
		),
		"struct bpf_iter__task_file": rec("struct bpf_iter__task_file", 32,
			types.Field{Name: "meta", Type: kptr(named("struct bpf_iter_meta", 24))},
			types.Field{Name: "task", Type: kptr(named("struct task_struct", 3264)), Offset: 8},
			types.Field{Name: "fd", Type: types.U32, Offset: 16},
			types.Field{Name: "file", Type: kptr(named("struct file", 232)), Offset: 24},
		),
		// A member of enum type: a 4-byte integer of enum bpf_map_type.
		"struct bpf_map": rec("struct bpf_map", 296,
			types.Field{Name: "map_type", Type: types.Type{Kind: types.Int, Bits: 32, Enum: cannedEnum}, Offset: 64},
			types.Field{Name: "max_entries", Type: types.U32, Offset: 76},
		),
		"struct __kernel_timespec": rec("struct __kernel_timespec", 16,
			types.Field{Name: "tv_sec", Type: types.I64},
			types.Field{Name: "tv_nsec", Type: types.I64, Offset: 8},
		),
	}
}

// funcArgs is what FuncArgs answers for a function or BTF tracepoint.
type funcArgs struct{ args, ret types.Type }

func newCannedFuncs() map[string]funcArgs {
	args := func(name string, fields ...types.Field) types.Type {
		for i := range fields {
			fields[i].Offset = 8 * i
		}
		return types.Type{Kind: types.Record, Name: "struct " + name + "_args", Ctx: true, Size: 8 * len(fields), Fields: fields}
	}
	void := types.Type{Kind: types.Void}
	task := kptr(named("struct task_struct", 3264))
	return map[string]funcArgs{
		// The declaration of iter:task_file's context (DEFINE_BPF_ITER_FUNC).
		"kfunc:bpf_iter_task_file": {args("bpf_iter_task_file",
			types.Field{Name: "meta", Type: kptr(named("struct bpf_iter_meta", 24))},
			types.Field{Name: "task", Type: task},
			types.Field{Name: "fd", Type: types.U32},
			types.Field{Name: "file", Type: kptr(named("struct file", 232))},
		), types.I32},
		// ssize_t vfs_read(struct file *file, char *buf, size_t count, loff_t *pos)
		"kfunc:vfs_read": {args("vfs_read",
			types.Field{Name: "file", Type: kptr(named("struct file", 232))},
			types.Field{Name: "buf", Type: kptr(types.U8)},
			types.Field{Name: "count", Type: types.U64},
			types.Field{Name: "pos", Type: kptr(types.I64)},
		), types.I64},
		// sys_enter(struct pt_regs *regs, long id)
		"tp_btf:sys_enter": {args("sys_enter",
			types.Field{Name: "regs", Type: kptr(named("struct pt_regs", 168))},
			types.Field{Name: "id", Type: types.I64},
		), void},
		// sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)
		"tp_btf:sched_switch": {args("sched_switch",
			types.Field{Name: "preempt", Type: types.Boolean},
			types.Field{Name: "prev", Type: task},
			types.Field{Name: "next", Type: task},
			types.Field{Name: "prev_state", Type: types.U32},
		), void},
		// inet_sock_set_state(const struct sock *sk, int oldstate, int newstate)
		"tp_btf:inet_sock_set_state": {args("inet_sock_set_state",
			types.Field{Name: "sk", Type: kptr(named("struct sock", 784))},
			types.Field{Name: "oldstate", Type: types.I32},
			types.Field{Name: "newstate", Type: types.I32},
		), void},
		// consume_skb(struct sk_buff *skb, void *location)
		"tp_btf:consume_skb": {args("consume_skb",
			types.Field{Name: "skb", Type: kptr(named("struct sk_buff", 224))},
			types.Field{Name: "location", Type: kptr(types.U8)}, // void *
		), void},
	}
}

// cannedKernelAddrs are kernel symbols for kaddr() in tests.
var cannedKernelAddrs = map[string]uint64{
	"vfs_read": 0xffffffff81412340, "do_sys_openat2": 0xffffffff814056a0, "schedule": 0xffffffff81e3c1b0,
}

// KernelAddr implements probe.Env over canned kernel symbols.
func (e *Env) KernelAddr(name string) (uint64, error) {
	if a, ok := cannedKernelAddrs[name]; ok {
		return a, nil
	}
	return 0, fmt.Errorf("no kernel symbol %s", name)
}

// cannedKernelVars are the per-CPU variables of the canned kernel's BTF.
var cannedKernelVars = map[string]bool{"process_counts": true, "runqueues": true}

// KernelVar implements probe.Env over canned per-CPU variables.
func (e *Env) KernelVar(name string) error {
	if cannedKernelVars[name] {
		return nil
	}
	return fmt.Errorf("%s: %w", name, probe.ErrNoKernelVar)
}

// UserAddr implements probe.Env; tests resolve no user symbols.
func (e *Env) UserAddr(path, name string) (probe.UserSym, error) {
	return probe.UserSym{}, fmt.Errorf("no symbol %s in %s (probetest resolves none)", name, path)
}

// cannedHeaders are the headers probetest's include path holds.
var cannedHeaders = map[string]bool{"stdint.h": true, "sys/xattr.h": true, "local.h": true, "errno.h": true, "signal.h": true}

// Header implements probe.Env: the canned headers are found, whether
// written <name> or "name".
func (e *Env) Header(name string, system bool) error {
	if cannedHeaders[name] {
		return nil
	}
	return fmt.Errorf("'%s' %w", name, probe.ErrNoHeader)
}

// HeaderMacros implements probe.Env: a few of the macros of x86-64's
// headers.
func (e *Env) HeaderMacros() map[string]int64 {
	return map[string]int64{
		"TASK_RUNNING": 0x0, "TASK_INTERRUPTIBLE": 0x1, "TASK_UNINTERRUPTIBLE": 0x2,
		"__TASK_STOPPED": 0x4, "__TASK_TRACED": 0x8, "EXIT_DEAD": 0x10, "EXIT_ZOMBIE": 0x20,
		"TASK_PARKED": 0x40, "TASK_DEAD": 0x80, "TASK_WAKEKILL": 0x100, "TASK_WAKING": 0x200,
		"TASK_NOLOAD": 0x400, "TASK_NEW": 0x800,
		"AF_UNSPEC": 0, "AF_UNIX": 1, "AF_LOCAL": 1, "AF_INET": 2, "AF_INET6": 10,
		"AF_NETLINK": 16, "AF_PACKET": 17,
		"O_RDONLY": 0, "O_WRONLY": 1, "O_RDWR": 2, "O_CREAT": 0o100, "O_TRUNC": 0o1000, "O_APPEND": 0o2000,
		"SIGHUP": 1, "SIGKILL": 9, "SIGTERM": 15, "SIGSTOP": 19, "CLONE_THREAD": 0x10000,
		"__NR_openat": 257, "SYS_openat": 257,
	}
}

// CgroupID implements probe.Env: the canned root cgroup has id 1.
func (e *Env) CgroupID(path string) (uint64, error) {
	if path == "/sys/fs/cgroup" {
		return 1, nil
	}
	return 0, fmt.Errorf("cgroup %s: no such file or directory", path)
}

// cannedKfuncs are the kernel functions (kfuncs) of the canned kernel and
// the kinds of program that may call them, as 6.18 answers: the task
// kfuncs of its generic set (tracing programs, iterators among them, and since 6.x kprobe,
// tracepoint and perf event programs too), none for raw tracepoints.
var cannedKfuncs = map[string][]probe.ProgKind{
	"bpf_task_from_pid": {probe.ProgTracing, probe.ProgIter, probe.ProgKprobe, probe.ProgTracepoint, probe.ProgPerfEvent},
	// bpf_strnstr (6.17) is in the common set, which 6.18 lets every kind
	// call; the canned kernel lets tracing programs only, so that the
	// scripts of codegen's tests cover both strstr()'s call of it (in
	// tp_btf and fentry probes) and its loops (elsewhere).
	"bpf_strnstr": {probe.ProgTracing},
	"vfs_read":    nil, // a function, not a kfunc
}

// KfuncAllowed implements probe.Env over cannedKfuncs.
func (e *Env) KfuncAllowed(name string, k *probe.Kind, target string) (bool, error) {
	kinds, ok := cannedKfuncs[name]
	if !ok {
		return false, fmt.Errorf("kernel function %s: %w", name, probe.ErrNoStruct)
	}
	return slices.Contains(kinds, k.Prog), nil
}
