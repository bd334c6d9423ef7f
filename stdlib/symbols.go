package stdlib

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/config"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// symbolEntries are stacks, symbols and addresses: kstack, ustack, ksym,
// usym, kaddr, uaddr, func, kptr, uptr. BPF code carries addresses (and
// the pid for user ones); user space turns them into names.
func symbolEntries() []*Entry {
	return []*Entry{
		{Name: "kstack", Kind: check.VarOrFunc, Doc: "kstack, kstack([mode,] [limit]): kernel stack trace (mode bpftrace, perf or raw; default: stack_mode)", Type: stackType(false),
			Emit: stackEmitter(false)},
		{Name: "ustack", Kind: check.VarOrFunc, Doc: "ustack, ustack([mode,] [limit]): user stack trace (mode bpftrace, perf or raw; default: stack_mode)", Type: stackType(true),
			Emit: stackEmitter(true)},
		// dw_ustack carries the number of a copy of the user registers
		// and stack; user space unwinds it with the files' .eh_frame.
		{Name: "dw_ustack", Kind: check.VarOrFunc, Doc: "dw_ustack, dw_ustack([mode,] [limit]): user stack trace unwound with DWARF call frame information, for programs without frame pointers (processes of -p, -c, --dwarf-pid)", Type: dwStackType,
			Emit: IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) {
				t := types.DwarfStackIn("", MaxStackDepth)
				if c != nil {
					t = g.TypeOf(c)
				}
				g.Stack(t, dst)
			})},
		// ksym(addr) carries the address; user space names it.
		{Name: "ksym", Kind: check.Func, Doc: "ksym(addr): kernel symbol name of an address", Type: oneInt(types.Type{Kind: types.Ksym}),
			Emit: IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) { g.EvalInt(c.Args[0], dst) })},
		// usym(addr) carries the address and the process id.
		{Name: "usym", Kind: check.Func, Doc: "usym(addr): user symbol name of an address", Type: oneInt(types.Type{Kind: types.Usym}),
			Emit: MemEmitter(func(g Gen, c *ast.Call, off int16, _ int) {
				g.EvalMem(c.Args[0], types.U64, off)
				storePid(g, off+8)
			})},
		{Name: "kaddr", Kind: check.Func, Doc: "kaddr(name): address of a kernel symbol", Type: resolved(func(ae probe.Env, u *check.Use, name string) (uint64, types.Type, error) {
			addr, err := ae.KernelAddr(name)
			if err != nil && !errors.Is(err, probe.ErrUnavailable) {
				return 0, types.U64, &resolveError{msg: "Failed to resolve kernel symbol: " + name, cause: err}
			}
			return addr, types.U64, err
		}), NoCode: "the type rule folds every use to a constant"},
		// percpu_kaddr(name[, cpu]) is the address of a per-CPU kernel
		// variable, from its BTF: this CPU's copy, or cpu's (NULL for a
		// CPU that does not exist).
		{Name: "percpu_kaddr", Kind: check.Func, Doc: "percpu_kaddr(name[, cpu]): address of a per-CPU kernel variable on this CPU or on cpu (0 if there is no such CPU)",
			Type: percpuKaddrType, Emit: IntEmitter(emitPercpuKaddr)},
		{Name: "uaddr", Kind: check.Func, Doc: "uaddr(name): address of a symbol of the probed executable (uprobes)", Type: resolved(func(ae probe.Env, u *check.Use, name string) (uint64, types.Type, error) {
			k := probeKind(u)
			if k == nil || !k.User { // uprobe, uretprobe, usdt
				return 0, types.Type{}, fmt.Errorf("uaddr() can only be used in uprobe, uretprobe and usdt probes")
			}
			s, err := ae.UserAddr(u.Probe.Points[0].Path, name)
			if err == nil && s.FromText {
				return 0, uaddrFromText(u, s), errExpanded
			}
			return s.Addr, uaddrType(s.Size), err
		}), NoCode: "the type rule folds every use to a constant, or expands it (position-independent executables)"},
		// func is the probed function: the symbol of the instruction
		// pointer at entry, a ksym in kernel probes, a usym in uprobes.
		{Name: "func", Kind: check.Var, PerProbe: true, Doc: "name of the traced function", Type: funcType,
			Emit: SplitEmitter{
				Int: func(g Gen, _ *ast.Call, dst asm.Register) { g.FuncIP(dst) },
				Mem: func(g Gen, _ *ast.Call, off int16, _ int) {
					g.FuncIP(asm.R0)
					g.Emit(asm.StoreMem(asm.R10, off, asm.R0, asm.DWord))
					storePid(g, off+8)
				},
			}},
		// These retype a value.
		{Name: "uptr", Kind: check.Func, Doc: "uptr(p): p as a pointer into user memory", Type: addrSpaceType(types.User), Emit: argEmitter},
		{Name: "kptr", Kind: check.Func, Doc: "kptr(p): p as a pointer into kernel memory", Type: addrSpaceType(types.Kernel), Emit: argEmitter},
	}
}

