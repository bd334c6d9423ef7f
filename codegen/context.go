package codegen

import (
	"fmt"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/stdlib"
)

// The probe context as emitters see it (stdlib.Gen): probe ids, registers,
// arguments, stacks and clocks.

// PidNamespace implements stdlib.Gen.
func (g *gen) PidNamespace() (dev, ino uint64, ok bool) {
	return g.c.opts.PidNSDev, g.c.opts.PidNSIno, g.c.opts.PidNSIno != 0
}

// ProbeID implements stdlib.Gen: BEGIN/END and single points are constants;
// several attach points share a program and tell themselves apart by cookie.
func (g *gen) ProbeID(dst asm.Register) {
	if len(g.prog.Cookies) == 1 || g.prog.Kind.TestRun() {
		g.Emit(asm.Mov.Imm(dst, int32(g.prog.Cookies[0])))
		return
	}
	if g.dispatching(false) {
		g.syscallProbeID(dst)
		return
	}
	g.Emit(asm.Mov.Reg(asm.R1, ctxReg), asm.FnGetAttachCookie.Call(), asm.Mov.Reg(dst, asm.R0))
}

// ProbePoints implements stdlib.Gen: the points of the program, by the
// cookie each carries.
func (g *gen) ProbePoints() []stdlib.ProbePoint {
	out := make([]stdlib.ProbePoint, len(g.prog.Cookies))
	for i, id := range g.prog.Cookies {
		out[i] = stdlib.ProbePoint{ID: int(id), Name: g.c.obj.ProbeNames[id]}
	}
	return out
}

// Reg implements stdlib.Gen: a register of the probed context.
func (g *gen) Reg(name string, dst asm.Register) {
	off, ok := probe.RegOffset(name)
	switch {
	case !ok:
		panic(unsupported{span: g.cur, msg: "unknown register " + name + " (x86-64 pt_regs names: di, si, dx, cx, ax, ip, sp, ...)"})
	case !g.pi.Kind.Regs:
		panic(fmt.Sprintf("codegen: registers read in a %s probe passed the checker", g.pi.Kind))
	}
	g.Emit(asm.LoadMem(dst, ctxReg, off, asm.DWord))
}

// Retval implements stdlib.Gen: the return value, in rax for kretprobes
// and uretprobes, after the arguments in a kretfunc's context.
func (g *gen) Retval(dst asm.Register) {
	if g.prog.AttachProg != 0 {
		// A BPF program's function (fexit:bpf): the kernel takes its
		// parameters from its BTF, or as five where the verifier found
		// that BTF unreliable (a main program's `void *ctx`), so that
		// only bpf_get_func_ret knows where its trampoline put the
		// return value.
		slot := g.Alloc(8)
		g.Emit(asm.Mov.Reg(asm.R1, ctxReg), asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, int32(slot)),
			asm.FnGetFuncRet.Call(), asm.LoadMem(dst, asm.RFP, slot, asm.DWord))
		return
	}
	if g.prog.Kind == probe.ProgTracing {
		n := 0 // the slots of the arguments, which retval follows
		if g.pi.Args != nil {
			n = g.pi.Args.Size
		}
		g.Emit(asm.LoadMem(dst, ctxReg, int16(n), asm.DWord))
		// The slot holds the whole register: an int function's value is
		// its low bits, which retval's type (the return type) says.
		if r := g.pi.Ret; r != nil && r.Kind == types.Int && r.Bits < 64 {
			g.extend(dst, *r)
		}
		return
	}
	g.Reg("ax", dst)
}

// FuncIP implements stdlib.Gen: the address of the probed function.
func (g *gen) FuncIP(dst asm.Register) {
	if g.prog.Kind == probe.ProgTracing {
		g.Emit(asm.Mov.Reg(asm.R1, ctxReg), asm.FnGetFuncIp.Call(), asm.Mov.Reg(dst, asm.R0))
		return
	}
	g.Reg("ip", dst)
}

// Arg implements stdlib.Gen: argN is the N-th u64 of the context in raw
// tracepoints, a register in kprobes and uprobes, and where the note says
// in USDT probes. The checker allows argN only in kinds that have it, and
// in registers only as many as the calling convention passes there.
func (g *gen) Arg(i int, dst asm.Register) {
	switch g.pi.Kind.ArgN {
	case probe.ArgsContext:
		g.Emit(asm.LoadMem(dst, ctxReg, int16(8*i), asm.DWord))
	case probe.ArgsUSDT:
		g.usdtArg(g.pi.Points[0].USDT, i, dst)
	case probe.ArgsRegs:
		g.Reg(probe.ArgReg(i), dst)
	default:
		panic(fmt.Sprintf("codegen: arg%d in a %s probe passed the checker", i, g.pi.Kind))
	}
}

// StackArg implements stdlib.Gen: at a function's entry the return address
// is at sp, and the stack arguments follow it (sarg0 at sp+8). The checker
// allows sargN only in kinds whose args are in registers.
func (g *gen) StackArg(i int, dst asm.Register) {
	if g.pi.Kind.ArgN != probe.ArgsRegs {
		panic(fmt.Sprintf("codegen: sarg%d in a %s probe passed the checker", i, g.pi.Kind))
	}
	g.Reg("sp", dst)
	g.Emit(asm.Add.Imm(dst, int32(8*(i+1))))
	as := types.Kernel
	if g.userProbe() {
		as = types.User
	}
	g.probeRead(dst, types.PointerTo(types.I64, as), types.I64)
}

