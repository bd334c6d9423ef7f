package codegen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// The tracepoints of system calls (syscalls:sys_enter_NAME and
// sys_exit_NAME, raw_syscalls:sys_enter and sys_exit) through the raw
// tracepoints every system call passes.
//
// A tracepoint's perf event copies its record and runs the program
// through perf's tracepoint machinery; a tp_btf program on sys_enter is
// called with the task's registers and the call's number, for every
// call. Where a script traces a whole direction (raw_syscalls, or
// sys_enter_*), the raw tracepoint is cheaper (planDispatch has the
// figures), and a block of many calls is one program and one link, which
// detaches at once, rather than a perf event a call, which the kernel
// releases one at a time.
//
// The program keeps to its calls by number, and leaves out those of
// 32-bit tasks, as the kernel's syscall tracepoints do; it reads each
// field of args from the register that passes it. What it cannot read
// that way (args as a pointer, ctx, a kernel stack, whose frames would
// differ) compiles every block of its direction as tracepoints: the
// kernel runs a raw tracepoint's programs and the syscall perf events' in
// the order they were registered (another tracer's first), and two
// blocks on one call must run in declaration order.

// SyscallDispatch says a program of system call tracepoints runs on a
// raw tracepoint, loaded as a tp_btf program (AttachTo).
type SyscallDispatch struct {
	Exit bool // sys_exit; else sys_enter
	// All says the point is raw_syscalls:sys_enter or sys_exit, which
	// fires for every call, 32-bit tasks' too.
	All bool
	Nrs []int // the number of each point's system call, in Points' order
	// Map names the array from a call's number to its point's cookie
	// plus 1 (0: a call the program does not trace), for blocks of too
	// many calls to compare one by one; "" when they are compared.
	Map string
}

// SyscallTracepoint is the raw tracepoint a dispatching program attaches to.
func (d *SyscallDispatch) SyscallTracepoint() string {
	if d.Exit {
		return "sys_exit"
	}
	return "sys_enter"
}

// maxCompared is the most system calls a program compares its call's
// number with; more are looked up in an array.
const maxCompared = 8

// tsCompat is x86-64's TS_COMPAT, the bit of thread_info.status that
// marks the system call running as a 32-bit task's.
const tsCompat = 0x2

// syscallArgRegs are the registers of x86-64's system call arguments.
var syscallArgRegs = [...]string{"di", "si", "dx", "r10", "r8", "r9"}

// notDispatchable is the panic value of a use that a dispatching program
// cannot compile: the block is compiled again as tracepoint programs.
type notDispatchable struct{}

// minDispatched is the fewest calls a block of syscalls:* tracepoints
// traces for the script's blocks of its direction to run on the raw
// tracepoint. A program there runs for every system call: on calls it
// does not trace it costs more than the tracepoint machinery it saves on
// those it does: untraced writes to /dev/null slowed 1.25x with a filter
// of sys_enter_openat there, 1.16x with sys_enter_openat's perf event,
// while the traced opens slowed 1.04x against 1.09x. Whole directions
// (sys_enter_*: 1 000 000 writes 1.30x against 1.67x; raw_syscalls) pay
// off; a few calls stay perf events.
const minDispatched = 64

// maxDispatching is the most programs of one direction that run on its
// raw tracepoint, each for every system call (a block whose points lay
// args out differently is one program a point).
const maxDispatching = 4

// planDispatch decides for each direction (sys_enter, sys_exit) whether
// the script's system call tracepoints run on its raw tracepoint: all of
// them or none, as the kernel runs a raw tracepoint's programs and the
// syscall perf events' in the order they were registered (another
// tracer's first), and blocks on one call must run in declaration order.
func (c *compiler) planDispatch() {
	if c.opts.SyscallRawTP == nil {
		return
	}
	var big, perf [2]bool
	var programs [2]int
	for _, pi := range c.info.Probes {
		if pi.Kind == nil || !slices.ContainsFunc(pi.Points, onSyscalls) {
			continue
		}
		d := syscallsOf(pi)
		if d == nil {
			for _, pt := range pi.Points {
				if onSyscalls(pt) {
					perf[direction(pt)] = true // mixed with other points, or a call gbt has no number for
				}
			}
			continue
		}
		dir := d.direction()
		if pi.PointArgs != nil && !sameArgs(pi.PointArgs) && !argsAgree(pi) {
			// One program per args layout (probe): sys_enter_* printing
			// args as a value would be 360 programs, each run for every
			// call.
			programs[dir] += len(pi.Points)
			continue
		}
		programs[dir]++
		big[dir] = big[dir] || d.All || len(d.Nrs) >= minDispatched
	}
	for dir := range c.dispatch {
		if !big[dir] || perf[dir] || programs[dir] > maxDispatching || c.opts.noDispatch[dir] {
			continue
		}
		if _, ok := c.opts.SyscallRawTP(); !ok {
			return
		}
		c.dispatch[dir] = true
	}
}

