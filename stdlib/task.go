package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// taskEntries are facts about the current task that bpftrace reads from
// its task_struct (ppid, pcomm, leader_tid, leader_comm), and about the
// context it runs in (usermode, probetype, has_cpid).
func taskEntries() []*Entry {
	return []*Entry{
		{Name: "ppid", Kind: check.VarOrFunc, Doc: "ppid, ppid([task]): pid of the parent process (task->real_parent->pid)",
			Type: taskField("real_parent", "pid"), NoCode: taskNoCode},
		{Name: "pcomm", Kind: check.VarOrFunc, Doc: "pcomm, pcomm([task]): name of the parent process (task->real_parent->comm)",
			Type: taskField("real_parent", "comm"), NoCode: taskNoCode},
		{Name: "leader_tid", Kind: check.VarOrFunc, Doc: "leader_tid, leader_tid([task]): thread id of the thread group leader (task->group_leader->pid)",
			Type: taskField("group_leader", "pid"), NoCode: taskNoCode},
		{Name: "leader_comm", Kind: check.VarOrFunc, Doc: "leader_comm, leader_comm([task]): name of the thread group leader (task->group_leader->comm)",
			Type: taskField("group_leader", "comm"), NoCode: taskNoCode},
		{Name: "usermode", Kind: check.VarOrFunc, Doc: "usermode, usermode(): 1 if the probed task was running in user mode (x86-64)",
			Type: noArgs(types.U8), Emit: IntEmitter(usermodeEmit)},
		{Name: "probetype", Kind: check.VarOrFunc, Doc: "probetype, probetype(): the kind of the probe (kprobe, tracepoint, special for BEGIN and END...)",
			Type: func(u *check.Use) types.Type {
				if !arity(u, 0, 0) {
					return types.Type{}
				}
				return types.StringOf(len(ProbeTypeName(probeKind(u))) + 1)
			}, Emit: MemEmitter(func(g Gen, _ *ast.Call, off int16, size int) {
				g.EvalMem(&ast.StrLit{Value: ProbeTypeName(g.ProbeKind())}, types.StringOf(size), off)
			})},
		{Name: "has_cpid", Kind: check.VarOrFunc, Doc: "has_cpid, has_cpid(): whether gbt started a child with -c (cpid is set)",
			Type: noArgs(types.Type{Kind: types.Bool}), Emit: IntEmitter(func(g Gen, _ *ast.Call, dst asm.Register) {
				v := int32(0)
				if g.ChildPID() != 0 {
					v = 1
				}
				g.Emit(asm.Mov.Imm(dst, v))
			})},
	}
}

const taskNoCode = "the type rule expands every use into a field read of the task_struct"

// taskField is the type rule of the builtins that read task->link->field
// (ppid is curtask->real_parent->pid), of the current task or the one
// passed: the use becomes that field access, read through the kernel's BTF.
func taskField(link, field string) func(*check.Use) types.Type {
	return func(u *check.Use) types.Type {
		if !arity(u, 0, 1) {
			return types.Type{}
		}
		span := u.Node.NodeSpan()
		var task ast.Expr = &ast.Ident{Span: span, Name: "curtask"}
		if len(u.Args) == 1 {
			t := u.ArgTypes[0]
			if t.Kind != types.Pointer || t.Elem == nil || t.Elem.Kind != types.Record || t.Elem.Name != "struct task_struct" {
				u.Errorf("%s() expects a struct task_struct * (%s provided)", u.Name(), t)
				return types.Type{}
			}
			task = u.Args[0]
		}
		return u.Expand(&ast.Field{Span: span, Name: field, Arrow: true,
			X: &ast.Field{Span: span, X: task, Name: link, Arrow: true}})
	}
}

// ProbeTypeName is what bpftrace's probetype says for a kind of probe:
// "special" for BEGIN, END and self, fentry and fexit for kfunc and
// kretfunc, the kind's name otherwise.
func ProbeTypeName(k *probe.Kind) string {
	switch {
	case k == nil:
		return "invalid"
	case k.Prog == probe.ProgTestRun:
		return "special"
	}
	return k.Newest()
}

// usermodeEmit tests the privilege level of the code segment in the
// probed task's registers (x86-64: cs & 3 == 3 is user mode). Probes
// without registers run in the kernel (0), except BEGIN, END and self,
// which gbt runs from user space (1, as bpftrace prints).
func usermodeEmit(g Gen, _ *ast.Call, dst asm.Register) {
	k := g.ProbeKind()
	switch {
	case k.Regs:
		g.Reg("cs", asm.R0)
		g.Emit(
			asm.Mov.Reg(asm.R1, asm.R0), asm.RSh.Imm(asm.R1, 1),
			asm.And.Reg(asm.R0, asm.R1), asm.And.Imm(asm.R0, 1), asm.Mov.Reg(dst, asm.R0),
		)
	case k.Prog.TestRun():
		g.Emit(asm.Mov.Imm(dst, 1))
	default:
		g.Emit(asm.Mov.Imm(dst, 0))
	}
}
