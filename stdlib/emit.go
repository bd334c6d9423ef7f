package stdlib

import (
	"encoding/binary"
	"fmt"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// Gen is what emitters may ask of the code generator. Registers R1-R5 and
// R0 are free scratch between helper calls; R6 holds the context.
type Gen interface {
	// Emit appends instructions to the current program.
	Emit(insns ...asm.Instruction)
	// Label returns a fresh jump label; Place binds it to the next instruction.
	Label() string
	Place(label string)
	// EvalInt evaluates an integer expression into dst.
	EvalInt(e ast.Expr, dst asm.Register)
	// EvalMem evaluates a value of type t into the frame at R10+off.
	EvalMem(e ast.Expr, t types.Type, off int16)
	// Alloc reserves size bytes of frame for the current statement.
	Alloc(size int) int16
	// TypeOf returns the checked type of an expression.
	TypeOf(e ast.Expr) types.Type
	// Const returns a folded constant.
	Const(e ast.Expr) (int64, bool)
	// NumCPUs is the number of possible CPUs.
	NumCPUs() int
	// ChildPID is the pid of the -c command (0 without -c).
	ChildPID() int
	// ProbeID loads the index of the running probe's name into dst.
	ProbeID(dst asm.Register)
	// Retval loads the return value of the probed function.
	Retval(dst asm.Register)
	// FuncIP loads the address of the probed function (func).
	FuncIP(dst asm.Register)
	// ReadMem copies size bytes from the address ptr evaluates to into
	// R10+off (user or kernel memory, by the pointer and the probe).
	ReadMem(ptr ast.Expr, off int16, size int)
	// StackArg loads stack argument i (sargN) of the probed function.
	StackArg(i int, dst asm.Register)
	// Arg loads argument i of the probed function or raw tracepoint.
	Arg(i int, dst asm.Register)
	// Reg loads a pt_regs register of a kprobe/uprobe context into dst.
	Reg(name string, dst asm.Register)
	// Stack loads the id of the current stack of type t (kstack or ustack,
	// with its depth) into dst.
	Stack(t types.Type, dst asm.Register)
	// ElapsedBase loads the start time (ktime ns) into dst.
	ElapsedBase(dst asm.Register)
	// Statement-level operations that need maps and events.
	Printf(c *ast.Call)
	// FormatEvent sends a printf-style event of another kind (system, cat).
	FormatEvent(kind FormatKind, c *ast.Call)
	// Time sends a time(fmt) event.
	Time(c *ast.Call)
	Exit()
	MapOp(op MapOpKind, c *ast.Call)
	// MapQuery computes a fact about a map into dst.
	MapQuery(q MapQueryKind, c *ast.Call, dst asm.Register)
	PrintValue(c *ast.Call)
	Str(c *ast.Call, off int16, size int)
	Strncmp(c *ast.Call, dst asm.Register)
	Buf(c *ast.Call, off int16, size int)
	// Join sends join(arr [, delim]): the strings of a NULL-terminated array.
	Join(c *ast.Call)
	// Unwatch asks user space to remove the watchpoints at an address.
	Unwatch(c *ast.Call)
}

// FormatKind says what user space does with a formatted event.
type FormatKind uint8

// Formatted event kinds.
const (
	FormatSystem FormatKind = iota // run the text as a shell command
	FormatCat                      // print the contents of the named file
)

// MapOpKind is an operation on a whole map or an element.
type MapOpKind uint8

// Map operations.
const (
	OpDelete MapOpKind = iota
	OpClear
	OpZero
	OpPrint
)

// MapQueryKind is a question about a map answered in BPF.
type MapQueryKind uint8

// Map queries.
const (
	QueryHasKey MapQueryKind = iota // has_key(@m, key): 1 or 0
	QueryLen                        // len(@m): the number of elements
)

// Emitter kinds: an entry has at most one.
type (
	// IntEmitter computes an integer value into dst (variables and
	// functions with integer results).
	IntEmitter func(g Gen, c *ast.Call, dst asm.Register)
	// MemEmitter writes a value of the entry's type at R10+off (strings).
	MemEmitter func(g Gen, c *ast.Call, off int16, size int)
	// StmtEmitter generates a statement call without a value (printf, exit).
	StmtEmitter func(g Gen, c *ast.Call)
	// AggEmitter updates an aggregation value in place: ptr points at this
	// CPU's value, val holds the argument (if any).
	AggEmitter func(g Gen, c *ast.Call, ptr, val asm.Register)
)

// SplitEmitter serves an entry whose values are integers in some probes
// and memory values in others (func: a ksym in kprobes, a usym in uprobes).
type SplitEmitter struct {
	Int IntEmitter
	Mem MemEmitter
}

// storePid stores the current process id (tgid) at R10+off.
func storePid(g Gen, off int16) {
	g.Emit(asm.FnGetCurrentPidTgid.Call(), asm.RSh.Imm(asm.R0, 32), asm.StoreMem(asm.R10, off, asm.R0, asm.DWord))
}

// Emitter is one of the emitter kinds above (nil: not compiled yet).
type Emitter any

// argEmitter evaluates a builtin's only argument (the checker gave it a
// new type).
var argEmitter = IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) { g.EvalInt(c.Args[0], dst) })