// uaddrType is the type of uaddr() of a symbol of size bytes, as in
// bpftrace: a user pointer to an integer of the symbol's size (1, 2 or 4
// bytes), else to a 64-bit one.
func uaddrType(size uint64) types.Type {
	elem := types.I64
	switch size {
	case 1, 2, 4:
		elem = types.IntOf(int(size)*8, true)
	}
	return types.PointerTo(elem, types.User)
}

// uaddrFromText makes a uaddr() of a position-independent executable's
// symbol stand for its address in the running process: its distance from
// the start of the text plus the process's mm->start_code, as a pointer
// of uaddrType.
func uaddrFromText(u *check.Use, s probe.UserSym) types.Type {
	span := u.Node.NodeSpan()
	elem := "int64"
	switch s.Size {
	case 1, 2, 4:
		elem = fmt.Sprintf("int%d", s.Size*8)
	}
	startCode := &ast.Field{Span: span, Name: "start_code", Arrow: true,
		X: &ast.Field{Span: span, Name: "mm", Arrow: true, X: &ast.Ident{Span: span, Name: "curtask"}}}
	return u.Expand(&ast.Cast{Span: span, Type: &ast.TypeExpr{Span: span, Name: elem, Ptr: 1},
		X: &ast.Binary{Span: span, Op: ast.OpAdd, X: &ast.IntLit{Span: span, Value: s.Addr}, Y: startCode}})
}

// MaxStackDepth is the deepest stack kstack/ustack take: the kernel's
// default perf_event_max_stack.
const MaxStackDepth = 127

// stackType is the type rule of kstack and ustack: bare, or called with a
// mode (bpftrace, perf, raw; build_id for ustack), a frame limit, or both.
func stackType(user bool) func(u *check.Use) types.Type {
	return func(u *check.Use) types.Type {
		mode := u.StackMode()
		if id, bare := u.Node.(*ast.Ident); bare && mode == "build_id" {
			if user { // compiled as the call, which has the mode's type
				return u.Expand(&ast.Call{Span: id.Span, Name: id.Name, NameEnd: id.End,
					Args: []ast.Expr{&ast.Ident{Span: id.Span, Name: "build_id"}}})
			}
			mode = buildIDFallback(u)
		}
		mode, depth, ok := stackArgs(u, mode, user)
		if !ok {
			return types.Type{}
		}
		return types.StackIn(user, mode, depth)
	}
}

// buildIDFallback warns that a bare kstack or dw_ustack under the build_id
// stack_mode setting prints in raw mode, and returns that mode.
func buildIDFallback(u *check.Use) string {
	u.Warnf("'build_id' stack mode can only be used for ustack. Falling back to 'raw' mode.")
	return "raw"
}

// stackArgs checks the arguments of a stack builtin and returns its mode
// (mode unless they name one) and depth; buildID says whether the build_id
// mode is one (ustack's).
func stackArgs(u *check.Use, mode string, buildID bool) (_ string, depth int, ok bool) {
	depth = MaxStackDepth
	if len(u.Args) > 2 {
		u.Errorf("%s() takes up to 2 arguments (%d provided)", u.Name(), len(u.Args))
		return "", 0, false
	}
	for i, a := range u.Args {
		if id, ok := a.(*ast.Ident); ok && i == 0 {
			switch id.Name {
			case "bpftrace", "perf", "raw":
				mode = id.Name
			case "build_id":
				if !buildID {
					u.ErrorAt(a, "'build_id' stack mode can only be used for ustack")
					return "", 0, false
				}
				mode = id.Name
			default:
				u.ErrorAt(a, "%s", u.Compat().Sprintf(compat.StackMode, u.Name(), id.Name))
				return "", 0, false
			}
			continue
		}
		n, ok := u.Const(i)
		if !ok {
			u.ErrorAt(a, "%s() expects a stack mode and/or an integer literal limit", u.Name())
			return "", 0, false
		}
		if n < 1 || n > MaxStackDepth {
			u.ErrorAt(a, "%s() limit must be between 1 and %d (%d provided)", u.Name(), MaxStackDepth, n)
			return "", 0, false
		}
		depth = int(n)
	}
	if mode == "build_id" && !buildID { // kstack(2) with the stack_mode setting
		u.Errorf("'build_id' stack mode can only be used for ustack")
		return "", 0, false
	}
	return mode, depth, true
}

