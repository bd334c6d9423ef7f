package codegen

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gbt-dev/gbt/internal/progtype"
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/stdlib"
)

// Options tune code generation.
type Options struct {
	NumCPUs     int // value of `ncpus`
	ChildPID    int // value of `cpid` (the -c command's pid)
	KeysMax     int // max entries of keyed maps (BPFTRACE_MAP_KEYS_MAX)
	RingbufSize int // bytes; a power of two multiple of the page size (default 1 MiB)
	// PidNSDev and PidNSIno name gbt's pid namespace (the device and
	// inode of /proc/self/ns/pid) when it is not the initial one; zero
	// otherwise. pid and tid number tasks as it does.
	PidNSDev, PidNSIno uint64
	// PID is the process -p names: probes of kinds that filter in the
	// program (probe.PIDFilterInProgram) return early for others.
	PID int
	// Cgroup is the cgroup v2 directory of --cgroup and --container:
	// programs of kinds that fire in a task (probe.Kind.FiresInTask)
	// return early for tasks outside it and its descendants. The runtime
	// puts the directory in the map the filter asks (Object.Cgroup).
	Cgroup string
	// HelperErrors is the -k level (HelperErrorsOff, On, Legacy).
	HelperErrors int
	// DwarfPIDs are the processes of --dwarf-pid, whose stacks dw_ustack
	// copies besides those of PID and ChildPID.
	DwarfPIDs []int
	// ClockMap names a keyless integer map whose value tseries() takes as
	// the time instead of the TAI clock (BPFTRACE_DUMMY_TS_MAP, for tests).
	ClockMap string
	// TaskField, if set, returns the offset of a field of the kernel's
	// struct task_struct when programs of type t may read the current
	// task in place (they may call bpf_get_current_task_btf and the
	// kernel has BTF), else false. Asked only by uses that read in place
	// (stdlib.Gen.TaskField: comm compared with a literal).
	TaskField func(t ebpf.ProgramType, field string) (int, bool)
	// SyscallRawTP, if set, reports whether system call tracepoints may
	// run as tp_btf programs on the raw tracepoints sys_enter and
	// sys_exit (syscalls.go), and the offset in struct task_struct of
	// thread_info.status, which says whether a call is a 32-bit task's.
	SyscallRawTP func() (statusOff int, ok bool)
	// noDispatch turns SyscallRawTP off for sys_enter ([0]) and
	// sys_exit ([1]): a block there needed the tracepoint itself.
	noDispatch [2]bool
}

// Names of the internal maps.
const (
	ringbufMap = "gbt_events"
	controlMap = "gbt_control"
	perfMap    = "gbt_perf"
	lostMap    = "gbt_lost"
	zeroMap    = "gbt_zero"
	failedMap  = "gbt_failed"
	elapsedMap = "gbt_elapsed"
	cgroupMap  = "gbt_cgroup"
)

// stackMapName names the stack-trace map of kstack or ustack of a depth:
// one map per kind and depth, so that stacks equal in their first N
// frames share an id, as bpftrace keeps them.
func stackMapName(t types.Type) string {
	kind := "k"
	if t.UserStack() {
		kind = "u"
	}
	if t.BuildIDStack() {
		kind += "b"
	}
	return fmt.Sprintf("gbt_%sstack_%d", kind, t.Len)
}

// stackMapType is the type of the map holding stacks of type t: the
// printing modes share one, build_id stacks (which the kernel takes as
// build ids and offsets) have their own.
func stackMapType(t types.Type) types.Type {
	if t.BuildIDStack() {
		return types.StackIn(t.UserStack(), "build_id", t.Len)
	}
	return types.StackOf(t.UserStack(), false, t.Len)
}

// Stack-trace map flag and frame sizes: BPF_F_STACK_BUILD_ID maps hold
// struct bpf_stack_build_id frames (status, 20-byte build id, offset).
const (
	stackBuildIDFlag = 1 << 5
	buildIDFrameSize = 32
	addressFrameSize = 8
)

// userStackFlag is bpf_get_stackid's BPF_F_USER_STACK.
const userStackFlag = 1 << 8

// Ring buffer output flags.
const (
	rbNoWakeup    = 1
	rbForceWakeup = 2
	rbAvailData   = 0 // bpf_ringbuf_query flag
)