// direction is 1 for a point on sys_exit, else 0.
func direction(pt probe.Point) int {
	if strings.HasPrefix(pt.Event, "sys_exit") {
		return 1
	}
	return 0
}

func (d *SyscallDispatch) direction() int {
	if d.Exit {
		return 1
	}
	return 0
}

// syscallsOf returns how the points of pi would run on a raw tracepoint,
// or nil when they cannot: they are not all system call tracepoints of
// one direction with a number.
func syscallsOf(pi *check.ProbeInfo) *SyscallDispatch {
	if pi.Kind.Attach != probe.AttachTracepoint {
		return nil
	}
	d := &SyscallDispatch{}
	for i, pt := range pi.Points {
		sc, ok := probe.Syscall(pt)
		if !ok || i > 0 && (sc.Exit != d.Exit || sc.All || d.All) {
			return nil
		}
		d.Exit, d.All = sc.Exit, sc.All
		d.Nrs = append(d.Nrs, sc.Nr)
	}
	return d
}

// generateDispatching generates prog as a program on a raw tracepoint for
// system call tracepoints where planDispatch says so, else as generate
// does. A program there that needs the tracepoint itself marks its
// direction fallen back: Compile starts again without it.
func (c *compiler) generateDispatching(pi *check.ProbeInfo, prog *Program) *gen {
	d := syscallsOf(pi)
	if d == nil || !c.dispatch[d.direction()] {
		return c.generate(pi, prog)
	}
	prog.Syscalls, prog.Type, prog.AttachType, prog.AttachTo = d, ebpf.Tracing, ebpf.AttachTraceRawTp, d.SyscallTracepoint()
	c.dispatchMap(prog)
	g := c.generate(pi, prog)
	if c.undispatchable {
		c.undispatchable, c.fellBack[d.direction()] = false, true
	}
	return g
}

// oneDispatching reports whether pi's points, whose args records differ,
// run as one program on a raw tracepoint all the same: it reads each field
// of args the same way for every point (argsAgree).
func (c *compiler) oneDispatching(pi *check.ProbeInfo) bool {
	d := syscallsOf(pi)
	return d != nil && c.dispatch[d.direction()] && argsAgree(pi)
}

// argsAgree reports whether a program on a raw tracepoint can serve every
// point of pi with the first point's args record, though their records
// differ: the block reads args by field only (args.NAME, args->NAME), and
// each field it reads lies at the same offset with the same type in every
// point's record, so that it comes from the same register: sys_enter_*'s
// __syscall_nr, sys_exit_*'s ret. The walk sees the block as written;
// syscallField checks every field the program reads again.
func argsAgree(pi *check.ProbeInfo) bool {
	names := map[string]bool{}
	whole := false
	visit := func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Field:
			if isArgs(n.X) {
				names[n.Name] = true
				return false
			}
		case *ast.Ident:
			whole = whole || n.Name == "args"
		}
		return !whole
	}
	if pi.Probe.Predicate != nil {
		ast.Inspect(pi.Probe.Predicate, visit)
	}
	ast.Inspect(pi.Probe.Body, visit)
	if whole {
		return false
	}
	for name := range names {
		if !fieldAgrees(pi.PointArgs, name) {
			return false
		}
	}
	return true
}

// fieldAgrees reports whether every record has field name at one offset
// with one type.
func fieldAgrees(recs []*types.Type, name string) bool {
	var first *types.Field
	for _, r := range recs {
		if r == nil {
			return false
		}
		i := slices.IndexFunc(r.Fields, func(f types.Field) bool { return f.Name == name })
		if i < 0 {
			return false
		}
		if first == nil {
			first = &r.Fields[i]
		} else if f := r.Fields[i]; f.Offset != first.Offset || !f.Type.Equal(first.Type) {
			return false
		}
	}
	return true
}

