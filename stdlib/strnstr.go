package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/types"
)

// The kernel's bpf_strnstr (Linux 6.17 and later) searches a string for
// another in one call. strstr() and strcontains() of a needle known only
// when the probe runs use it where the probe may call it, as the newest
// bpftrace's library does, instead of their two nested loops (searchLoop),
// whose every step the verifier walks: inside a loop or an unroll those
// passed its million instructions (random scripts 2600, 3206 and 8548 of
// runtime's TestKernelRandomScripts). Other kernels keep the loops.

// KfuncFeatures are the kernel functions builtins call where the kernel
// has them, by the name --no-feature turns each off with (the run then
// does without, as on a kernel that lacks it).
var KfuncFeatures = map[string]string{"strnstr": strnstrKfunc}

// strnstrKfunc is the kernel function; strnstrName is the builtin the two
// expand to.
const (
	strnstrKfunc = "bpf_strnstr"
	strnstrName  = "__strnstr"
)

// strnstrEntry is __strnstr(haystack, needle): strstr() of two strings by
// the kernel function, which strstr() and strcontains() expand to.
func strnstrEntry() *Entry {
	return &Entry{Name: strnstrName, Kind: check.Func,
		Doc:  "__strnstr(haystack, needle): strstr() by the kernel's bpf_strnstr (Linux 6.17+), which strstr() and strcontains() of a run-time needle use",
		Type: strnstrType, Emit: IntEmitter(strnstrEmit),
		Needs: "the bpf_strnstr kernel function, in Linux 6.17 and later"}
}

func strnstrType(u *check.Use) types.Type {
	if !arity(u, 2, 2) {
		return types.Type{}
	}
	if u.ArgTypes[0].Kind != types.String || u.ArgTypes[1].Kind != types.String {
		u.Errorf("%s() expects two strings", strnstrName)
		return types.Type{}
	}
	if !strnstrAllowed(u) {
		u.Errorf("%s() needs the kernel function %s (Linux 6.17 and later), which this probe cannot call", strnstrName, strnstrKfunc)
		return types.Type{}
	}
	return types.I64
}

// strnstrAllowed reports whether the use's probe may call bpf_strnstr.
func strnstrAllowed(u *check.Use) bool {
	allowed, err := kfuncAllowedHere(u, strnstrKfunc)
	return err == nil && allowed
}

// searchByKernel types strstr(h, n) (contains false) or strcontains(h, n)
// of two strings, n no literal, as __strnstr(h, n) or __strnstr(h, n) >= 0
// where the probe may call bpf_strnstr; ok is false where it may not.
func searchByKernel(u *check.Use, contains bool) (t types.Type, ok bool) {
	if _, lit := u.Args[1].(*ast.StrLit); lit || !strnstrAllowed(u) {
		return types.Type{}, false
	}
	span := u.Node.NodeSpan()
	var e ast.Expr = &ast.Call{Span: span, Name: strnstrName, Args: []ast.Expr{u.Args[0], u.Args[1]}}
	if contains {
		e = &ast.Binary{Span: span, Op: ast.OpGeq, OpPos: span.Start, X: e, Y: &ast.IntLit{Span: span, Raw: "0"}}
	}
	return u.Expand(e), true
}

// strnstrEmit sets dst to the index of the needle in the haystack, -1 if
// it is not there. Both are copied to the frame, the needle with a NUL
// after it: bpf_strnstr reads the needle up to its NUL, and a string that
// fills its size has none. The function searches the haystack's first
// size bytes, and stops at its NUL.
func strnstrEmit(g Gen, c *ast.Call, dst asm.Register) {
	ht, nt, hoff, noff := searchArgs(g, c, dst, 1)
	g.Emit(asm.Mov.Imm(asm.R1, 0), asm.StoreMem(asm.R10, noff+int16(nt.ByteSize()), asm.R1, asm.Byte))
	g.Addr(asm.R1, hoff)
	g.Addr(asm.R2, noff)
	g.Emit(asm.Mov.Imm(asm.R3, int32(ht.Size)))
	g.KernelFunc(strnstrKfunc)
	// An int: the index, or a negative errno (-ENOENT when not found).
	found := g.Label()
	g.Emit(asm.LSh.Imm(asm.R0, 32), asm.ArSh.Imm(asm.R0, 32), asm.JSGE.Imm(asm.R0, 0, found), asm.Mov.Imm(asm.R0, -1))
	g.Place(found)
	g.Emit(asm.Mov.Reg(dst, asm.R0))
}
