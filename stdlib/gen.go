package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// Gen is the code generator as emitters see it: generic primitives, none
// of them about one builtin. Registers R0-R5 are scratch between helper
// calls; R6 holds the context; values that live across calls go in the
// callee-saved registers TakeReg hands out.
type Gen interface {
	Code
	Frame
	Values
	Maps
	Events
	Context
}

// Code appends instructions to the current program.
type Code interface {
	// Emit appends instructions.
	Emit(insns ...asm.Instruction)
	// Label returns a fresh jump label; Place binds it to the next
	// instruction emitted.
	Label() string
	Place(label string)
	// ExitProbe jumps to the end of the probe.
	ExitProbe()
}

// Frame manages the 512-byte stack frame and the callee-saved registers.
type Frame interface {
	// Alloc reserves size bytes (rounded to 8) for the current statement
	// and returns their offset from R10.
	Alloc(size int) int16
	// Mark and Reset give back what was allocated since Mark.
	Mark() int
	Reset(mark int)
	// Zero writes size zero bytes at R10+off.
	Zero(off int16, size int)
	// Addr loads R10+off into dst.
	Addr(dst asm.Register, off int16)
	// TakeReg returns a free callee-saved register (R7-R9); FreeReg gives
	// it back.
	TakeReg() asm.Register
	FreeReg(r asm.Register)
	// Lend lets the code f emits take dst, the emitter's destination,
	// once no other register is free: an emitter that writes dst only
	// after f (a memory argument evaluated first) lends it, so that an
	// argument nested deep does not run out of registers.
	Lend(dst asm.Register, f func())
}

// Values evaluates the script's expressions.
type Values interface {
	// TypeOf returns the checked type of an expression.
	TypeOf(e ast.Expr) types.Type
	// Const returns a folded constant.
	Const(e ast.Expr) (int64, bool)
	// StrLit returns the text of a string literal argument, as the
	// checker took it (check.Use.StringLit): a literal, or what a folded
	// expression stands for ("ab" + "cd", "abc" + 1).
	StrLit(e ast.Expr) string
	// InRegister reports whether values of t are held in a register
	// (integers and integer-like handles) rather than in memory.
	InRegister(t types.Type) bool
	// LoadConst puts v into dst (a 64-bit load when it needs one).
	LoadConst(dst asm.Register, v int64)
	// EvalInt evaluates an integer expression into dst.
	EvalInt(e ast.Expr, dst asm.Register)
	// EvalMem evaluates a value of type t into the frame at R10+off.
	EvalMem(e ast.Expr, t types.Type, off int16)
	// EvalText evaluates a string of type t that is only printed (what
	// follows its NUL is never read) into the frame at R10+off: a builtin
	// the probe can read where it lies (Entry.InPlace: comm) is copied a
	// word at a time instead of through its helper; anything else as
	// EvalMem does.
	EvalText(e ast.Expr, t types.Type, off int16)
	// Store evaluates e into a slot of type t at R10+off: a register
	// value is stored with t's width, a memory value evaluated in place.
	Store(e ast.Expr, t types.Type, off int16)
	// Space returns the address space a pointer of type ptr points into
	// (user memory in uprobes when the type does not say, none in kinds
	// whose addresses may be either: see ProbeReads).
	Space(ptr types.Type) types.AddrSpace
	// AddrOf puts into dst the address of the value e denotes, when it is
	// a struct or array held in memory (args->file->f_path), and returns
	// its address space; ok is false when e has no address (a value
	// computed into the frame). A field reached through a BTF-typed
	// pointer keeps that pointer's type for the verifier: the address is
	// the pointer plus the field's offset.
	AddrOf(e ast.Expr, dst asm.Register) (as types.AddrSpace, ok bool)
	// InFrame returns where the value e of type t is in the frame: a
	// $variable's own slot, or a zeroed temporary it is evaluated into
	// (scope it with Mark and Reset).
	InFrame(e ast.Expr, t types.Type) int16
	// ReadMem copies size bytes from the address ptr evaluates to into
	// R10+off (user or kernel memory, by the pointer and the probe).
	ReadMem(ptr ast.Expr, off int16, size int)
	// CompareStrings sets dst to 0 if the strings are equal (up to their
	// NUL, or their first limit bytes when limit >= 0), else 1.
	CompareStrings(a, b ast.Expr, limit int, dst asm.Register)
}

// Maps reaches the script's maps.
type Maps interface {
	// MapKey builds the key of m (m.Keys, zero-padded) in a new frame slot
	// and returns its offset. It computes the key's integer parts in via,
	// a register the emitter holds but does not need until the key is
	// built (its destination), so that a key costs no register of its own.
	MapKey(m *ast.MapRef, via asm.Register) int16
	// MapPtr returns the instruction loading a pointer to the map m names
	// into dst (for helper calls); m must be a map the script created.
	MapPtr(dst asm.Register, m *ast.MapRef) asm.Instruction
	// ContinueCallback returns the instruction loading into R2 a callback
	// for bpf_for_each_map_elem that visits every element.
	ContinueCallback() asm.Instruction
}

