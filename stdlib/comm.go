package stdlib

import (
	"errors"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// commLen is the size of a task's name (TASK_COMM_LEN).
const commLen = 16

// The kernel functions comm(pid) calls: the task of a pid (in the
// initial pid namespace), acquired, and its release.
const (
	taskFromPid = "bpf_task_from_pid"
	taskRelease = "bpf_task_release"
)

// commNeeds is comm's hint when the kernel refuses comm(pid)'s kfunc.
const commNeeds = "comm(pid) calls the kernel function bpf_task_from_pid (Linux 6.2 and later), which the kernel allows in some probe types only (on Linux 6.18: tracepoint, profile, interval, iter, kfunc; not BEGIN, END, uprobe or rawtracepoint)"

// commType is the type rule of comm, comm() and comm(pid): the name of
// the current task, or of the process with that pid, as in the newest
// bpftrace's stdlib macro, whose words it uses. comm(pid) expands to
// comm(pid, offsetof(struct task_struct, comm)): the emitter reads the
// name at that offset of the task bpf_task_from_pid finds.
func commType(u *check.Use) types.Type {
	if len(u.Args) == 2 && isCommOffset(u.Args[1]) {
		return types.StringOf(commLen) // the expansion, checked
	}
	if !arity(u, 0, 1) {
		return types.Type{}
	}
	if len(u.Args) == 0 {
		return types.StringOf(commLen)
	}
	if !u.ArgTypes[0].IsInt() {
		u.Errorf("Only integer supported for comm()'s pid")
		return types.Type{}
	}
	allowed, err := kfuncAllowedHere(u, taskFromPid)
	switch {
	case errors.Is(err, probe.ErrNoStruct) || errors.Is(err, probe.ErrUnavailable):
		// No such kernel function (or no BTF): where bpftrace's macro
		// finds its weak symbol NULL at run time, a load would fail here.
		u.ErrorHint(commNeeds, "'bpf_task_from_pid kfunc', which is used for getting the process comm, is not supported on your system.")
		return types.Type{}
	case err != nil:
		u.Errorf("comm(): %v", err)
		return types.Type{}
	case !allowed:
		u.ErrorHint(commNeeds, "Syntax comm(PID) is not supported in this probe type yet. Type: %s", ProbeTypeName(probeKind(u)))
		return types.Type{}
	}
	span := u.Node.NodeSpan()
	return u.Expand(&ast.Call{Span: span, Name: u.Name(), Args: []ast.Expr{u.Args[0],
		&ast.Offsetof{Span: span, Type: &ast.TypeExpr{Span: span, Name: "struct task_struct"}, Field: []string{"comm"}}}})
}

// isCommOffset reports whether e is the offsetof(struct task_struct,
// comm) of comm(pid)'s expansion.
func isCommOffset(e ast.Expr) bool {
	o, ok := e.(*ast.Offsetof)
	return ok && o.Type != nil && o.Type.Name == "struct task_struct" && o.Type.Ptr == 0 && len(o.Field) == 1 && o.Field[0] == "comm"
}

// kfuncAllowedHere asks the environment whether the use's probe may call
// the kernel function name (kfunc_allowed): false when the kernel refuses
// it, or there is no environment; the error wraps probe.ErrNoStruct when
// the kernel has no such function, probe.ErrUnavailable when it has no
// BTF.
func kfuncAllowedHere(u *check.Use, name string) (bool, error) {
	env, ok := u.Env()
	k := probeKind(u)
	if !ok || k == nil {
		return false, nil
	}
	target := ""
	if k.Prog == probe.ProgTracing && len(u.Probe.Points) > 0 {
		target = u.Probe.Points[0].Func
	}
	return env.KfuncAllowed(name, k, target)
}

// commEmit writes the current task's name (bpf_get_current_comm), or, for
// comm(pid), the name of the process with that pid: bpf_task_from_pid
// acquires its task, which is held in a callee-saved register across the
// read and released on the one path that has it; "N/A" when there is no
// such process, as bpftrace writes (it warns too).
func commEmit(g Gen, c *ast.Call, off int16, size int) {
	n := min(size, commLen)
	if c == nil || len(c.Args) == 0 {
		g.Emit(
			asm.Mov.Reg(asm.R1, asm.R10), asm.Add.Imm(asm.R1, int32(off)),
			asm.Mov.Imm(asm.R2, int32(n)),
			asm.FnGetCurrentComm.Call(),
		)
		return
	}
	field, _ := g.Const(c.Args[1])
	g.Zero(off, n)
	task := g.TakeReg()
	found, done := g.Label(), g.Label()
	// The pid's evaluation may call helpers, which clobber R1-R5.
	g.EvalInt(c.Args[0], task)
	g.Emit(asm.Mov.Reg(asm.R1, task))
	g.KernelFunc(taskFromPid)
	g.Emit(asm.JNE.Imm(asm.R0, 0, found))
	if n >= 4 {
		g.Emit(asm.StoreImm(asm.R10, off, int64('N'|'/'<<8|'A'<<16), asm.Word)) // "N/A\0"
	}
	g.Emit(asm.Ja.Label(done))
	g.Place(found)
	g.Emit(
		asm.Mov.Reg(task, asm.R0),
		asm.Mov.Reg(asm.R1, asm.R10), asm.Add.Imm(asm.R1, int32(off)),
		asm.Mov.Imm(asm.R2, int32(n)),
		asm.Mov.Reg(asm.R3, task), asm.Add.Imm(asm.R3, int32(field)),
		asm.FnProbeReadKernel.Call(),
		asm.Mov.Reg(asm.R1, task),
	)
	g.KernelFunc(taskRelease)
	g.Place(done)
	g.FreeReg(task)
}