// Compile generates an Object from a checked program. Constructs gbt cannot
// compile yet are reported as positioned diagnostics.
func Compile(info *check.Info, table *stdlib.Table, opts Options) (*Object, diag.List) {
	if opts.KeysMax <= 0 {
		opts.KeysMax = 4096
	}
	if opts.RingbufSize <= 0 {
		opts.RingbufSize = 1 << 20
	}
	if opts.NumCPUs <= 0 {
		opts.NumCPUs = 1
	}
	c := &compiler{info: info, table: table, opts: opts, obj: &Object{Info: info, ClockMap: opts.ClockMap, Cgroup: opts.Cgroup}, maps: map[string]*MapDesc{}}
	c.planMaps()
	c.planAggCaches()
	c.planDispatch()
	for _, pi := range info.Probes {
		c.probe(pi)
		if c.fellBack != [2]bool{} {
			// Blocks on one system call run in declaration order only
			// when all are of one mechanism (syscalls.go): compile the
			// script again with that direction on perf events.
			opts.noDispatch[0] = opts.noDispatch[0] || c.fellBack[0]
			opts.noDispatch[1] = opts.noDispatch[1] || c.fellBack[1]
			return Compile(info, table, opts)
		}
	}
	c.diags.Sort()
	return c.obj, c.diags
}

type compiler struct {
	info    *check.Info
	table   *stdlib.Table
	opts    Options
	obj     *Object
	maps    map[string]*MapDesc
	diags   diag.List
	zeroLen int // size of the zero value
	// undispatchable says the program being generated on a raw
	// tracepoint for system call tracepoints needs the tracepoint itself.
	undispatchable bool
	// dispatch says the system call tracepoints of sys_enter ([0]) and
	// sys_exit ([1]) run on those raw tracepoints (planDispatch).
	dispatch [2]bool
	// fellBack says a block of them needed the tracepoint itself: the
	// script is compiled again with that direction's on perf events.
	fellBack [2]bool
}

func (c *compiler) addMap(d *MapDesc) {
	c.obj.Maps = append(c.obj.Maps, d)
	c.maps[d.Name] = d
}

// planMaps creates the map specs: keyless aggregations are per-CPU arrays,
// keyed aggregations per-CPU hashes, plain values hashes.
func (c *compiler) planMaps() {
	c.addMap(&MapDesc{Name: ringbufMap, Role: RoleRingbuf, Spec: &ebpf.MapSpec{
		Name: ringbufMap, Type: ebpf.RingBuf, MaxEntries: uint32(c.opts.RingbufSize)}})
	c.addMap(&MapDesc{Name: lostMap, Role: RoleLost, Spec: &ebpf.MapSpec{
		Name: lostMap, Type: ebpf.Array, KeySize: 4, ValueSize: uint32(8 * c.opts.NumCPUs), MaxEntries: 1}})
	c.addMap(&MapDesc{Name: elapsedMap, Role: RoleElapsed, Spec: &ebpf.MapSpec{
		Name: elapsedMap, Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1}})
	if c.opts.Cgroup != "" {
		c.addMap(&MapDesc{Name: cgroupMap, Role: RoleCgroup, Spec: &ebpf.MapSpec{
			Name: cgroupMap, Type: ebpf.CGroupArray, KeySize: 4, ValueSize: 4, MaxEntries: 1}})
	}
	c.planDwarfStacks()
	for _, t := range c.stackTypes() {
		name := stackMapName(t)
		frame, flags := addressFrameSize, uint32(0)
		if t.BuildIDStack() {
			frame, flags = buildIDFrameSize, stackBuildIDFlag
		}
		c.addMap(&MapDesc{Name: name, Role: RoleStack, Stack: t, Spec: &ebpf.MapSpec{
			Name: name, Type: ebpf.StackTrace, KeySize: 4, ValueSize: uint32(frame * t.Len), MaxEntries: uint32(c.opts.KeysMax), Flags: flags}})
	}
	failSlots := 0
	for _, name := range c.info.MapNames {
		mi := c.info.Maps[name]
		d := &MapDesc{Name: name, Role: RoleUser, Info: mi, FailSlot: -1}
		key := mi.Key
		if mi.Keyless() {
			key = types.U64
		}
		d.KeyType = key
		valSize := mi.Value.ByteSize()
		agg := mi.Value.Kind == types.Agg
		if agg {
			valSize = types.AggValueSize(mi.Value.AggKind, mi.Params)
		}
		if valSize == 0 || key.ByteSize() == 0 {
			c.diags.Errorf(mi.Span, "maps of %s values are not supported yet", mi.Value)
			continue
		}
		spec := &ebpf.MapSpec{Name: mapObjName(len(c.obj.Maps), name), KeySize: uint32(key.ByteSize()), ValueSize: uint32(valSize), MaxEntries: uint32(c.opts.KeysMax)}
		switch {
		case agg && mi.Keyless():
			spec.Type, spec.KeySize, spec.MaxEntries, d.PerCPU = ebpf.PerCPUArray, 4, 1, true
			d.KeyType = types.U32
		case agg:
			spec.Type, d.PerCPU = ebpf.PerCPUHash, true
			if valSize > c.zeroLen {
				c.zeroLen = valSize
			}
		default:
			spec.Type = ebpf.Hash
		}
		if decl := mi.Decl; decl != nil && spec.Type != ebpf.PerCPUArray {
			spec.Type, spec.MaxEntries = declaredMapType[decl.Kind], uint32(decl.MaxEntries)
		}
		d.Spec = spec
		if spec.Type != ebpf.PerCPUArray {
			d.FailSlot = failSlots
			failSlots++
		}
		c.addMap(d)
	}
	if failSlots > 0 {
		c.addMap(&MapDesc{Name: failedMap, Role: RoleFailed, FailSlot: -1, Spec: &ebpf.MapSpec{
			Name: failedMap, Type: ebpf.Array, KeySize: 4, ValueSize: uint32(8 * failSlots), MaxEntries: 1}})
	}
	if c.zeroLen > 0 {
		c.addMap(&MapDesc{Name: zeroMap, Role: RoleZero, Spec: &ebpf.MapSpec{
			Name: zeroMap, Type: ebpf.Array, KeySize: 4, ValueSize: uint32(c.zeroLen), MaxEntries: 1}})
	}
}

