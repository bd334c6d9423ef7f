package codegen

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// dw_ustack copies what user space needs to unwind a stack without frame
// pointers: the task's user registers and its stack from the stack
// pointer up, into a slot of an array map (one copy is too big for the
// frame and the ring buffer's records). Its value is the copy's sequence
// number, which names the slot and which the slot keeps, so that user
// space sees when a slot was taken again before it read it, with the
// process id in the upper 32 bits as a ustack's.

// Layout of a dw_ustack copy (a value of the RoleDwStack map).
const (
	DwarfStackSeq   = 0    // u64: the copy's sequence number
	DwarfStackLen   = 8    // u64: bytes of stack copied
	DwarfStackRegs  = 16   // the task's user struct pt_regs (probe.RegOffset offsets)
	DwarfStackData  = 184  // the stack, from pt_regs.sp up
	DwarfStackBytes = 8192 // the most stack copied
	// DwarfStackSlots is how many copies the map holds: a copy is lost
	// when this many more are taken before user space reads it.
	DwarfStackSlots = 128
)

// DwarfStackNoData is the warning of a dw_ustack in a process that is not
// one of the targets (bpftrace's words).
const DwarfStackNoData = "No DWARF unwind data available for this process. Use -p or --dwarf-pid to specify target PIDs."

// dwarfStackMin is the granularity of the stack copy: the copy is the
// longest multiple of it that can be read (the stack's mapping ends
// somewhere above the stack pointer).
const dwarfStackMin = 64

const (
	dwarfStacksMap = "gbt_dwstacks"
	dwarfSeqMap    = "gbt_dwseq"
)

// planDwarfStacks creates the maps of dw_ustack's copies if the script
// takes any.
func (c *compiler) planDwarfStacks() {
	used := false
	for e := range c.info.Builtins {
		if t := c.info.Types[e]; t.Kind == types.Stack && t.DwarfStack() {
			used = true
		}
	}
	if !used {
		return
	}
	c.addMap(&MapDesc{Name: dwarfStacksMap, Role: RoleDwStack, Spec: &ebpf.MapSpec{
		Name: dwarfStacksMap, Type: ebpf.Array, KeySize: 4, ValueSize: DwarfStackData + DwarfStackBytes, MaxEntries: DwarfStackSlots}})
	c.addMap(&MapDesc{Name: dwarfSeqMap, Role: RoleDwSeq, Spec: &ebpf.MapSpec{
		Name: dwarfSeqMap, Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1}})
}

// dwarfPIDs are the processes whose stacks dw_ustack copies: -p's, -c's
// and --dwarf-pid's.
func (g *gen) dwarfPIDs() []int {
	var pids []int
	for _, p := range append([]int{g.c.opts.PID, g.c.opts.ChildPID}, g.c.opts.DwarfPIDs...) {
		if p > 0 {
			pids = append(pids, p)
		}
	}
	return pids
}