// isArgs reports whether x is the args builtin itself.
func isArgs(x ast.Expr) bool {
	id, ok := x.(*ast.Ident)
	return ok && id.Name == "args"
}

// onSyscalls reports whether pt is a tracepoint of system calls, which
// fires where sys_enter and sys_exit do.
func onSyscalls(pt probe.Point) bool {
	return pt.Kind.Attach == probe.AttachTracepoint && (pt.Category == "syscalls" || pt.Category == "raw_syscalls")
}

// dispatchMap adds the map from call number to cookie of program prog,
// when it has too many points to compare.
func (c *compiler) dispatchMap(prog *Program) {
	d := prog.Syscalls
	if len(d.Nrs) <= maxCompared {
		return
	}
	d.Map = fmt.Sprintf("gbt_sc%d", len(c.obj.Programs))
	spec := &ebpf.MapSpec{Name: d.Map, Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1}
	for i, nr := range d.Nrs {
		spec.MaxEntries = max(spec.MaxEntries, uint32(nr)+1)
		spec.Contents = append(spec.Contents, ebpf.MapKV{Key: uint32(nr), Value: uint32(prog.Cookies[i] + 1)})
	}
	c.addMap(&MapDesc{Name: d.Map, Role: RoleDispatch, FailSlot: -1, Spec: spec})
}

// dispatching reports whether the program runs on a raw tracepoint for
// system call tracepoints, and stops its compilation when it does and
// what is compiled needs the tracepoint's own context.
func (g *gen) dispatching(needsTracepoint bool) bool {
	if g.prog.Syscalls == nil {
		return false
	}
	if needsTracepoint {
		panic(notDispatchable{})
	}
	return true
}

// syscallFilter returns at once for a system call the program does not
// trace, and for a 32-bit task's: the first thing it does, as it runs for
// every system call.
func (g *gen) syscallFilter() {
	d := g.prog.Syscalls
	if d.All {
		return
	}
	g.syscallNr(asm.R0)
	if d.Map != "" {
		key := g.allocStack(8)
		g.Emit(asm.StoreMem(asm.R10, key, asm.R0, asm.Word), g.mapPtr(asm.R1, d.Map), asm.Mov.Reg(asm.R2, asm.R10),
			asm.Add.Imm(asm.R2, int32(key)), asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, g.exitL), asm.LoadMem(asm.R0, asm.R0, 0, asm.Word), asm.JEq.Imm(asm.R0, 0, g.exitL))
	} else {
		traced := g.Label()
		last := len(d.Nrs) - 1
		for _, nr := range d.Nrs[:last] {
			g.Emit(asm.JEq.Imm(asm.R0, int32(nr), traced))
		}
		g.Emit(asm.JNE.Imm(asm.R0, int32(d.Nrs[last]), g.exitL))
		g.Place(traced)
	}
	off, _ := g.c.opts.SyscallRawTP()
	g.Emit(asm.FnGetCurrentTaskBtf.Call(), asm.LoadMem(asm.R0, asm.R0, int16(off), asm.Word),
		asm.JSet.Imm(asm.R0, tsCompat, g.exitL))
}

// syscallNr loads the number of the system call into dst: sys_enter's
// second argument; at sys_exit, the register the call's number came in.
func (g *gen) syscallNr(dst asm.Register) {
	if !g.prog.Syscalls.Exit {
		g.Emit(asm.LoadMem(dst, ctxReg, 8, asm.DWord))
		return
	}
	off, _ := probe.RegOffset("orig_ax")
	g.Emit(asm.LoadMem(dst, ctxReg, 0, asm.DWord), asm.LoadMem(dst, dst, off, asm.DWord))
}