// strcontainsEmit sets dst to 1 if the string contains the literal: at
// each position until the string's NUL, the literal's bytes are compared
// in turn (unrolled: the literal is short and the string bounded).
func strcontainsEmit(g Gen, c *ast.Call, dst asm.Register) {
	st := g.TypeOf(c.Args[0])
	lit, ok := c.Args[1].(*ast.StrLit)
	if !ok {
		strcontainsLoop(g, c, dst)
		return
	}
	needle := lit.Value
	if needle == "" {
		g.Emit(asm.Mov.Imm(dst, 1))
		return
	}
	off := g.Alloc(st.ByteSize())
	g.EvalMem(c.Args[0], st, off)
	found, missing, done := g.Label(), g.Label(), g.Label()
	for i := 0; i+len(needle) <= st.Size; i++ {
		next := g.Label()
		g.Emit(asm.LoadMem(asm.R1, asm.R10, off+int16(i), asm.Byte), asm.JEq.Imm(asm.R1, 0, missing))
		for k := 0; k < len(needle); k++ {
			if k > 0 {
				g.Emit(asm.LoadMem(asm.R1, asm.R10, off+int16(i+k), asm.Byte))
			}
			g.Emit(asm.JNE.Imm(asm.R1, int32(needle[k]), next))
		}
		g.Emit(asm.Ja.Label(found))
		g.Place(next)
	}
	g.Place(missing)
	g.Emit(asm.Mov.Imm(dst, 0), asm.Ja.Label(done))
	g.Place(found)
	g.Emit(asm.Mov.Imm(dst, 1))
	g.Place(done)
}

