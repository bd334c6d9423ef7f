package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
)

// pidTidEntries are pid and tid: bare or pid(curr_ns) as seen from gbt's
// own pid namespace, pid(init) as seen from the initial one (bpftrace's
// pid([curr_ns|init])).
func pidTidEntries() []*Entry {
	return []*Entry{
		{Name: "pid", Kind: check.VarOrFunc, PerProbe: true, Doc: "pid, pid(curr_ns|init): process id (tgid) of the current task, in gbt's pid namespace (curr_ns, the default) or the initial one",
			Type: pidNSType, Emit: pidNSEmitter(false)},
		{Name: "tid", Kind: check.VarOrFunc, PerProbe: true, Doc: "tid, tid(curr_ns|init): thread id of the current task, in gbt's pid namespace (curr_ns, the default) or the initial one",
			Type: pidNSType, Emit: pidNSEmitter(true)},
	}
}

// pidNSType is the type rule of pid and tid: no argument, or the
// namespace curr_ns or init. They are uint32, as in the newest bpftrace
// (4-byte map keys); uint64 as in 0.17 under --compat=0.17.
func pidNSType(u *check.Use) types.Type {
	if !arity(u, 0, 1) {
		return types.Type{}
	}
	if len(u.Args) == 1 {
		id, ok := u.Args[0].(*ast.Ident)
		if !ok {
			u.Errorf("%s() only supports curr_ns and init as the argument", u.Name())
			return types.Type{}
		}
		if id.Name != "curr_ns" && id.Name != "init" {
			u.ErrorAt(id, "Invalid PID namespace mode: %s (expects: curr_ns or init)", id.Name)
			return types.Type{}
		}
	}
	if u.Compat().Has(compat.U32Pids) {
		return types.U32
	}
	return types.U64
}

// pidNSEmitter loads the pid (or tid) of the current task. In the
// initial namespace, or for pid(init), that is bpf_get_current_pid_tgid's;
// when gbt runs in another pid namespace, bpf_get_ns_current_pid_tgid
// gives it as that namespace numbers it (0 for tasks outside it).
func pidNSEmitter(tid bool) IntEmitter {
	return func(g Gen, c *ast.Call, dst asm.Register) {
		dev, ino, inNS := g.PidNamespace()
		if c != nil && len(c.Args) == 1 {
			if id, ok := c.Args[0].(*ast.Ident); ok && id.Name == "init" {
				inNS = false
			}
		}
		if !inNS {
			g.Emit(asm.FnGetCurrentPidTgid.Call())
			if tid {
				g.Emit(asm.LSh.Imm(asm.R0, 32))
			}
			g.Emit(asm.RSh.Imm(asm.R0, 32), asm.Mov.Reg(dst, asm.R0))
			return
		}
		mark := g.Mark()
		off := g.Alloc(8) // struct bpf_pidns_info { u32 pid; u32 tgid; }
		g.Zero(off, 8)
		g.Emit(
			asm.LoadImm(asm.R1, int64(dev), asm.DWord),
			asm.LoadImm(asm.R2, int64(ino), asm.DWord),
			asm.Mov.Reg(asm.R3, asm.R10), asm.Add.Imm(asm.R3, int32(off)),
			asm.Mov.Imm(asm.R4, 8),
			asm.FnGetNsCurrentPidTgid.Call(),
		)
		field := off + 4 // tgid
		if tid {
			field = off // pid: the thread's id
		}
		g.Emit(asm.LoadMem(dst, asm.R10, field, asm.Word))
		g.Reset(mark)
	}
}