// declaredMapType is the BPF map type of each kind a map declaration
// names (the checker accepts no other).
var declaredMapType = map[string]ebpf.MapType{
	"hash": ebpf.Hash, "lruhash": ebpf.LRUHash,
	"percpuhash": ebpf.PerCPUHash, "percpulruhash": ebpf.LRUCPUHash,
}

// stackTypes returns each kind and depth of stack the script takes (the
// printing modes aside: they read the same frames), in a stable order.
func (c *compiler) stackTypes() []types.Type {
	seen := map[string]types.Type{}
	add := func(t types.Type) {
		if t.Kind == types.Stack && !t.DwarfStack() { // dw_ustack's copies: planDwarfStacks
			t = stackMapType(t)
			seen[stackMapName(t)] = t
		}
	}
	for e := range c.info.Builtins {
		add(c.info.Types[e]) // kstack and ustack are the builtins of stack type
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	ts := make([]types.Type, len(names))
	for i, n := range names {
		ts[i] = seen[n]
	}
	return ts
}

// mapObjName makes a unique kernel map name (at most 15 characters of
// [A-Za-z0-9_]) from @name.
func mapObjName(i int, name string) string {
	s := fmt.Sprintf("m%d_%s", i, name[1:])
	if len(s) > 15 {
		s = s[:15]
	}
	return s
}

// ---------------------------------------------------------------------------
// Probes

func (c *compiler) probe(pi *check.ProbeInfo) {
	if pi.Kind == nil || len(pi.Points) == 0 {
		return
	}
	if !pi.Kind.Supported {
		c.diags.Errorf(pi.Probe.Points[0].Span, "%s probes are not supported by gbt yet", pi.Kind).
			Hint = "supported now: " + strings.Join(supportedKinds(), ", ")
		return
	}
	if pi.Kind.PerPoint && len(pi.Points) > 1 {
		for i := range pi.Points {
			one := *pi
			one.Points = pi.Points[i : i+1]
			c.probe(&one)
		}
		return
	}
	if pi.PointArgs != nil && !sameArgs(pi.PointArgs) && !c.oneDispatching(pi) {
		// The points lay out args differently: one program per point.
		for i := range pi.Points {
			one := *pi
			one.Points = pi.Points[i : i+1]
			one.Args = pi.PointArgs[i]
			one.PointArgs = nil
			c.probe(&one)
		}
		return
	}
	prog := &Program{Name: pi.Points[0].Name, Kind: pi.Kind.Prog, RunAt: pi.Kind.RunAt, Points: pi.Points}
	prog.Type, prog.AttachType = progtype.Of(pi.Kind)
	if pi.Kind.Prog == probe.ProgTracing || pi.Kind.Prog == probe.ProgIter {
		prog.AttachTo = pi.Points[0].Func
		if f := pi.Points[0].BPF; f != nil {
			prog.AttachProg = f.ProgID
		}
	}
	for _, pt := range pi.Points {
		prog.Cookies = append(prog.Cookies, uint64(len(c.obj.ProbeNames)))
		c.obj.ProbeNames = append(c.obj.ProbeNames, pt.Name)
	}
	g := c.generateDispatching(pi, prog)
	if g == nil {
		return
	}
	prog.Insns, prog.Spans = g.finish()
	prog.FuncName = FuncName(prog.Name, len(c.obj.Programs)+1)
	prog.Insns[0] = btf.WithFuncMetadata(prog.Insns[0], mainFunc(prog.FuncName))
	c.obj.Programs = append(c.obj.Programs, prog)
}

// supportedKinds names the probe kinds gbt compiles, for the hint of
// those it does not.
func supportedKinds() []string {
	var names []string
	for _, k := range probe.Kinds() {
		if k.Supported {
			names = append(names, k.Name)
		}
	}
	return names
}

// sameArgs reports whether every record has the same fields at the same
// offsets with the same types.
func sameArgs(recs []*types.Type) bool {
	for _, r := range recs[1:] {
		if r == nil || recs[0] == nil || len(r.Fields) != len(recs[0].Fields) {
			return false
		}
		for i, f := range r.Fields {
			g := recs[0].Fields[i]
			if f.Name != g.Name || f.Offset != g.Offset || !f.Type.Equal(g.Type) {
				return false
			}
		}
	}
	return true
}

// unsupported is the panic value of a construct gbt cannot compile yet; the
// generator turns it into a diagnostic for the probe.
type unsupported struct {
	span  ast.Span
	msg   string
	hint  string
	frame bool // the frame overflowed: scratch memory may make it fit
}

// gen generates one program.
type gen struct {
	c       *compiler
	pi      *check.ProbeInfo
	prog    *Program
	insns   asm.Instructions
	spans   []ast.Span
	cur     ast.Span
	at      ast.Span // the expression being evaluated, for diagnostics
	atOpen  ast.Pos  // the '(' where bpftrace 0.17's position of at starts, if any (parenStart)
	labels  int
	pending []string          // labels waiting for the next instruction
	alias   map[string]string // label → label it shares an instruction with
	frame   int               // bytes of stack in use
	maxUse  int
	sc      scratchUse       // big values in scratch memory (frame.go)
	vars    map[string]int16 // frame offset of each $variable
	cache   *mapCache        // the body's map reads that reuse the predicate's (mapcache.go)
	free    []asm.Register   // callee-saved registers available for values
	spare   []asm.Register   // registers lent while their holders do not need them (lend)
	lent    []asm.Register   // spare registers taken
	loops   []loopLabels
	exitL   string
	retL    string // the program's return of R0 (after exitL's R0 = 0), once a return uses it
	// callbacks are the subprograms the program passes to helpers;
	// bodies, those compiled from for loops.
	callbacks []string
	bodies    []*body
	fn        string              // the function being generated: "" for the program, else a callback's name
	calls     map[string][]string // the callbacks each function passes to helpers (callstack.go)
	used      map[string]bool     // the maps the program refers to
}

type loopLabels struct{ brk, cont string }

const ctxReg = asm.R6

func newGen(c *compiler, pi *check.ProbeInfo, prog *Program) *gen {
	return &gen{c: c, pi: pi, prog: prog, alias: map[string]string{}, vars: map[string]int16{},
		free: []asm.Register{asm.R9, asm.R8, asm.R7}, calls: map[string][]string{}, sc: scratchUse{least: scratchObject}}
}

func (g *gen) fail(n ast.Node, format string, args ...any) {
	panic(unsupported{span: n.NodeSpan(), msg: fmt.Sprintf(format, args...)})
}

// run generates the program body; it reports whether it succeeded, or
// that the frame overflowed while smaller values could still go to
// scratch memory (tooBig, with no diagnostic given).
func (g *gen) run() (ok, tooBig bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(notDispatchable); ok {
				g.c.undispatchable = true
				return
			}
			u, isU := r.(unsupported)
			if !isU {
				panic(r)
			}
			if u.frame && (!g.sc.on || g.sc.least > scratchSizes[len(scratchSizes)-1]) {
				tooBig = true // generate tries again with (more) values in scratch memory
				return
			}
			g.c.diags.Errorf(u.span, "%s", u.msg).Hint = u.hint
			ok = false
		}
	}()
	g.exitL, g.retL = g.Label(), ""
	g.cur = g.pi.Probe.Points[0].Span
	g.Emit(asm.Mov.Reg(ctxReg, asm.R1))
	if g.prog.Syscalls != nil {
		g.syscallFilter()
	}
	g.sc.baseInsn = g.scratchBase()
	// $variables live in the frame for the whole program; zero them so a
	// read on a path that did not assign is defined.
	g.allocVars()
	g.planMapCache()
	if off := g.pi.Kind.LastCallSlot; off > 0 {
		// An iterator's last call has no object: the block runs for
		// objects only, as bpftrace's returns when a context field it
		// reads is NULL.
		g.Emit(asm.LoadMem(asm.R0, ctxReg, off, asm.DWord), asm.JEq.Imm(asm.R0, 0, g.exitL))
	}
	if g.c.opts.PID > 0 && g.pi.Kind.PIDFilter == probe.PIDFilterInProgram {
		// -p: as bpftrace's pid filter, before the predicate.
		g.Emit(asm.FnGetCurrentPidTgid.Call(), asm.RSh.Imm(asm.R0, 32), asm.JNE.Imm(asm.R0, int32(g.c.opts.PID), g.exitL))
	}
	if g.c.opts.Cgroup != "" && g.pi.Kind.FiresInTask() {
		// --cgroup, --container: bpf_current_task_under_cgroup is 1 for
		// a task in the cgroup of the map's element 0 or in one below it.
		g.Emit(g.mapPtr(asm.R1, cgroupMap), asm.Mov.Imm(asm.R2, 0), asm.FnCurrentTaskUnderCgroup.Call(),
			asm.JNE.Imm(asm.R0, 1, g.exitL))
	}
	if p := g.pi.Probe.Predicate; p != nil {
		g.cur = spanOf(p)
		g.jumpUnless(p, g.exitL)
	}
	g.block(g.pi.Probe.Body)
	g.Place(g.exitL)
	g.Emit(asm.Mov.Imm(asm.R0, 0))
	if g.retL != "" {
		g.Place(g.retL)
	}
	g.Emit(asm.Return())
	g.rebase()
	g.emitCallbacks()
	return true, false
}

