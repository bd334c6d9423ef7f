package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/types"
)

// len() of a stack: its number of frames.
//
// A kstack or ustack value is the id of its frames in a stack-trace map,
// which BPF code cannot read (the kernel lets programs only add to such
// maps). The frames of the running probe's stack can be counted, though:
// bpf_get_stack takes them again into a buffer and says how many bytes it
// wrote. Equal ids are equal frames (the map keeps one id per distinct
// stack), so len() takes the probe's current stack id of the same kind and
// depth, and when it is the value's, counts that stack. A stack taken
// elsewhere (stored in a map by another probe) has another id: len() gives
// 0 for it and a runtime warning says why.

// stackLenMessage is the runtime warning of len() of a stack that is not
// the running probe's.
const stackLenMessage = "len() of a stack taken elsewhere: gbt counts only the frames of the running probe's own stack, and gives 0"

// bpf_get_stack's flags and frame sizes: BPF_F_USER_STACK, and
// BPF_F_USER_BUILD_ID for frames of struct bpf_stack_build_id.
const (
	getStackUser    = 1 << 8
	getStackBuildID = 1 << 11
)

// stackLenType is len()'s type rule for a stack argument: ok is false
// when the argument is not a stack.
func stackLenType(u *check.Use) (_ types.Type, ok bool) {
	t := u.ArgTypes[0]
	if t.Kind != types.Stack {
		return types.Type{}, false
	}
	if t.DwarfStack() {
		u.Errorf("len() of a dw_ustack is not supported: its frames are unwound in user space")
		return types.Type{}, true
	}
	return types.I64, true
}

// emitStackLen puts into dst the number of frames of the stack c's
// argument evaluates to.
func emitStackLen(g Gen, c *ast.Call, dst asm.Register) {
	t := g.TypeOf(c.Args[0])
	val := g.Alloc(8)
	g.EvalInt(c.Args[0], dst)
	g.Emit(asm.StoreMem(asm.R10, val, dst, asm.DWord))
	// The running probe's stack, as a value of t, in a register a helper
	// call keeps (Stack calls one after bpf_get_stackid for a ustack).
	r := dst
	if dst < asm.R6 {
		r = g.TakeReg()
	}
	g.Stack(t, r)
	elsewhere, done, got := g.Label(), g.Label(), g.Label()
	g.Emit(asm.LoadMem(asm.R1, asm.R10, val, asm.DWord), asm.JNE.Reg(r, asm.R1, elsewhere))
	if r != dst {
		g.FreeReg(r)
	}

	frame, shift, flags := 8, 3, int32(0)
	if t.UserStack() {
		flags = getStackUser
	}
	if t.BuildIDStack() {
		frame, shift, flags = 32, 5, flags|getStackBuildID
	}
	buf := g.Alloc(t.Len * frame)
	g.Ctx(asm.R1)
	g.Addr(asm.R2, buf)
	g.Emit(asm.Mov.Imm(asm.R3, int32(t.Len*frame)), asm.Mov.Imm(asm.R4, flags), asm.FnGetStack.Call(),
		asm.JSGE.Imm(asm.R0, 0, got), asm.Mov.Imm(asm.R0, 0))
	g.Place(got)
	g.Emit(asm.RSh.Imm(asm.R0, int32(shift)), asm.Mov.Reg(dst, asm.R0), asm.Ja.Label(done))

	g.Place(elsewhere)
	m := g.Mark()
	ev := g.NewEvent(runtimeWarning, c)
	ev.Format = stackLenMessage
	runtimeWarning.Encode(g, c, ev)
	g.Reset(m)
	g.Emit(asm.Mov.Imm(dst, 0))
	g.Place(done)
}