// dwarfStack copies the user registers and stack into the next slot and
// loads the copy's number and the process id into dst; -1 when the
// process is not a target (with bpftrace's warning) or the copy failed.
// The slot's address and the copy's length live in frame slots across the
// helper calls, so no callee-saved register is taken.
func (g *gen) dwarfStack(dst asm.Register) {
	pids := g.dwarfPIDs()
	if len(pids) == 0 {
		panic(unsupported{span: g.at, msg: "dw_ustack requires a target process. Use -p, -c, or --dwarf-pid to specify one.",
			hint: "gbt unwinds the stacks of the processes it is told of"})
	}
	fail, done, target := g.Label(), g.Label(), g.Label()
	slotPtr, length, key := g.Alloc(8), g.Alloc(8), g.Alloc(8)

	g.Emit(asm.FnGetCurrentPidTgid.Call(), asm.RSh.Imm(asm.R0, 32))
	for _, p := range pids {
		g.Emit(asm.JEq.Imm(asm.R0, int32(p), target))
	}
	g.runtimeError(g.at, DwarfStackNoData)
	g.Emit(asm.Ja.Label(fail))
	g.Place(target)

	// The next sequence number (atomically: every CPU takes from it).
	g.zero(key, 8)
	g.Emit(g.mapPtr(asm.R1, dwarfSeqMap), asm.Mov.Reg(asm.R2, asm.R10), asm.Add.Imm(asm.R2, int32(key)),
		asm.FnMapLookupElem.Call(), asm.JEq.Imm(asm.R0, 0, fail),
		asm.Mov.Imm(asm.R1, 1), asm.FetchAdd.Mem(asm.R0, asm.R1, asm.DWord, 0),
		asm.And.Imm(asm.R1, 0x7fffffff), asm.StoreMem(asm.R10, length, asm.R1, asm.DWord),
		asm.And.Imm(asm.R1, DwarfStackSlots-1), asm.StoreMem(asm.R10, key, asm.R1, asm.Word),
		g.mapPtr(asm.R1, dwarfStacksMap), asm.Mov.Reg(asm.R2, asm.R10), asm.Add.Imm(asm.R2, int32(key)),
		asm.FnMapLookupElem.Call(), asm.JEq.Imm(asm.R0, 0, fail),
		asm.LoadMem(asm.R1, asm.R10, length, asm.DWord), asm.StoreMem(asm.R0, DwarfStackSeq, asm.R1, asm.DWord),
		asm.Mov.Imm(asm.R1, 0), asm.StoreMem(asm.R0, DwarfStackLen, asm.R1, asm.DWord),
		asm.StoreMem(asm.R10, slotPtr, asm.R0, asm.DWord))

	// The user registers, from any probe: the task's saved pt_regs.
	g.Emit(asm.FnGetCurrentTaskBtf.Call(), asm.Mov.Reg(asm.R1, asm.R0), asm.FnTaskPtRegs.Call(),
		asm.Mov.Reg(asm.R3, asm.R0), asm.LoadMem(asm.R1, asm.R10, slotPtr, asm.DWord), asm.Add.Imm(asm.R1, DwarfStackRegs),
		asm.Mov.Imm(asm.R2, DwarfStackData-DwarfStackRegs), asm.FnProbeReadKernel.Call(), asm.JNE.Imm(asm.R0, 0, fail))

	// The stack: all of it, else the longest readable prefix, read in
	// halving chunks (a read that crosses the end of the mapping fails
	// whole).
	g.zero(length, 8)
	spOffset, _ := probe.RegOffset("sp")
	for size := DwarfStackBytes; size >= dwarfStackMin; size /= 2 {
		skip := g.Label()
		g.Emit(asm.LoadMem(asm.R4, asm.R10, length, asm.DWord), asm.JGT.Imm(asm.R4, int32(DwarfStackBytes-size), skip),
			asm.LoadMem(asm.R1, asm.R10, slotPtr, asm.DWord),
			asm.LoadMem(asm.R3, asm.R1, DwarfStackRegs+spOffset, asm.DWord), asm.Add.Reg(asm.R3, asm.R4),
			asm.Add.Imm(asm.R1, DwarfStackData), asm.Add.Reg(asm.R1, asm.R4),
			asm.Mov.Imm(asm.R2, int32(size)), asm.FnProbeReadUser.Call(), asm.JNE.Imm(asm.R0, 0, skip),
			asm.LoadMem(asm.R4, asm.R10, length, asm.DWord), asm.Add.Imm(asm.R4, int32(size)),
			asm.StoreMem(asm.R10, length, asm.R4, asm.DWord))
		g.Place(skip)
	}
	g.Emit(asm.LoadMem(asm.R1, asm.R10, slotPtr, asm.DWord), asm.LoadMem(asm.R4, asm.R10, length, asm.DWord),
		asm.StoreMem(asm.R1, DwarfStackLen, asm.R4, asm.DWord),
		asm.FnGetCurrentPidTgid.Call(), asm.RSh.Imm(asm.R0, 32), asm.LSh.Imm(asm.R0, 32),
		asm.LoadMem(asm.R1, asm.R10, slotPtr, asm.DWord), asm.LoadMem(asm.R1, asm.R1, DwarfStackSeq, asm.DWord),
		asm.Or.Reg(asm.R0, asm.R1), asm.Mov.Reg(dst, asm.R0), asm.Ja.Label(done))
	g.Place(fail)
	g.Emit(asm.Mov.Imm(dst, -1))
	g.Place(done)
}