// strcontainsLoop searches a string for another string known only when
// the probe runs, with two bounded loops over the frame copies: at each
// start i in the haystack, compare needle bytes k until the needle's NUL
// (found), a mismatch (next i) or the haystack's end (not found: no later
// start can match). Scratch registers only; the result goes through R0.
func strcontainsLoop(g Gen, c *ast.Call, dst asm.Register) {
	ht, nt := g.TypeOf(c.Args[0]), g.TypeOf(c.Args[1])
	hoff := g.Alloc(ht.ByteSize())
	g.EvalMem(c.Args[0], ht, hoff)
	noff := g.Alloc(nt.ByteSize())
	g.EvalMem(c.Args[1], nt, noff)
	outer, inner, next, found, missing, done := g.Label(), g.Label(), g.Label(), g.Label(), g.Label(), g.Label()
	i, k, p, h, n := asm.R1, asm.R2, asm.R3, asm.R4, asm.R5
	g.Emit(asm.Mov.Imm(i, 0))
	g.Place(outer)
	g.Emit(asm.JGE.Imm(i, int32(ht.Size), missing), asm.Mov.Imm(k, 0))
	g.Place(inner)
	g.Emit(
		asm.JGE.Imm(k, int32(nt.Size), found), // a needle without its NUL
		asm.Mov.Reg(p, asm.R10), asm.Add.Imm(p, int32(noff)), asm.Add.Reg(p, k), asm.LoadMem(n, p, 0, asm.Byte),
		asm.JEq.Imm(n, 0, found),
		asm.Mov.Reg(h, i), asm.Add.Reg(h, k), asm.JGE.Imm(h, int32(ht.Size), missing),
		asm.Mov.Reg(p, asm.R10), asm.Add.Imm(p, int32(hoff)), asm.Add.Reg(p, h), asm.LoadMem(h, p, 0, asm.Byte),
		asm.JEq.Imm(h, 0, missing),
		asm.JNE.Reg(h, n, next),
		asm.Add.Imm(k, 1), asm.Ja.Label(inner),
	)
	g.Place(next)
	g.Emit(asm.Add.Imm(i, 1), asm.Ja.Label(outer))
	g.Place(missing)
	g.Emit(asm.Mov.Imm(asm.R0, 0), asm.Ja.Label(done))
	g.Place(found)
	g.Emit(asm.Mov.Imm(asm.R0, 1))
	g.Place(done)
	g.Emit(asm.Mov.Reg(dst, asm.R0))
}

// debugfEmit calls bpf_trace_printk(fmt, size, a, b, c): the format and
// any string values are copied to the frame, integer values are parked
// there while the others are computed, then loaded into R3-R5.
func debugfEmit(g Gen, c *ast.Call) {
	format := c.Args[0].(*ast.StrLit).Value
	ft := types.StringOf(len(format) + 1)
	foff := g.Alloc(ft.ByteSize())
	g.EvalMem(c.Args[0], ft, foff)
	slots := make([]int16, len(c.Args)-1)
	strs := make([]bool, len(c.Args)-1)
	for i, a := range c.Args[1:] {
		t := g.TypeOf(a)
		if t.Kind == types.String {
			slots[i] = g.Alloc(t.ByteSize())
			strs[i] = true
			g.EvalMem(a, t, slots[i])
			continue
		}
		slots[i] = g.Alloc(8)
		g.EvalInt(a, asm.R1)
		g.Emit(asm.StoreMem(asm.R10, slots[i], asm.R1, asm.DWord))
	}
	for i, off := range slots {
		r := asm.R3 + asm.Register(i)
		if strs[i] {
			g.Emit(asm.Mov.Reg(r, asm.R10), asm.Add.Imm(r, int32(off)))
		} else {
			g.Emit(asm.LoadMem(r, asm.R10, off, asm.DWord))
		}
	}
	g.Emit(asm.Mov.Reg(asm.R1, asm.R10), asm.Add.Imm(asm.R1, int32(foff)), asm.Mov.Imm(asm.R2, int32(len(format)+1)), asm.FnTracePrintk.Call())
}

func helperInt(fn asm.BuiltinFunc, post ...asm.Instruction) IntEmitter {
	return func(g Gen, _ *ast.Call, dst asm.Register) {
		g.Emit(fn.Call())
		g.Emit(post...)
		g.Emit(asm.Mov.Reg(dst, asm.R0))
	}
}

// stackEmitter takes the current kernel or user stack: bare names are
// bpftrace mode at full depth; calls carry their type.
func stackEmitter(user bool) IntEmitter {
	return func(g Gen, c *ast.Call, dst asm.Register) {
		t := types.StackOf(user, false, MaxStackDepth)
		if c != nil {
			t = g.TypeOf(c)
		}
		g.Stack(t, dst)
	}
}