// dwStackType is the type rule of dw_ustack: ustack's arguments, behind
// its unstable_dw_ustack flag.
func dwStackType(u *check.Use) types.Type {
	if !unstableFeature(u, "unstable_dw_ustack", "dw_ustack (DWARF stack unwinding)") {
		return types.Type{}
	}
	mode := u.StackMode()
	if _, bare := u.Node.(*ast.Ident); bare && mode == "build_id" {
		mode = buildIDFallback(u)
	}
	mode, depth, ok := stackArgs(u, mode, false)
	if !ok {
		return types.Type{}
	}
	return types.DwarfStackIn(mode, depth)
}

// unstableFeature applies the unstable_* setting key to a use of feature,
// in bpftrace's words: "error" refuses it, "warn" (the default) warns.
func unstableFeature(u *check.Use, key, feature string) bool {
	items := u.Settings()
	if items == nil {
		items = config.Default().Items()
	}
	for _, it := range items {
		if it.Name != key {
			continue
		}
		switch it.Value {
		case "error":
			u.Errorf("%s feature is not enabled by default. To enable this unstable feature, set the config flag to enable. %s=enable", feature, key)
			return false
		case "warn":
			u.WarnScript("Script is using an unstable feature: %s. To prevent this warning you must explicitly enable it in the config e.g. %s=enable", feature, key)
		}
	}
	return true
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

// storePid stores the current process id (tgid) at R10+off.
func storePid(g Gen, off int16) {
	g.Emit(asm.FnGetCurrentPidTgid.Call(), asm.RSh.Imm(asm.R0, 32), asm.StoreMem(asm.R10, off, asm.R0, asm.DWord))
}

func funcType(u *check.Use) types.Type {
	k := probeKind(u)
	if k == nil || !k.Func {
		u.Errorf("The func builtin can not be used with '%s' probes", kindName(u, k))
		return types.Type{}
	}
	if k.User {
		return types.Type{Kind: types.Usym}
	}
	return types.Type{Kind: types.Ksym}
}

// percpuKaddrType is percpu_kaddr's rule, in bpftrace's words: a string
// literal naming a variable of the kernel's BTF, and an integer CPU. The
// address is a uint64, as bpftrace types it (its documentation says
// uint64 *): `*percpu_kaddr("process_counts")` reads 8 bytes, a cast
// gives the variable's type.
func percpuKaddrType(u *check.Use) types.Type {
	switch n := len(u.Args); {
	case n == 0:
		u.Errorf("%s() requires at least one argument (0 provided)", u.Name())
		return types.Type{}
	case n > 2:
		u.Errorf("%s() takes up to 2 arguments (%d provided)", u.Name(), n)
		return types.Type{}
	}
	name, ok := u.StringLit(0)
	if !ok {
		u.Errorf("%s() expects a string literal (%s provided)", u.Name(), bpftraceKind(u.ArgTypes[0]))
		return types.Type{}
	}
	if len(u.Args) == 2 && !u.ArgTypes[1].IsInt() {
		u.Errorf("%s() only supports int arguments (%s provided)", u.Name(), bpftraceKind(u.ArgTypes[1]))
		return types.Type{}
	}
	ae, ok := u.Env()
	if !ok {
		u.Errorf("%s() needs the running system to resolve %q", u.Name(), name)
		return types.Type{}
	}
	switch err := ae.KernelVar(name); {
	case errors.Is(err, probe.ErrNoKernelVar):
		u.Errorf("Could not resolve variable \"%s\" from BTF", name)
		return types.Type{}
	case err != nil:
		u.ErrorHint(err.Error(), "Could not resolve variable \"%s\" from BTF", name)
		return types.Type{}
	}
	return types.U64
}

// emitPercpuKaddr loads the variable's address (a BTF id the verifier
// turns into it) and asks bpf_this_cpu_ptr, or bpf_per_cpu_ptr for cpu,
// for the copy.
func emitPercpuKaddr(g Gen, c *ast.Call, dst asm.Register) {
	name := g.StrLit(c.Args[0])
	if len(c.Args) == 2 {
		g.EvalInt(c.Args[1], asm.R2)
		g.KernelVar(asm.R1, name)
		g.Emit(asm.FnPerCpuPtr.Call())
	} else {
		g.KernelVar(asm.R1, name)
		g.Emit(asm.FnThisCpuPtr.Call())
	}
	g.Emit(asm.Mov.Reg(dst, asm.R0))
}

// bpftraceKind is the word the newest bpftrace's messages give the kind of
// a value of type t: "int" for integers.
func bpftraceKind(t types.Type) string {
	if t.IsInt() {
		return "int"
	}
	return t.KindWord()
}