// Events sends ring-buffer records. A record starts with its 8-byte event
// id; the user-space side of the event's Codec decodes it.
type Events interface {
	// NewEvent registers an event of codec c sent by call and returns it
	// with its id set and its size 8 (the id).
	NewEvent(c *Codec, call *ast.Call) *Event
	// Send copies size bytes at R10+off to the ring buffer, counting a
	// failure as a lost event. The reader is woken when the ring is half
	// full, or at once with force (records user space must act on now).
	Send(off int16, size int, force bool)
	// SendInPlace sends a record too big for the frame (ev.Size bytes):
	// it reserves the record in the ring buffer, puts its address in rec
	// and the event id first, lets fill write the rest (fill jumps to end
	// to stop early), and submits it. A full ring counts a lost event.
	SendInPlace(ev *Event, rec asm.Register, fill func(end string))
	// PerfEvents returns the instruction loading into dst the run's perf
	// event array, for the helpers that send a record with data of their
	// own after it (bpf_skb_output: a header, then the packet), with
	// BPF_F_CURRENT_CPU. User space hands its records to the events'
	// handlers as it does the ring buffer's: the record starts with its
	// 8-byte event id.
	PerfEvents(dst asm.Register) asm.Instruction
	// HelperFailed reports, with -k, that the helper named (in bpftrace's
	// words: "map_delete_elem") that call just made failed: R0 holds its
	// return code. Without -k it emits nothing.
	HelperFailed(helper string, call *ast.Call)
}

// Context reads what the probe and the run give: the probed function's
// arguments, registers and stacks, and constants of the run.
type Context interface {
	// ProbeKind is the kind of probe the program is for.
	ProbeKind() *probe.Kind
	// TaskField returns the offset of a field of the kernel's struct
	// task_struct when this probe may read the current task in place
	// (bpf_get_current_task_btf, whose pointer the verifier lets it load
	// from directly); false otherwise.
	TaskField(field string) (int, bool)
	// NumCPUs is the number of possible CPUs.
	NumCPUs() int
	// Strlen is the size of the strings str() reads (BPFTRACE_STRLEN).
	Strlen() int
	// ChildPID is the pid of the -c command (0 without -c).
	ChildPID() int
	// PidNamespace is the device and inode of gbt's pid namespace, and
	// whether it is one other than the initial namespace.
	PidNamespace() (dev, ino uint64, ok bool)
	// ProbeID loads the index of the running probe's name into dst.
	ProbeID(dst asm.Register)
	// ProbePoints are the attach points the program serves: the index
	// ProbeID loads for each, and its name.
	ProbePoints() []ProbePoint
	// Retval loads the return value of the probed function.
	Retval(dst asm.Register)
	// FuncIP loads the address of the probed function (func).
	FuncIP(dst asm.Register)
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
	// TSeriesClock loads the time tseries() files values by into dst:
	// TAI nanoseconds, or with BPFTRACE_DUMMY_TS_MAP=@m (bpftrace's test
	// hook) the value of the keyless map @m. It calls helpers.
	TSeriesClock(dst asm.Register)
	// Ctx loads the probe's context pointer into dst.
	Ctx(dst asm.Register)
	// SeqFile loads into dst the seq_file the program's output goes to,
	// and reports true, when the program is a pinned iterator's: it runs
	// when its file is read, and prints into the reader
	// (bpf_seq_printf), not into the ring buffer. Otherwise it emits
	// nothing and reports false.
	SeqFile(dst asm.Register) bool
	// KernelVar loads into dst the address of the kernel's variable name
	// as the kernel's BTF describes it (resolved when the program is
	// loaded): what bpf_this_cpu_ptr and bpf_per_cpu_ptr take of a
	// per-CPU variable.
	KernelVar(dst asm.Register, name string)
	// KernelFunc calls the kernel function (kfunc) name, which the
	// runtime finds in the kernel's BTF when it loads the program: like a
	// helper call, it takes R1-R5, returns in R0 and clobbers R1-R5. The
	// checker must have asked probe.Env.KfuncAllowed for the probe's kind:
	// a kernel without the function fails the load.
	KernelFunc(name string)
}

// ProbePoint is one attach point of a program: the index of its name, as
// the probe builtin yields it, and the name.
type ProbePoint struct {
	ID   int
	Name string
}

// ProbeReads returns the helpers that read memory of address space as:
// bytes, and a NUL-terminated string. An address of no known space (an
// integer cast to a pointer in BEGIN or profile, say, which run in no
// particular task's context) is read with bpf_probe_read, which reads
// user memory below the user address limit and kernel memory above it,
// as bpftrace reads such addresses: a NULL pointer's read fails with
// EFAULT, as in bpftrace, not with probe_read_kernel's ERANGE.
func ProbeReads(as types.AddrSpace) (read, readStr asm.BuiltinFunc) {
	switch as {
	case types.User:
		return asm.FnProbeReadUser, asm.FnProbeReadUserStr
	case types.AddrNone:
		return asm.FnProbeRead, asm.FnProbeReadStr
	}
	return asm.FnProbeReadKernel, asm.FnProbeReadKernelStr
}