// attachEmitters fills in the code emitters of the entries.
func attachEmitters(es []*Entry) {
	emit := map[string]Emitter{
		"pid":     helperInt(asm.FnGetCurrentPidTgid, asm.RSh.Imm(asm.R0, 32)),
		"tid":     helperInt(asm.FnGetCurrentPidTgid, asm.LSh.Imm(asm.R0, 32), asm.RSh.Imm(asm.R0, 32)),
		"uid":     helperInt(asm.FnGetCurrentUidGid, asm.LSh.Imm(asm.R0, 32), asm.RSh.Imm(asm.R0, 32)),
		"gid":     helperInt(asm.FnGetCurrentUidGid, asm.RSh.Imm(asm.R0, 32)),
		"nsecs":   helperInt(asm.FnKtimeGetNs),
		"cpu":     helperInt(asm.FnGetSmpProcessorId),
		"cgroup":  helperInt(asm.FnGetCurrentCgroupId),
		"rand":    helperInt(asm.FnGetPrandomU32),
		"jiffies": helperInt(asm.FnJiffies64),
		"curtask": helperInt(asm.FnGetCurrentTask),
		"numcpus": IntEmitter(func(g Gen, _ *ast.Call, dst asm.Register) {
			g.Emit(asm.Mov.Imm(dst, int32(g.NumCPUs())))
		}),
		"elapsed": IntEmitter(func(g Gen, _ *ast.Call, dst asm.Register) {
			g.ElapsedBase(dst)
			g.Emit(asm.FnKtimeGetNs.Call(), asm.Sub.Reg(asm.R0, dst), asm.Mov.Reg(dst, asm.R0))
		}),
		"probe": IntEmitter(func(g Gen, _ *ast.Call, dst asm.Register) { g.ProbeID(dst) }),
		"cpid": IntEmitter(func(g Gen, _ *ast.Call, dst asm.Register) {
			g.Emit(asm.Mov.Imm(dst, int32(g.ChildPID())))
		}),
		"reg": IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) {
			g.Reg(c.Args[0].(*ast.StrLit).Value, dst)
		}),
		"kstack": stackEmitter(false),
		"ustack": stackEmitter(true),
		// ksym(addr) carries the address; user space names it.
		"ksym": IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) { g.EvalInt(c.Args[0], dst) }),
		// usym(addr) carries the address and the process id.
		"usym": MemEmitter(func(g Gen, c *ast.Call, off int16, _ int) {
			g.EvalMem(c.Args[0], types.U64, off)
			storePid(g, off+8)
		}),
		// func is the probed function: the symbol of the instruction
		// pointer at entry, a ksym in kernel probes, a usym in uprobes.
		"func": SplitEmitter{
			Int: func(g Gen, _ *ast.Call, dst asm.Register) { g.FuncIP(dst) },
			Mem: func(g Gen, _ *ast.Call, off int16, _ int) {
				g.FuncIP(asm.R0)
				g.Emit(asm.StoreMem(asm.R10, off, asm.R0, asm.DWord))
				storePid(g, off+8)
			},
		},
		// username carries the uid; user space looks the name up.
		"username": helperInt(asm.FnGetCurrentUidGid, asm.LSh.Imm(asm.R0, 32), asm.RSh.Imm(asm.R0, 32)),
		"comm": MemEmitter(func(g Gen, _ *ast.Call, off int16, size int) {
			n := min(size, 16)
			g.Emit(
				asm.Mov.Reg(asm.R1, asm.R10), asm.Add.Imm(asm.R1, int32(off)),
				asm.Mov.Imm(asm.R2, int32(n)),
				asm.FnGetCurrentComm.Call(),
			)
		}),
		"printf": StmtEmitter(func(g Gen, c *ast.Call) { g.Printf(c) }),
		"system": StmtEmitter(func(g Gen, c *ast.Call) { g.FormatEvent(FormatSystem, c) }),
		"cat":    StmtEmitter(func(g Gen, c *ast.Call) { g.FormatEvent(FormatCat, c) }),
		"time":   StmtEmitter(func(g Gen, c *ast.Call) { g.Time(c) }),
		"signal": StmtEmitter(signalEmit),
		"exit":   StmtEmitter(func(g Gen, _ *ast.Call) { g.Exit() }),
		"delete": StmtEmitter(func(g Gen, c *ast.Call) { g.MapOp(OpDelete, c) }),
		"clear":  StmtEmitter(func(g Gen, c *ast.Call) { g.MapOp(OpClear, c) }),
		"zero":   StmtEmitter(func(g Gen, c *ast.Call) { g.MapOp(OpZero, c) }),
		"print":  StmtEmitter(printEmit),
		"str":    MemEmitter(func(g Gen, c *ast.Call, off int16, size int) { g.Str(c, off, size) }),
		"ntop":   MemEmitter(ntopEmit),
		"macaddr": MemEmitter(func(g Gen, c *ast.Call, off int16, _ int) {
			if t := g.TypeOf(c.Args[0]); t.Kind == types.Array {
				g.EvalMem(c.Args[0], t, off)
				return
			}
			g.ReadMem(c.Args[0], off, 6)
		}),
		"bswap": IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) {
			g.EvalInt(c.Args[0], dst)
			if bits := g.TypeOf(c.Args[0]).Bits; bits > 8 {
				// BPF_END to big endian swaps bytes on this little-endian
				// target, zero-extending the narrower sizes.
				g.Emit(asm.HostTo(asm.BE, dst, map[int]asm.Size{16: asm.Half, 32: asm.Word, 64: asm.DWord}[bits]))
			}
		}),
		"buf":      MemEmitter(func(g Gen, c *ast.Call, off int16, size int) { g.Buf(c, off, size) }),
		"strncmp":  IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) { g.Strncmp(c, dst) }),
		"join":     StmtEmitter(func(g Gen, c *ast.Call) { g.Join(c) }),
		"has_key":  IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) { g.MapQuery(QueryHasKey, c, dst) }),
		"len":      IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) { g.MapQuery(QueryLen, c, dst) }),
		"strftime": IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) { g.EvalInt(c.Args[1], dst) }),
		// These retype or label a value that user space renders.
		"uptr":        argEmitter,
		"kptr":        argEmitter,
		"strerror":    argEmitter,
		"cgroup_path": argEmitter,
		"pton": MemEmitter(func(g Gen, c *ast.Call, off int16, _ int) {
			b, _ := PtonBytes(c.Args[0].(*ast.StrLit).Value) // checked
			for i := 0; i < len(b); i += 4 {
				g.Emit(asm.StoreImm(asm.R10, off+int16(i), int64(int32(binary.LittleEndian.Uint32(b[i:]))), asm.Word))
			}
		}),
		"strcontains": IntEmitter(strcontainsEmit),
		"debugf":      StmtEmitter(debugfEmit),
		"unwatch":     StmtEmitter(func(g Gen, c *ast.Call) { g.Unwatch(c) }),
		"override": StmtEmitter(func(g Gen, c *ast.Call) {
			g.EvalInt(c.Args[0], asm.R2)
			g.Emit(asm.Mov.Reg(asm.R1, asm.R6), asm.FnOverrideReturn.Call())
		}),

		"count": AggEmitter(func(g Gen, _ *ast.Call, ptr, _ asm.Register) { addWord(g, ptr, 0, 1) }),
		"sum": AggEmitter(func(g Gen, _ *ast.Call, ptr, val asm.Register) {
			g.Emit(asm.LoadMem(asm.R1, ptr, 0, asm.DWord), asm.Add.Reg(asm.R1, val), asm.StoreMem(ptr, 0, asm.R1, asm.DWord))
		}),
		"avg":   AggEmitter(sumCount),
		"stats": AggEmitter(sumCount),
		"min":   AggEmitter(extreme(asm.JSLT, asm.JLT)),
		"max":   AggEmitter(extreme(asm.JSGT, asm.JGT)),
		"hist":  AggEmitter(histEmit),
		"lhist": AggEmitter(lhistEmit),
	}
	for i := 0; i < 10; i++ {
		emit[fmt.Sprintf("arg%d", i)] = IntEmitter(func(g Gen, _ *ast.Call, dst asm.Register) { g.Arg(i, dst) })
		emit[fmt.Sprintf("sarg%d", i)] = IntEmitter(func(g Gen, _ *ast.Call, dst asm.Register) { g.StackArg(i, dst) })
	}
	emit["retval"] = IntEmitter(func(g Gen, _ *ast.Call, dst asm.Register) { g.Retval(dst) })
	for _, e := range es {
		if em, ok := emit[e.Name]; ok {
			e.Emit = em
		}
	}
}

