package runtime

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/runtime/kernel"
)

// ErrNoKernelVarAddr is in the error of loading a program that takes the
// address of a kernel variable (percpu_kaddr) the kernel cannot find: its
// /proc/kallsyms lists data symbols only when built with
// CONFIG_KALLSYMS_ALL.
var ErrNoKernelVarAddr = errors.New("this kernel's symbol table does not list the variable")

// resolveKernelVars puts in each load of a kernel variable's address in
// insns (percpu_kaddr; codegen.KernelVarName) the variable's BTF id in
// this kernel's BTF, which the object leaves to the load.
func (s *Session) resolveKernelVars(p *codegen.Program, insns asm.Instructions) error {
	for i, ins := range insns {
		name, ok := codegen.KernelVarName(ins)
		if !ok {
			continue
		}
		if s.env == nil {
			s.env = kernel.NewEnv()
		}
		id, err := s.env.KernelVarID(name)
		if err != nil {
			return fmt.Errorf("%s: kernel variable %s: %w", p.Name, name, err)
		}
		insns[i] = codegen.SetKernelVarID(ins, uint32(id))
	}
	return nil
}

// noKernelVarAddr is the verifier's conclusion when the kernel has no
// address for a variable its BTF describes.
const noKernelVarAddr = "ldimm64 failed to find the address for kernel symbol '"

// kernelVarLoad returns the index of the instruction of p that loads the
// address of the variable the verifier could not find (msg is its
// conclusion), or -1 when msg is not that.
func kernelVarLoad(p *codegen.Program, msg string) int {
	rest, ok := strings.CutPrefix(msg, noKernelVarAddr)
	if !ok {
		return -1
	}
	sym, _, _ := strings.Cut(rest, "'")
	for i, ins := range p.Insns {
		if name, ok := codegen.KernelVarName(ins); ok && name == sym {
			return i
		}
	}
	return -1
}

// calls reports whether p calls the helper fn.
func calls(p *codegen.Program, fn asm.BuiltinFunc) bool {
	for _, ins := range p.Insns {
		if ins.IsBuiltinCall() && asm.BuiltinFunc(ins.Constant) == fn {
			return true
		}
	}
	return false
}
