package kernel

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gbt-dev/gbt/internal/progtype"
	"github.com/gbt-dev/gbt/lang/probe"
)

// kfuncQuery is one question KfuncAllowed answers, cached.
type kfuncQuery struct {
	name   string
	kind   *probe.Kind
	target string
}

// KfuncAllowed implements probe.Env as bpftrace's kfunc_allowed does: it
// loads a program of the kind's type (against target, for tracing kinds,
// where bpftrace loads one without a target, which the kernel refuses
// before it looks at the call) that calls the kernel function, and the
// verifier's "calling kernel function NAME is not allowed" says no. A
// program refused for any other reason (the call's arguments, which the
// probe does not give; a kind this kernel cannot load, which the script's
// own program meets again) passes the check, as in bpftrace.
func (e *Env) KfuncAllowed(name string, k *probe.Kind, target string) (bool, error) {
	kb := &e.btf
	kb.load()
	if kb.err != nil {
		return false, fmt.Errorf("%w: %w", probe.ErrUnavailable, kb.err)
	}
	q := kfuncQuery{name, k, target}
	e.mu.Lock()
	if ok, seen := e.kfuncs[q]; seen {
		e.mu.Unlock()
		return ok, nil
	}
	e.mu.Unlock()
	var fn *btf.Func
	if err := kb.spec.TypeByName(name, &fn); err != nil {
		return false, fmt.Errorf("kernel function %s: %w", name, probe.ErrNoStruct)
	}
	id, err := kb.spec.TypeID(fn)
	if err != nil {
		return false, fmt.Errorf("kernel function %s: %w", name, err)
	}
	typ, attach := progtype.Of(k)
	spec := &ebpf.ProgramSpec{Name: "gbt_kfunc_probe", Type: typ, AttachType: attach, License: "GPL",
		Instructions: asm.Instructions{
			// call the kfunc by its id in vmlinux's BTF (insn.off 0)
			{OpCode: asm.OpCode(asm.JumpClass).SetJumpOp(asm.Call), Src: asm.PseudoKfuncCall, Constant: int64(id)},
			asm.Mov.Imm(asm.R0, 0),
			asm.Return(),
		}}
	if k.Prog == probe.ProgTracing {
		spec.AttachTo = target
	}
	prog, err := ebpf.NewProgramWithOptions(spec, ebpf.ProgramOptions{LogLevel: ebpf.LogLevelBranch})
	allowed := true
	if err == nil {
		prog.Close()
	} else {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			refusal := "calling kernel function " + name + " is not allowed"
			for _, l := range ve.Log {
				if strings.Contains(l, refusal) {
					allowed = false
				}
			}
		}
	}
	e.mu.Lock()
	if e.kfuncs == nil {
		e.kfuncs = map[kfuncQuery]bool{}
	}
	e.kfuncs[q] = allowed
	e.mu.Unlock()
	return allowed, nil
}