func printEmit(g Gen, c *ast.Call) {
	if m, ok := c.Args[0].(*ast.MapRef); ok && m.Keys == nil {
		g.MapOp(OpPrint, c)
		return
	}
	g.PrintValue(c)
}

// addWord adds an immediate to the u64 at ptr+off.
func addWord(g Gen, ptr asm.Register, off int16, v int32) {
	g.Emit(asm.LoadMem(asm.R1, ptr, off, asm.DWord), asm.Add.Imm(asm.R1, v), asm.StoreMem(ptr, off, asm.R1, asm.DWord))
}

// sumCount updates {sum, count} (avg and stats).
func sumCount(g Gen, _ *ast.Call, ptr, val asm.Register) {
	g.Emit(asm.LoadMem(asm.R1, ptr, 0, asm.DWord), asm.Add.Reg(asm.R1, val), asm.StoreMem(ptr, 0, asm.R1, asm.DWord))
	addWord(g, ptr, 8, 1)
}

// extreme updates {value, set} for min (less) and max (greater).
func extreme(signedJump, unsignedJump asm.JumpOp) AggEmitter {
	return func(g Gen, c *ast.Call, ptr, val asm.Register) {
		jump := unsignedJump
		if g.TypeOf(c.Args[0]).Signed {
			jump = signedJump
		}
		store := g.Label()
		done := g.Label()
		g.Emit(
			asm.LoadMem(asm.R1, ptr, 8, asm.DWord),
			asm.JEq.Imm(asm.R1, 0, store),
			asm.LoadMem(asm.R1, ptr, 0, asm.DWord),
			jump.Reg(val, asm.R1, store),
			asm.Ja.Label(done),
		)
		g.Place(store)
		g.Emit(asm.StoreMem(ptr, 0, val, asm.DWord), asm.Mov.Imm(asm.R1, 1), asm.StoreMem(ptr, 8, asm.R1, asm.DWord))
		g.Place(done)
	}
}