// syscallProbeID loads the cookie of the point whose system call runs.
func (g *gen) syscallProbeID(dst asm.Register) {
	d := g.prog.Syscalls
	if d.Map != "" {
		key := g.Alloc(8)
		g.syscallNr(asm.R0)
		g.Emit(asm.StoreMem(asm.R10, key, asm.R0, asm.Word), g.mapPtr(asm.R1, d.Map))
		g.addr(asm.R2, key)
		// The filter found the number in the array.
		g.Emit(asm.FnMapLookupElem.Call(), asm.Mov.Imm(dst, 0), asm.JEq.Imm(asm.R0, 0, g.exitL),
			asm.LoadMem(dst, asm.R0, 0, asm.Word), asm.Sub.Imm(dst, 1))
		return
	}
	g.syscallNr(dst)
	done := g.Label()
	for i, nr := range d.Nrs[:len(d.Nrs)-1] {
		next := g.Label()
		g.Emit(asm.JNE.Imm(dst, int32(nr), next), asm.Mov.Imm(dst, int32(g.prog.Cookies[i])), asm.Ja.Label(done))
		g.Place(next)
	}
	g.Emit(asm.Mov.Imm(dst, int32(g.prog.Cookies[len(d.Nrs)-1])))
	g.Place(done)
}

// syscallField loads field f of the tracepoint's record from where the
// raw tracepoint has it: __syscall_nr the call's number, an argument its
// register, sys_exit's ret the tracepoint's second argument.
func (g *gen) syscallField(f types.Field, dst asm.Register) {
	d := g.prog.Syscalls
	i := (f.Offset - 16) / 8
	switch {
	case g.pi.PointArgs != nil && !fieldAgrees(g.pi.PointArgs, f.Name):
		panic(notDispatchable{}) // a use argsAgree did not see
	case f.Type.Kind == types.Array:
		panic(notDispatchable{}) // raw_syscalls' args[], read by element (index)
	case f.Type.Kind != types.Int && f.Type.Kind != types.Pointer:
		panic(notDispatchable{})
	case f.Offset == 8:
		g.syscallNr(dst)
	case d.Exit && f.Offset == 16:
		g.Emit(asm.LoadMem(dst, ctxReg, 8, asm.DWord))
	case !d.Exit && f.Offset >= 16 && f.Offset%8 == 0 && i < len(syscallArgRegs):
		off, _ := probe.RegOffset(syscallArgRegs[i])
		g.Emit(asm.LoadMem(dst, ctxReg, 0, asm.DWord), asm.LoadMem(dst, dst, off, asm.DWord))
	default:
		panic(notDispatchable{})
	}
	if f.Type.Kind == types.Int && f.Type.Bits < 64 {
		g.extend(dst, f.Type)
	}
}

// syscallArgAt reads raw_syscalls' args.args[i] (field f) at an index
// known when the probe runs: the register of argument i, or 0 with the
// tracepoint's warning outside the array.
func (g *gen) syscallArgAt(e *ast.Index, f types.Field, dst asm.Register) {
	et := *f.Type.Elem
	outside, done := g.Label(), g.Label()
	g.EvalInt(e.Index, dst)
	for j := range f.Type.Len {
		next := g.Label()
		g.Emit(asm.JNE.Imm(dst, int32(j), next))
		g.syscallField(types.Field{Name: f.Name, Type: et, Offset: f.Offset + j*et.ByteSize()}, dst)
		g.Emit(asm.Ja.Label(done))
		g.Place(next)
	}
	g.outOfBounds(e, dst)(outside)
	g.Place(done)
}

// syscallArgsValue writes args as a value, the tracepoint's record
// without its common fields, at R10+off.
func (g *gen) syscallArgsValue(rec types.Type, off int16) {
	if g.pi.PointArgs != nil && !sameArgs(g.pi.PointArgs) {
		panic(notDispatchable{}) // whose record? argsAgree did not see it
	}
	r := g.reg()
	defer g.release(r)
	for _, f := range rec.Fields {
		if f.Type.Kind == types.Array && f.Type.Elem != nil { // raw_syscalls' args[]
			et := *f.Type.Elem
			for j := range f.Type.Len {
				at := f.Offset + j*et.ByteSize()
				g.syscallField(types.Field{Name: f.Name, Type: et, Offset: at}, r)
				g.Emit(asm.StoreMem(asm.R10, off+int16(at), r, sizeOf(et)))
			}
			continue
		}
		g.syscallField(f, r)
		g.Emit(asm.StoreMem(asm.R10, off+int16(f.Offset), r, sizeOf(f.Type)))
	}
}
