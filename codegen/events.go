package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/stdlib"
)

// newEvent registers an event descriptor and returns it.
func (g *gen) newEvent(kind EventKind, span ast.Span) *EventDesc {
	ev := &EventDesc{ID: len(g.c.obj.Events), Kind: kind, Size: 8, Span: span}
	g.c.obj.Events = append(g.c.obj.Events, ev)
	return ev
}

// addField lays out a field of type t in the record (8-byte aligned).
func (ev *EventDesc) addField(t types.Type) int {
	off := ev.Size
	n := t.ByteSize()
	if t.IsInt() {
		n = 8
	}
	ev.Args = append(ev.Args, t)
	ev.Offs = append(ev.Offs, off)
	ev.Size += (n + 7) &^ 7
	return off
}

// output sends the record at R10+off to the ring buffer: without a wakeup
// unless the ring is more than half full (or force), counting failures in
// the per-CPU lost counter.
func (g *gen) output(off int16, size int, force bool) {
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
	g.countLost()
	g.Place(send)
}

// Printf implements stdlib.Gen.
func (g *gen) Printf(c *ast.Call) { g.formatted(EvPrintf, c) }

// FormatEvent implements stdlib.Gen.
func (g *gen) FormatEvent(kind stdlib.FormatKind, c *ast.Call) {
	switch kind {
	case stdlib.FormatSystem:
		g.formatted(EvSystem, c)
	case stdlib.FormatCat:
		g.formatted(EvCat, c)
	}
}

// Time implements stdlib.Gen.
func (g *gen) Time(c *ast.Call) {
	ev := g.newEvent(EvTime, spanOf(c))
	ev.Format = "%H:%M:%S\n"
	if len(c.Args) == 1 {
		ev.Format = c.Args[0].(*ast.StrLit).Value
	}
	rec := g.Alloc(8)
	g.loadConst(asm.R1, int64(ev.ID))
	g.Emit(asm.StoreMem(asm.R10, rec, asm.R1, asm.DWord))
	g.output(rec, 8, false)
}

// formatted sends a record with a printf format's arguments.
func (g *gen) formatted(kind EventKind, c *ast.Call) {
	ev := g.newEvent(kind, spanOf(c))
	ev.Format = c.Args[0].(*ast.StrLit).Value
	for _, a := range c.Args[1:] {
		ev.addField(g.TypeOf(a))
	}
	rec := g.Alloc(ev.Size)
	g.zero(rec, ev.Size)
	g.loadConst(asm.R1, int64(ev.ID))
	g.Emit(asm.StoreMem(asm.R10, rec, asm.R1, asm.DWord))
	for i, a := range c.Args[1:] {
		t := ev.Args[i]
		if isScalar(t) {
			r := g.reg()
			g.EvalInt(a, r)
			g.Emit(asm.StoreMem(asm.R10, rec+int16(ev.Offs[i]), r, asm.DWord))
			g.release(r)
			continue
		}
		g.EvalMem(a, t, rec+int16(ev.Offs[i]))
	}
	g.output(rec, ev.Size, false)
}

// Unwatch implements stdlib.Gen: an event with the address, sent at once.
func (g *gen) Unwatch(c *ast.Call) {
	ev := g.newEvent(EvUnwatch, spanOf(c))
	ev.addField(types.U64)
	rec := g.Alloc(ev.Size)
	g.loadConst(asm.R1, int64(ev.ID))
	g.Emit(asm.StoreMem(asm.R10, rec, asm.R1, asm.DWord))
	r := g.reg()
	g.EvalInt(c.Args[0], r)
	g.Emit(asm.StoreMem(asm.R10, rec+int16(ev.Offs[0]), r, asm.DWord))
	g.release(r)
	g.output(rec, ev.Size, true)
}

// Exit implements stdlib.Gen: it tells user space to stop and ends the probe.
func (g *gen) Exit() {
	ev := g.newEvent(EvExit, g.cur)
	rec := g.Alloc(8)
	g.loadConst(asm.R1, int64(ev.ID))
	g.Emit(asm.StoreMem(asm.R10, rec, asm.R1, asm.DWord))
	g.output(rec, 8, true)
	g.Emit(asm.Ja.Label(g.exitL))
}

// MapOp implements stdlib.Gen.
func (g *gen) MapOp(op stdlib.MapOpKind, c *ast.Call) {
	m := c.Args[0].(*ast.MapRef)
	md := g.c.maps[m.Name]
	if md == nil {
		g.fail(m, "map %s could not be created", m.Name)
	}
	if op == stdlib.OpDelete {
		key := g.buildKey(m, md)
		g.Emit(g.mapPtr(asm.R1, m.Name))
		g.addr(asm.R2, key)
		g.Emit(asm.FnMapDeleteElem.Call())
		return
	}
	kind := map[stdlib.MapOpKind]EventKind{stdlib.OpClear: EvClear, stdlib.OpZero: EvZero, stdlib.OpPrint: EvPrintMap}[op]
	ev := g.newEvent(kind, spanOf(c))
	ev.Map = m.Name
	if op == stdlib.OpPrint {
		if len(c.Args) > 1 {
			v, _ := g.Const(c.Args[1])
			ev.Top = int(v)
		}
		if len(c.Args) > 2 {
			v, _ := g.Const(c.Args[2])
			ev.Div = int(v)
		}
	}
	rec := g.Alloc(8)
	g.loadConst(asm.R1, int64(ev.ID))
	g.Emit(asm.StoreMem(asm.R10, rec, asm.R1, asm.DWord))
	// User space acts on the map in event order, so it must see this now.
	g.output(rec, 8, true)
}