// histEmit increments the log2 bucket of val (see types.HistBucket):
// negative → 0, 0 → 1, else floor(log2(v)) + 2, found by binary search.
func histEmit(g Gen, _ *ast.Call, ptr, val asm.Register) {
	idx := asm.R2
	v := asm.R3
	done := g.Label()
	g.Emit(
		asm.Mov.Imm(idx, 0),
		asm.JSLT.Imm(val, 0, done),
		asm.Mov.Imm(idx, 1),
		asm.JEq.Imm(val, 0, done),
		asm.Mov.Reg(v, val),
		asm.Mov.Imm(idx, 2),
	)
	for _, shift := range []int32{32, 16, 8, 4, 2, 1} {
		skip := g.Label()
		g.Emit(
			asm.Mov.Reg(asm.R4, v),
			asm.RSh.Imm(asm.R4, shift),
			asm.JEq.Imm(asm.R4, 0, skip),
			asm.Mov.Reg(v, asm.R4),
			asm.Add.Imm(idx, shift),
		)
		g.Place(skip)
	}
	g.Place(done)
	bumpBucket(g, ptr, idx, types.HistBuckets)
}

// lhistEmit increments the linear bucket of val (see types.LhistBucket).
func lhistEmit(g Gen, c *ast.Call, ptr, val asm.Register) {
	min, _ := g.Const(c.Args[1])
	max, _ := g.Const(c.Args[2])
	step, _ := g.Const(c.Args[3])
	n := types.LhistBuckets(min, max, step)
	idx := asm.R2
	done := g.Label()
	g.Emit(asm.Mov.Imm(idx, 0))
	g.Emit(asm.JSLT.Imm(val, int32(min), done))
	g.Emit(asm.Mov.Imm(idx, int32(n-1)))
	g.Emit(asm.JSGE.Imm(val, int32(max), done))
	g.Emit(
		asm.Mov.Reg(idx, val),
		asm.Sub.Imm(idx, int32(min)),
		asm.Div.Imm(idx, int32(step)),
		asm.Add.Imm(idx, 1),
	)
	g.Place(done)
	bumpBucket(g, ptr, idx, n)
}