// usdtArg loads argument i of a USDT probe location as its note
// describes it: a constant, a register, or memory at a register plus an
// offset (and a scaled index register); then truncates or sign-extends it
// to its size.
func (g *gen) usdtArg(u *probe.USDTSite, i int, dst asm.Register) {
	if i >= len(u.Args) {
		panic(unsupported{span: g.cur, msg: fmt.Sprintf("arg%d: USDT probe %s:%s has %d arguments", i, u.Provider, u.Name, len(u.Args))})
	}
	a := u.Args[i]
	t := types.IntOf(a.Size*8, a.Signed)
	switch a.Kind {
	case probe.USDTConst:
		g.loadConst(dst, a.Value)
	case probe.USDTReg:
		g.Reg(a.Reg, dst)
	case probe.USDTMem:
		g.Reg(a.Reg, dst)
		if a.Index != "" {
			tmp := asm.R0 // free between expressions; the read below calls a helper
			if dst == asm.R0 {
				tmp = asm.R1
			}
			g.Reg(a.Index, tmp)
			if a.Scale > 1 {
				g.Emit(asm.Mul.Imm(tmp, int32(a.Scale)))
			}
			g.Emit(asm.Add.Reg(dst, tmp))
		}
		if a.Value != 0 {
			g.Emit(asm.Add.Imm(dst, int32(a.Value)))
		}
		g.probeRead(dst, types.PointerTo(t, types.User), t)
	}
	if a.Size < 8 {
		g.extend(dst, t)
	}
}

// Stack implements stdlib.Gen: the id of the current stack in its
// stack-trace map (negative when it could not be taken); a user stack
// carries the process id in its upper 32 bits, for symbolization, as in
// bpftrace. A dw_ustack is the number of a copy of the stack instead
// (dwarfStack).
func (g *gen) Stack(t types.Type, dst asm.Register) {
	if t.DwarfStack() {
		g.dwarfStack(dst)
		return
	}
	// A kernel stack taken on the raw tracepoint would start with other
	// frames than the tracepoint's.
	g.dispatching(!t.UserStack())
	flags := int32(0)
	if t.UserStack() {
		flags = userStackFlag
	}
	g.Emit(asm.Mov.Reg(asm.R1, ctxReg), g.mapPtr(asm.R2, stackMapName(stackMapType(t))),
		asm.Mov.Imm(asm.R3, flags), asm.FnGetStackid.Call(), asm.Mov.Reg(dst, asm.R0))
	if t.UserStack() {
		g.Emit(asm.LSh.Imm(dst, 32), asm.RSh.Imm(dst, 32), asm.FnGetCurrentPidTgid.Call(),
			asm.RSh.Imm(asm.R0, 32), asm.LSh.Imm(asm.R0, 32), asm.Or.Reg(dst, asm.R0))
	}
}

// Ctx implements stdlib.Gen.
func (g *gen) Ctx(dst asm.Register) {
	g.dispatching(true) // ctx is the tracepoint's record
	g.Emit(asm.Mov.Reg(dst, ctxReg))
}

// SeqFile implements stdlib.Gen: a pinned iterator's program writes to
// its reader's seq_file, ctx->meta->seq (struct bpf_iter_meta is the
// first member of every iterator's context).
func (g *gen) SeqFile(dst asm.Register) bool {
	if !g.pinned() {
		return false
	}
	g.Emit(asm.LoadMem(dst, ctxReg, 0, asm.DWord), asm.LoadMem(dst, dst, 0, asm.DWord))
	return true
}

// pinned reports whether the program is a pinned iterator's.
func (g *gen) pinned() bool { return len(g.pi.Points) == 1 && g.pi.Points[0].Pinned() }

// ElapsedBase implements stdlib.Gen.
func (g *gen) ElapsedBase(dst asm.Register) { g.loadKeyless(elapsedMap, asm.DWord, dst) }

// TSeriesClock implements stdlib.Gen.
func (g *gen) TSeriesClock(dst asm.Register) {
	md := g.c.maps[g.c.opts.ClockMap]
	if md == nil || md.Role != RoleUser || !md.Info.Keyless() || md.Info.Value.Kind != types.Int {
		g.Emit(asm.FnKtimeGetTaiNs.Call(), asm.Mov.Reg(dst, asm.R0))
		return
	}
	g.loadKeyless(md.Name, sizeOf(md.Info.Value), dst)
}

// loadKeyless loads into dst the value of a keyless map (key 0), or 0 when
// the lookup finds none.
func (g *gen) loadKeyless(name string, size asm.Size, dst asm.Register) {
	key := g.Alloc(8)
	g.zero(key, 8)
	g.Emit(g.mapPtr(asm.R1, name), asm.Mov.Reg(asm.R2, asm.R10), asm.Add.Imm(asm.R2, int32(key)), asm.FnMapLookupElem.Call())
	val := asm.R0
	if dst == asm.R0 {
		val = asm.R1 // the value's address outlives dst's 0
		g.Emit(asm.Mov.Reg(val, asm.R0))
	}
	g.Emit(asm.Mov.Imm(dst, 0))
	skip := g.Label()
	g.Emit(asm.JEq.Imm(val, 0, skip), asm.LoadMem(dst, val, 0, size))
	g.Place(skip)
}
