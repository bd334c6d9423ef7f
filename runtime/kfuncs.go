package runtime

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/runtime/kernel"
)

// ErrNoKernelFunc is in the error of loading a program that calls a
// kernel function (kfunc, codegen.KernelFuncName) this kernel's BTF does
// not have.
var ErrNoKernelFunc = kernel.ErrNoKernelFunc

// resolveKernelFuncs puts in each call of a kernel function in insns
// (codegen.KernelFuncName) the function's BTF id in this kernel's BTF,
// which the object leaves to the call.
func (s *Session) resolveKernelFuncs(p *codegen.Program, insns asm.Instructions) error {
	for i, ins := range insns {
		name, ok := codegen.KernelFuncName(ins)
		if !ok {
			continue
		}
		if s.env == nil {
			s.env = kernel.NewEnv()
		}
		id, err := s.env.KernelFuncID(name)
		if err != nil {
			return fmt.Errorf("%s: kernel function %s (kfunc): %w", p.Name, name, err)
		}
		insns[i] = codegen.SetKernelFuncID(ins, uint32(id))
	}
	return nil
}

// kfuncRefused is how the verifier refuses a kernel function the
// program's type may not call: "calling kernel function NAME is not
// allowed".
const kfuncRefused = "calling kernel function "

// refusedKfunc returns the kernel function the verifier's conclusion msg
// says p may not call, and the index of p's call of it, or "" and -1.
func refusedKfunc(p *codegen.Program, msg string) (string, int) {
	rest, ok := strings.CutPrefix(msg, kfuncRefused)
	if !ok || !strings.HasSuffix(rest, " is not allowed") {
		return "", -1
	}
	name := strings.TrimSuffix(rest, " is not allowed")
	for i, ins := range p.Insns {
		if n, ok := codegen.KernelFuncName(ins); ok && n == name {
			return name, i
		}
	}
	return name, -1
}