func (g *gen) allocVars() {
	names := make([]string, 0, len(g.pi.Vars))
	for n := range g.pi.Vars {
		names = append(names, n)
	}
	sort.Strings(names)
	var atLoop map[string]bool
	if g.sc.on {
		atLoop = g.loopHomes() // homed by their loops (loopscratch.go)
	}
	for _, n := range names {
		if atLoop[n] {
			continue
		}
		t := g.pi.Vars[n].Type
		size := t.ByteSize()
		if size == 0 {
			size = 8
		}
		off := g.Alloc(size)
		g.vars[n] = off
		g.zero(off, size)
	}
}

// finish resolves label aliases and drops instructions no path reaches
// (the verifier rejects unreachable code, e.g. after exit()).
func (g *gen) finish() (asm.Instructions, []ast.Span) {
	sym := map[string]int{}
	for i := range g.insns {
		if ref := g.insns[i].Reference(); ref != "" {
			if a, ok := g.alias[ref]; ok {
				g.insns[i] = g.insns[i].WithReference(a)
			}
		}
		if s := g.insns[i].Symbol(); s != "" {
			sym[s] = i
		}
	}
	// A callback is reached where a reached instruction loads its address
	// (or calls it): one only dead code refers to goes too, for the kernel
	// counts a program's functions from their references and refuses
	// function info for more.
	reach := make([]bool, len(g.insns))
	work := []int{0}
	for len(work) > 0 {
		i := work[len(work)-1]
		work = work[:len(work)-1]
		if i >= len(g.insns) || reach[i] {
			continue
		}
		reach[i] = true
		ins := g.insns[i]
		if ins.IsLoadOfFunctionPointer() || ins.IsFunctionCall() {
			work = append(work, sym[ins.Reference()])
		}
		op := ins.OpCode.JumpOp()
		switch {
		case ins.OpCode.Class().IsJump() && op == asm.Exit:
		case ins.OpCode.Class().IsJump() && op == asm.Ja:
			work = append(work, sym[ins.Reference()])
		case ins.OpCode.Class().IsJump() && op != asm.Call && ins.Reference() != "":
			work = append(work, sym[ins.Reference()], i+1)
		default:
			work = append(work, i+1)
		}
	}
	insns := g.insns[:0]
	spans := g.spans[:0]
	for i, ins := range g.insns {
		if reach[i] {
			insns = append(insns, ins)
			spans = append(spans, g.spans[i])
		}
	}
	return peephole(insns, spans)
}

