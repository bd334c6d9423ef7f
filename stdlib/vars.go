package stdlib

import (
	"math"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// varEntries are the facts about the current task, CPU and run: pid,
// comm, cpu, cgroup...
func varEntries() []*Entry {
	u64 := fixed(types.U64)
	return []*Entry{
		{Name: "uid", Kind: check.Var, PerProbe: true, Doc: "user id of the current task", Type: u64,
			Emit: helperInt(asm.FnGetCurrentUidGid, asm.LSh.Imm(asm.R0, 32), asm.RSh.Imm(asm.R0, 32))},
		{Name: "gid", Kind: check.Var, PerProbe: true, Doc: "group id of the current task", Type: u64,
			Emit: helperInt(asm.FnGetCurrentUidGid, asm.RSh.Imm(asm.R0, 32))},
		{Name: "cpu", Kind: check.Var, PerProbe: true, Doc: "id of the CPU running the probe", Type: u64,
			Emit: helperInt(asm.FnGetSmpProcessorId)},
		{Name: "comm", Kind: check.VarOrFunc, PerProbe: true, Doc: "comm, comm(), comm(pid): name of the current task, or of the process with that pid (16 bytes)",
			Type: commType, Emit: MemEmitter(commEmit), Needs: commNeeds,
			InPlace: commInPlace},
		{Name: "cgroup", Kind: check.Var, PerProbe: true, Doc: "cgroup v2 id of the current task", Type: u64,
			Emit: helperInt(asm.FnGetCurrentCgroupId)},
		{Name: "cgroupid", Kind: check.Func, Doc: "cgroupid(path): id of a cgroup (v2)", Type: resolved(func(ae probe.Env, u *check.Use, path string) (uint64, types.Type, error) {
			id, err := ae.CgroupID(path)
			return id, types.U64, err
		}), NoCode: "the type rule folds every use to a constant"},
		{Name: "cgroup_path", Kind: check.Func, Doc: "cgroup_path(id [, filter]): the cgroup's path in each hierarchy (matching filter)", Type: cgroupPathType,
			Emit: argEmitter}, // the id: user space finds the paths
		{Name: "rand", Kind: check.Var, Doc: "a 32-bit pseudo-random number", Type: u64,
			Emit: helperInt(asm.FnGetPrandomU32)},
		// ncpus is bpftrace's name since 0.24; numcpus is 0.17's.
		{Name: "ncpus", Aliases: []string{"numcpus"}, Kind: check.VarOrFunc, Doc: "ncpus, ncpus(): number of possible CPUs", Type: noArgs(types.U64),
			Emit: IntEmitter(func(g Gen, _ *ast.Call, dst asm.Register) {
				g.Emit(asm.Mov.Imm(dst, int32(g.NumCPUs())))
			})},
		{Name: "numaid", Kind: check.VarOrFunc, PerProbe: true, Doc: "numaid, numaid(): id of the NUMA node of the CPU running the probe", Type: noArgs(types.U32),
			Emit: helperInt(asm.FnGetNumaNodeId)},
		{Name: "jiffies", Kind: check.Var, Doc: "kernel jiffies counter", Type: u64,
			Emit: helperInt(asm.FnJiffies64)},
		{Name: "curtask", Kind: check.Var, PerProbe: true, Doc: "the current task: struct task_struct * (fields from the kernel's BTF)", Type: func(*check.Use) types.Type {
			return types.PointerTo(types.Type{Kind: types.Record, Name: "struct task_struct"}, types.Kernel)
		}, Emit: helperInt(asm.FnGetCurrentTask)},
		{Name: "cpid", Kind: check.Var, Doc: "pid of the child started with -c", Type: cpidType,
			Emit: IntEmitter(func(g Gen, _ *ast.Call, dst asm.Register) {
				g.Emit(asm.Mov.Imm(dst, int32(g.ChildPID())))
			})},
		{Name: "probe", Kind: check.Var, PerProbe: true, Doc: "full name of the probe that fired", Type: fixed(types.Type{Kind: types.Probe}),
			Emit: IntEmitter(func(g Gen, _ *ast.Call, dst asm.Register) { g.ProbeID(dst) })},
		// username carries the uid; user space looks the name up.
		{Name: "username", Kind: check.Var, Doc: "user name of the current task", Type: fixed(types.Type{Kind: types.Username}),
			Emit: helperInt(asm.FnGetCurrentUidGid, asm.LSh.Imm(asm.R0, 32), asm.RSh.Imm(asm.R0, 32))},
		// Only a cast takes a ctx value: ((struct bpf_perf_event_data *)ctx).
		// In kinds whose context is a kernel struct (iter:
		// struct bpf_iter__task *), ctx is a pointer to it.
		{Name: "ctx", Kind: check.Var, PerProbe: true, Doc: "the probe's context pointer (iter: to the iterator's struct bpf_iter__NAME; else to cast to a struct pointer)", Type: ctxType,
			Emit: IntEmitter(func(g Gen, _ *ast.Call, dst asm.Register) { g.Ctx(dst) })},
	}
}

// ctxType is the type of ctx: a pointer to the kernel struct of kinds
// whose context is one (Kind.Ctx), else a context to cast.
func ctxType(u *check.Use) types.Type {
	if pi := u.Probe; pi != nil && pi.Kind != nil && pi.Kind.Ctx != nil && len(pi.Points) > 0 {
		return types.PointerTo(types.Type{Kind: types.Record, Name: pi.Kind.Ctx(pi.Points[0])}, types.Kernel)
	}
	return types.Type{Kind: types.Context}
}

func cgroupPathType(u *check.Use) types.Type {
	if !arity(u, 1, 2) {
		return types.Type{}
	}
	if !u.ArgTypes[0].IsInt() {
		u.Errorf("cgroup_path() expects an integer cgroup id (%s provided)", u.ArgTypes[0].KindWord())
		return types.Type{}
	}
	filter := "*"
	if len(u.Args) == 2 {
		f, ok := u.StringLit(1)
		if !ok {
			u.Errorf("cgroup_path() expects a string literal filter (%s provided)", u.ArgTypes[1].KindWord())
			return types.Type{}
		}
		filter = f
	}
	return types.Type{Kind: types.CgroupPath, Name: filter}
}

// cpidType types cpid, with the newest bpftrace's warning when no -c
// command runs: it is then 0.
func cpidType(u *check.Use) types.Type {
	if !u.Child() && u.Compat().Has(compat.NewestWords) {
		u.Warnf("No child command (`-c`); cpid is zero")
	}
	return types.U64
}

// noArgs is the rule of a variable that may also be called without
// arguments (ncpus, ncpus()).
func noArgs(t types.Type) func(*check.Use) types.Type {
	return func(u *check.Use) types.Type {
		if !arity(u, 0, 0) {
			return types.Type{}
		}
		return t
	}
}

// commInPlace points dst at the current task, whose comm lies at dst+off:
// compared with a literal, comm is then read in place, a word at a time,
// without bpf_get_current_comm's copy (0.7x of its cost per event here).
// Only the bare name or comm() is the current task's.
func commInPlace(g Gen, c *ast.Call, dst asm.Register) (int16, bool) {
	if c != nil && len(c.Args) > 0 {
		return 0, false
	}
	off, ok := g.TaskField("comm")
	if !ok || off%8 != 0 || off > math.MaxInt16-16 {
		return 0, false
	}
	g.Emit(asm.FnGetCurrentTaskBtf.Call(), asm.Mov.Reg(dst, asm.R0))
	return int16(off), true
}
