package stdlib

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// argEntries read the probed function's context: arg0-arg11 (a usdt
// probe has up to 12 arguments), sarg0-sarg9, retval and registers. Where they are depends on the probe kind, which
// the code generator knows.
func argEntries() []*Entry {
	es := []*Entry{
		{Name: "retval", Kind: check.Var, PerProbe: true, Doc: "return value of the traced function (return probes)", Type: retvalType,
			Emit: IntEmitter(func(g Gen, _ *ast.Call, dst asm.Register) { g.Retval(dst) })},
		{Name: "reg", Kind: check.Func, Doc: "reg(name): value of a register", Type: regType,
			Emit: IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) {
				g.Reg(g.StrLit(c.Args[0]), dst)
			})},
	}
	for i := 0; i < maxUSDTArgs; i++ {
		es = append(es,
			&Entry{Name: fmt.Sprintf("arg%d", i), Kind: check.Var, PerProbe: true, Doc: fmt.Sprintf("argument %d of the traced function", i), Type: argType,
				Emit: IntEmitter(func(g Gen, _ *ast.Call, dst asm.Register) { g.Arg(i, dst) })})
	}
	for i := 0; i < 10; i++ {
		es = append(es,
			&Entry{Name: fmt.Sprintf("sarg%d", i), Kind: check.Var, PerProbe: true, Doc: fmt.Sprintf("stack argument %d of the traced function", i), Type: argType,
				Emit: IntEmitter(func(g Gen, _ *ast.Call, dst asm.Register) { g.StackArg(i, dst) })},
		)
	}
	return es
}

// maxUSDTArgs is the most arguments a usdt probe has (sys/sdt.h's
// STAP_PROBE12).
const maxUSDTArgs = 12

func argType(u *check.Use) types.Type {
	k := probeKind(u)
	if strings.HasPrefix(u.Name(), "sarg") {
		if k == nil || k.ArgN != probe.ArgsRegs {
			u.Errorf("The %s builtin can only be used with 'kprobes' and 'uprobes' probes", u.Name())
			return types.Type{}
		}
		return types.I64
	}
	if k == nil || k.ArgN == probe.ArgsNone {
		u.Errorf("The %s builtin can only be used with 'kprobes', 'uprobes' and 'usdt' probes", u.Name())
		return types.Type{}
	}
	if i, err := strconv.Atoi(strings.TrimPrefix(u.Name(), "arg")); err == nil && k.ArgN == probe.ArgsRegs && i >= probe.MaxRegArgs {
		u.Errorf("x86_64 doesn't support %s", u.Name())
		return types.Type{}
	}
	if t, ok := usdtArgType(u); ok {
		return t
	}
	return types.U64
}

// usdtArgType is the type of argN in a usdt probe: the size and sign its
// note gives, when every location of the probe agrees (bpftrace types
// them so, and printf("%d") then prints negative values).
func usdtArgType(u *check.Use) (types.Type, bool) {
	if u.Probe == nil || len(u.Probe.Points) == 0 || u.Probe.Points[0].USDT == nil {
		return types.Type{}, false
	}
	i, err := strconv.Atoi(strings.TrimPrefix(u.Name(), "arg"))
	if err != nil {
		return types.Type{}, false
	}
	var t types.Type
	for j, pt := range u.Probe.Points {
		if pt.USDT == nil || i >= len(pt.USDT.Args) {
			u.Errorf("%s: USDT probe %s has no argument %d", u.Name(), pt.Name, i)
			return types.Type{}, true
		}
		a := pt.USDT.Args[i]
		at := types.IntOf(a.Size*8, a.Signed)
		if j > 0 && !at.Equal(t) {
			return types.U64, true
		}
		t = at
	}
	return types.IntOf(64, t.Signed), true
}

func retvalType(u *check.Use) types.Type {
	k := probeKind(u)
	if k == nil || !k.Return {
		hint := ""
		if k != nil && k.Prog == probe.ProgTracepoint { // args from the format file, as sys_exit_*'s ret
			hint = u.Compat().Sprintf(compat.RetvalArgsRet)
		}
		u.Errorf("%s", u.Compat().Sprintf(compat.RetvalKinds, hint))
		return types.Type{}
	}
	// A kretfunc's retval has its function's integer return type (as
	// bpftrace types it), so that an int function's -1 is -1.
	if r := u.Probe.Ret; r != nil && r.Kind == types.Int && r.Bits <= 64 {
		return *r
	}
	return types.U64
}

// regType is the type rule of reg(name): kinds whose context holds the
// probed task's registers have it.
func regType(u *check.Use) types.Type {
	if k := probeKind(u); k == nil || !k.Regs {
		u.Errorf("reg can not be used with \"%s\" probes", kindName(u, k))
		return types.Type{}
	}
	return oneString(types.U64)(u)
}