// Emit implements stdlib.Gen.
func (g *gen) Emit(insns ...asm.Instruction) {
	for _, ins := range insns {
		if len(g.pending) > 0 {
			ins = ins.WithSymbol(g.pending[0])
			for _, l := range g.pending[1:] {
				g.alias[l] = g.pending[0]
			}
			g.pending = g.pending[:0]
		}
		g.insns = append(g.insns, ins)
		span := g.cur
		if (ins.IsBuiltinCall() || ins.IsKfuncCall()) && g.at != (ast.Span{}) {
			// A helper (or kernel function) the kernel refuses for this
			// program is reported at the expression that calls it, as
			// bpftrace does.
			span = g.at
		}
		g.spans = append(g.spans, span)
	}
}

// Label implements stdlib.Gen.
func (g *gen) Label() string {
	g.labels++
	return fmt.Sprintf("L%d", g.labels)
}

// Place implements stdlib.Gen.
func (g *gen) Place(l string) { g.pending = append(g.pending, l) }

func (g *gen) reg() asm.Register {
	if len(g.free) == 0 && len(g.spare) > 0 {
		r := g.spare[len(g.spare)-1]
		g.spare = g.spare[:len(g.spare)-1]
		g.lent = append(g.lent, r)
		return r
	}
	if len(g.free) == 0 {
		panic(unsupported{span: g.cur, msg: "expression too complex: out of registers (split it with $variables)"})
	}
	r := g.free[len(g.free)-1]
	g.free = g.free[:len(g.free)-1]
	return r
}

