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

// resolveKernelIDs puts in each load of a kernel variable's address
// (percpu_kaddr; codegen.KernelVarName) and each call of a kernel function
// (comm(pid); codegen.KernelFuncName) in insns the BTF id of what it
// names in this kernel's BTF, which the object leaves to the runtime.
func (s *Session) resolveKernelIDs(p *codegen.Program, insns asm.Instructions) error {
	for i, ins := range insns {
		what, name := "kernel variable %s", ""
		lookup := (*kernel.Env).KernelVarID
		if n, ok := codegen.KernelVarName(ins); ok {
			name = n
		} else if n, ok := codegen.KernelFuncName(ins); ok {
			what, name, lookup = "kernel function %s (kfunc)", n, (*kernel.Env).KernelFuncID
		} else {
			continue
		}
		if s.env == nil {
			s.env = kernel.NewEnv()
		}
		id, err := lookup(s.env, name)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", p.Name, fmt.Sprintf(what, name), err)
		}
		insns[i] = codegen.SetKernelID(ins, uint32(id))
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