// bumpBucket increments the u64 counter idx of an n-counter array at ptr.
// The bound check on idx lets the verifier accept the variable offset.
func bumpBucket(g Gen, ptr, idx asm.Register, n int) {
	done := g.Label()
	g.Emit(
		asm.JGE.Imm(idx, int32(n), done),
		asm.LSh.Imm(idx, 3),
		asm.Mov.Reg(asm.R1, ptr),
		asm.Add.Reg(asm.R1, idx),
		asm.LoadMem(asm.R3, asm.R1, 0, asm.DWord),
		asm.Add.Imm(asm.R3, 1),
		asm.StoreMem(asm.R1, 0, asm.R3, asm.DWord),
	)
	g.Place(done)
}

// Signal numbers signal() accepts by name (x86-64 Linux).
var signals = map[string]int32{
	"SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGILL": 4, "SIGTRAP": 5, "SIGABRT": 6, "SIGBUS": 7,
	"SIGFPE": 8, "SIGKILL": 9, "SIGUSR1": 10, "SIGSEGV": 11, "SIGUSR2": 12, "SIGPIPE": 13,
	"SIGALRM": 14, "SIGTERM": 15, "SIGCHLD": 17, "SIGCONT": 18, "SIGSTOP": 19, "SIGTSTP": 20,
}

// SignalNumber resolves "KILL", "SIGKILL" or "9".
func SignalNumber(name string) (int32, bool) {
	if n, ok := signals[name]; ok {
		return n, true
	}
	n, ok := signals["SIG"+name]
	return n, ok
}

// signalEmit sends a signal to the current task with bpf_send_signal.
func signalEmit(g Gen, c *ast.Call) {
	if lit, ok := c.Args[0].(*ast.StrLit); ok {
		n, _ := SignalNumber(lit.Value)
		g.Emit(asm.Mov.Imm(asm.R1, n))
	} else {
		g.EvalInt(c.Args[0], asm.R1)
	}
	g.Emit(asm.FnSendSignal.Call())
}

// ntopEmit writes an inet value {u64 af; u8 addr[16]} for ntop([af,] addr)
// with an IPv4 address held in an integer.
// ntopEmit writes an inet value: the address family, then the address (an
// integer IPv4 address, or an array of 4 or 16 bytes).
func ntopEmit(g Gen, c *ast.Call, off int16, _ int) {
	addr := c.Args[len(c.Args)-1]
	at := g.TypeOf(addr)
	if len(c.Args) == 2 {
		g.EvalMem(c.Args[0], types.U64, off)
	} else {
		af := int32(2) // AF_INET
		if ipBytes(at) == 16 {
			af = 10 // AF_INET6
		}
		g.Emit(asm.Mov.Imm(asm.R1, af), asm.StoreMem(asm.R10, off, asm.R1, asm.DWord))
	}
	if ipBytes(at) > 0 {
		g.EvalMem(addr, at, off+8)
		return
	}
	g.EvalMem(addr, types.U32, off+8)
}
