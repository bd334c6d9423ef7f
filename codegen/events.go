package codegen

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/stdlib"
)

// Events: ring-buffer records. Which records a builtin sends, how they are
// laid out and what user space does with them is the builtin's stdlib
// entry's business; this file registers them and sends them.

// NewEvent implements stdlib.Gen.
func (g *gen) NewEvent(c *stdlib.Codec, call *ast.Call) *stdlib.Event {
	span := g.cur
	if call != nil {
		span = spanOf(call)
	}
	if g.pinned() {
		// Nothing reads the ring buffer when the pinned iterator runs.
		what := c.Name
		if call != nil {
			what = call.Name
		}
		panic(unsupported{span: span, msg: fmt.Sprintf("%s() cannot be used in a pinned iterator: its program runs when the file is read, after gbt has exited, and only printf() writes to the reader", what),
			hint: "printf() into the file, or drop the pin to have gbt read the iterator and print"})
	}
	ev := &stdlib.Event{ID: len(g.c.obj.Events), Codec: c, Size: 8, Span: span}
	g.c.obj.Events = append(g.c.obj.Events, ev)
	return ev
}

// controlRingSize is the size of the control ring: a multiple of every
// page size Linux uses (4, 16 and 64 KiB), room for thousands of control
// records, which user space reads every 10 ms.
const controlRingSize = 64 << 10

// Send implements stdlib.Gen: the record at R10+off goes to the ring
// buffer without a wakeup unless the ring is more than half full (or
// force), failures counted in the per-CPU lost counter. A forced record
// (exit, print, clear: user space must act on it) that the full event ring
// refuses goes to the control ring, which nothing else fills, so that a
// flood of printf cannot lose an exit().
func (g *gen) Send(off int16, size int, force bool) {
	flags := g.Label()
	send := g.Label()
	if force {
		g.Emit(asm.Mov.Imm(asm.R4, rbForceWakeup))
	} else {
		g.Emit(g.mapPtr(asm.R1, ringbufMap), asm.Mov.Imm(asm.R2, rbAvailData), asm.FnRingbufQuery.Call())
		g.Emit(asm.Mov.Imm(asm.R4, rbNoWakeup))
		g.Emit(asm.JLT.Imm(asm.R0, int32(g.c.opts.RingbufSize/2), flags))
		g.Emit(asm.Mov.Imm(asm.R4, rbForceWakeup))
	}
	g.Place(flags)
	g.Emit(g.mapPtr(asm.R1, ringbufMap))
	g.addr(asm.R2, off)
	g.Emit(asm.Mov.Imm(asm.R3, int32(size)), asm.FnRingbufOutput.Call())
	g.Emit(asm.JEq.Imm(asm.R0, 0, send))
	if force {
		if _, ok := g.c.maps[controlMap]; !ok {
			g.c.addMap(&MapDesc{Name: controlMap, Role: RoleControl, FailSlot: -1, Spec: &ebpf.MapSpec{
				Name: controlMap, Type: ebpf.RingBuf, MaxEntries: controlRingSize}})
		}
		g.Emit(g.mapPtr(asm.R1, controlMap))
		g.addr(asm.R2, off)
		g.Emit(asm.Mov.Imm(asm.R3, int32(size)), asm.Mov.Imm(asm.R4, rbForceWakeup), asm.FnRingbufOutput.Call())
		g.Emit(asm.JEq.Imm(asm.R0, 0, send))
	}
	g.countLost()
	g.Place(send)
}

// SendInPlace implements stdlib.Gen: the record is reserved in the ring
// buffer and submitted with the wakeup rule of Send.
func (g *gen) SendInPlace(ev *stdlib.Event, rec asm.Register, fill func(end string)) {
	lost, submit, done := g.Label(), g.Label(), g.Label()
	g.Emit(g.mapPtr(asm.R1, ringbufMap), asm.Mov.Imm(asm.R2, int32(ev.Size)), asm.Mov.Imm(asm.R3, 0),
		asm.FnRingbufReserve.Call(), asm.JEq.Imm(asm.R0, 0, lost), asm.Mov.Reg(rec, asm.R0))
	g.loadConst(asm.R1, int64(ev.ID))
	g.Emit(asm.StoreMem(rec, 0, asm.R1, asm.DWord))
	fill(submit)
	g.Place(submit)
	g.Emit(g.mapPtr(asm.R1, ringbufMap), asm.Mov.Imm(asm.R2, rbAvailData), asm.FnRingbufQuery.Call(),
		asm.Mov.Imm(asm.R2, rbNoWakeup))
	wake := g.Label()
	g.Emit(asm.JLT.Imm(asm.R0, int32(g.c.opts.RingbufSize/2), wake), asm.Mov.Imm(asm.R2, rbForceWakeup))
	g.Place(wake)
	g.Emit(asm.Mov.Reg(asm.R1, rec), asm.FnRingbufSubmit.Call(), asm.Ja.Label(done))
	g.Place(lost)
	g.countLost()
	g.Place(done)
}

// PerfEvents implements stdlib.Gen: the perf event array is made when a
// program first asks for it, with one perf ring per possible CPU (the
// loader sizes it).
func (g *gen) PerfEvents(dst asm.Register) asm.Instruction {
	if _, ok := g.c.maps[perfMap]; !ok {
		g.c.addMap(&MapDesc{Name: perfMap, Role: RolePerf, FailSlot: -1, Spec: &ebpf.MapSpec{
			Name: perfMap, Type: ebpf.PerfEventArray, KeySize: 4, ValueSize: 4}})
	}
	return g.mapPtr(dst, perfMap)
}

// countLost adds one to this CPU's lost-event counter: the lost map's one
// value holds a u64 per possible CPU, addressed directly (no lookup).
func (g *gen) countLost() {
	skip := g.Label()
	g.Emit(asm.FnGetSmpProcessorId.Call(), asm.JGE.Imm(asm.R0, int32(g.c.opts.NumCPUs), skip), asm.LSh.Imm(asm.R0, 3))
	g.Emit(g.mapValue(asm.R1, lostMap, 0), asm.Add.Reg(asm.R1, asm.R0),
		asm.Mov.Imm(asm.R2, 1), asm.StoreXAdd(asm.R1, asm.R2, asm.DWord))
	g.Place(skip)
}