func (g *gen) release(r asm.Register) {
	if i := slices.Index(g.lent, r); i >= 0 {
		g.lent = slices.Delete(g.lent, i, i+1)
		g.spare = append(g.spare, r)
		return
	}
	g.free = append(g.free, r)
}

// lend lets the code f emits take dst once no other register is free:
// dst is its holder's, which does not need it until f is done (an
// operation's destination while its operands are computed). Taken, it is
// given back before f returns, as every register f's code takes.
func (g *gen) lend(dst asm.Register, f func()) {
	if dst < asm.R6 || dst > asm.R9 {
		f() // a helper's argument register, which f's calls clobber
		return
	}
	g.spare = append(g.spare, dst)
	f()
	if n := len(g.spare); n == 0 || g.spare[n-1] != dst {
		panic(fmt.Sprintf("codegen: lent register %v not given back", dst))
	}
	g.spare = g.spare[:len(g.spare)-1]
}

// TypeOf implements stdlib.Gen.
func (g *gen) TypeOf(e ast.Expr) types.Type { return g.c.info.TypeOf(g.pi, e) }

// Const implements stdlib.Gen.
func (g *gen) Const(e ast.Expr) (int64, bool) { return g.c.info.ConstOf(g.pi, e) }

// StrLit implements stdlib.Gen.
func (g *gen) StrLit(e ast.Expr) string {
	s, ok := g.c.info.StrLit(e)
	if !ok {
		g.fail(e, "a string literal was expected (the checker took it as one)")
	}
	return s
}

// kernelField returns the field of a kernel record that f reads.
func (g *gen) kernelField(f *ast.Field) (types.Field, bool) { return g.c.info.FieldOf(g.pi, f) }

// NumCPUs implements stdlib.Gen.
func (g *gen) NumCPUs() int { return g.c.opts.NumCPUs }

// ChildPID implements stdlib.Gen.
func (g *gen) ChildPID() int { return g.c.opts.ChildPID }