// PrintValue implements stdlib.Gen: print(value).
func (g *gen) PrintValue(c *ast.Call) {
	ev := g.newEvent(EvPrintValue, spanOf(c))
	t := g.TypeOf(c.Args[0])
	ev.addField(t)
	rec := g.Alloc(ev.Size)
	g.zero(rec, ev.Size)
	g.loadConst(asm.R1, int64(ev.ID))
	g.Emit(asm.StoreMem(asm.R10, rec, asm.R1, asm.DWord))
	g.storeValue(c.Args[0], t, rec+int16(ev.Offs[0]))
	g.output(rec, ev.Size, false)
}

// MapQuery implements stdlib.Gen: has_key(@m, key) and len(@m).
func (g *gen) MapQuery(q stdlib.MapQueryKind, c *ast.Call, dst asm.Register) {
	m := c.Args[0].(*ast.MapRef)
	md := g.c.maps[m.Name]
	if md == nil {
		g.fail(m, "map %s could not be created", m.Name)
	}
	switch q {
	case stdlib.QueryHasKey:
		key := g.buildKey(&ast.MapRef{Name: m.Name, Keys: []ast.Expr{c.Args[1]}}, md)
		found := g.Label()
		g.Emit(g.mapPtr(asm.R1, m.Name))
		g.addr(asm.R2, key)
		g.Emit(asm.FnMapLookupElem.Call(), asm.Mov.Imm(dst, 1), asm.JNE.Imm(asm.R0, 0, found), asm.Mov.Imm(dst, 0))
		g.Place(found)
	case stdlib.QueryLen:
		// bpf_for_each_map_elem returns how many elements it visited; the
		// callback only asks to go on.
		g.Emit(g.mapPtr(asm.R1, m.Name))
		g.Emit(g.callback(cbContinue))
		g.Emit(asm.Mov.Imm(asm.R3, 0), asm.Mov.Imm(asm.R4, 0), asm.FnForEachMapElem.Call(), asm.Mov.Reg(dst, asm.R0))
	}
}

// Join implements stdlib.Gen: join(arr [, delim]) sends the strings of a
// NULL-terminated array of string pointers. The record (16 KiB, far more
// than the stack) is built in place in the ring buffer with
// bpf_ringbuf_reserve; a slot after the last string is left empty.
func (g *gen) Join(c *ast.Call) {
	ev := g.newEvent(EvJoin, spanOf(c))
	ev.Format = " "
	if len(c.Args) == 2 {
		ev.Format = c.Args[1].(*ast.StrLit).Value
	}
	ev.Size = 8 + JoinArgs*JoinArgSize
	read, readStr := asm.FnProbeReadKernel, asm.FnProbeReadKernelStr
	if g.space(g.TypeOf(c.Args[0])) == types.User {
		read, readStr = asm.FnProbeReadUser, asm.FnProbeReadUserStr
	}
	arr, rec := g.reg(), g.reg()
	defer g.release(arr)
	defer g.release(rec)
	g.EvalInt(c.Args[0], arr)
	lost, submit, done := g.Label(), g.Label(), g.Label()
	g.Emit(g.mapPtr(asm.R1, ringbufMap), asm.Mov.Imm(asm.R2, int32(ev.Size)), asm.Mov.Imm(asm.R3, 0),
		asm.FnRingbufReserve.Call(), asm.JEq.Imm(asm.R0, 0, lost), asm.Mov.Reg(rec, asm.R0))
	g.loadConst(asm.R1, int64(ev.ID))
	g.Emit(asm.StoreMem(rec, 0, asm.R1, asm.DWord))
	m := g.mark()
	ptr := g.Alloc(8)
	for i := 0; i < JoinArgs; i++ {
		slot := int16(8 + i*JoinArgSize)
		last := g.Label()
		g.addr(asm.R1, ptr)
		g.Emit(asm.Mov.Imm(asm.R2, 8), asm.Mov.Reg(asm.R3, arr), asm.Add.Imm(asm.R3, int32(8*i)), read.Call(),
			asm.JNE.Imm(asm.R0, 0, last), // unreadable array: end here
			asm.LoadMem(asm.R3, asm.R10, ptr, asm.DWord),
			asm.JEq.Imm(asm.R3, 0, last), // the NULL that ends the array
			asm.Mov.Reg(asm.R1, rec), asm.Add.Imm(asm.R1, int32(slot)), asm.Mov.Imm(asm.R2, JoinArgSize), readStr.Call())
		next := g.Label()
		g.Emit(asm.Ja.Label(next))
		g.Place(last)
		g.Emit(asm.StoreImm(rec, slot, 0, asm.Byte), asm.Ja.Label(submit))
		g.Place(next)
	}
	g.reset(m)
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

// countLost adds one to this CPU's lost-event counter.
func (g *gen) countLost() {
	skip := g.Label()
	key := g.Alloc(8)
	g.zero(key, 8)
	g.Emit(g.mapPtr(asm.R1, lostMap))
	g.addr(asm.R2, key)
	g.Emit(asm.FnMapLookupElem.Call(), asm.JEq.Imm(asm.R0, 0, skip),
		asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord), asm.Add.Imm(asm.R1, 1), asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord))
	g.Place(skip)
}