func (g *gen) mapPtr(dst asm.Register, name string) asm.Instruction {
	if !g.used[name] {
		if len(g.used) == maxUsedMaps {
			// The verifier would refuse the program, but only after
			// every map of the script is made in the kernel: with
			// thousands of maps, many seconds later.
			panic(unsupported{span: g.cur, msg: fmt.Sprintf(
				"The total number of maps per program has reached the limit of %d: this probe uses more maps (its own and gbt's) than the kernel lets one BPF program use", maxUsedMaps),
				hint: "keep related values in one map under different keys: @m[\"a\"] = 1; @m[\"b\"] = 2"})
		}
		if g.used == nil {
			g.used = map[string]bool{}
		}
		g.used[name] = true
	}
	return asm.LoadMapPtr(dst, 0).WithReference(g.c.maps[name].Spec.Name)
}

// mapValue loads the address of byte off of the first value of array map
// name into dst (a direct value load: no lookup, no null check).
func (g *gen) mapValue(dst asm.Register, name string, off uint32) asm.Instruction {
	g.mapPtr(dst, name) // counts the map as used
	return asm.LoadMapValue(dst, 0, off).WithReference(g.c.maps[name].Spec.Name)
}

// maxUsedMaps is the kernel's MAX_USED_MAPS: the most maps one BPF
// program may refer to.
const maxUsedMaps = 64

// zero writes size zero bytes at R10+off. From an 8-byte aligned offset it
// writes whole words, up to 7 bytes past size: frame objects are rounded to
// 8, and the parts of a key, tuple or record are written in order, so those
// bytes are padding or written again next. Elsewhere (a tuple element after
// a short string) it writes exactly size bytes in aligned pieces.
func (g *gen) zero(off int16, size int) {
	if off%8 == 0 {
		size = (size + 7) &^ 7 // whole words from an aligned offset
	}
	g.zeroExact(off, size)
}

// zeroExact zeroes size bytes at R10+off and not one more, in the widest
// stores the offset's alignment allows.
func (g *gen) zeroExact(off int16, size int) {
	g.Emit(asm.Mov.Imm(asm.R0, 0))
	for i := 0; i < size; {
		n, sz := chunk(int(off)+i, int(off)+i, size-i)
		g.Emit(asm.StoreMem(asm.R10, off+int16(i), asm.R0, sz))
		i += n
	}
}

// piece is the store storeBytes makes at byte i of size bytes at
// R10+off: a word from an aligned offset, else the widest aligned access
// that fits.
func (g *gen) piece(off int16, i, size int) (int, asm.Size) {
	if off%8 == 0 {
		return 8, asm.DWord
	}
	return chunk(int(off)+i, int(off)+i, size-i)
}

// addr loads R10+off into dst.
func (g *gen) addr(dst asm.Register, off int16) {
	g.Emit(asm.Mov.Reg(dst, asm.R10), asm.Add.Imm(dst, int32(off)))
}

// copyFrame copies size bytes from src+soff to R10+doff, in the widest
// loads and stores the offsets' alignment allows (src, a frame or map value
// pointer, is 8-byte aligned; the verifier rejects misaligned stack access).
func (g *gen) copyFrame(doff int16, src asm.Register, soff int16, size int) {
	for i := 0; i < size; {
		n, sz := chunk(int(doff)+i, int(soff)+i, size-i)
		g.Emit(asm.LoadMem(asm.R1, src, soff+int16(i), sz), asm.StoreMem(asm.R10, doff+int16(i), asm.R1, sz))
		i += n
	}
}

// chunk returns the widest access (8, 4, 2 or 1 bytes) that is aligned at
// both offsets and fits in left bytes.
func chunk(a, b, left int) (int, asm.Size) {
	for _, c := range []struct {
		n  int
		sz asm.Size
	}{{8, asm.DWord}, {4, asm.Word}, {2, asm.Half}} {
		if left >= c.n && a%c.n == 0 && b%c.n == 0 {
			return c.n, c.sz
		}
	}
	return 1, asm.Byte
}

func spanOf(n ast.Node) ast.Span { return n.NodeSpan() }

// entry returns the stdlib entry a call or identifier resolved to.
func (g *gen) entry(e ast.Expr) *stdlib.Entry { return g.c.entry(e) }

// entry returns the builtin e names, if any.
func (c *compiler) entry(e ast.Expr) *stdlib.Entry {
	b, ok := c.info.Builtins[e]
	if !ok {
		return nil
	}
	return c.table.Entry(b.BuiltinName())
}

// intEmitter returns the integer emitter of the builtin e names, if any.
func (g *gen) intEmitter(e ast.Expr) (stdlib.IntEmitter, bool) {
	if ent := g.entry(e); ent != nil {
		return ent.IntOf()
	}
	return nil, false
}
