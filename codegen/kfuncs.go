package codegen

import (
	"strings"

	"github.com/cilium/ebpf/asm"
)

// kernelFuncPrefix marks the reference of a call of a kernel function
// (kfunc): the function's name, whose BTF id the runtime puts in the
// call's constant when it loads the program, as it does for kernel
// variables (kernelVarPrefix).
const kernelFuncPrefix = "kernel_func:"

// KernelFunc implements stdlib.Gen: a call of the kfunc name, in the
// kernel's BTF (insn.off 0), its id left to the runtime.
func (g *gen) KernelFunc(name string) {
	g.Emit(asm.Instruction{OpCode: asm.OpCode(asm.JumpClass).SetJumpOp(asm.Call), Src: asm.PseudoKfuncCall}.WithReference(kernelFuncPrefix + name))
}

// KernelFuncName returns the name of the kernel function ins calls, if it
// is such a call (see Gen.KernelFunc): the runtime resolves it to the
// function's BTF id with SetKernelID.
func KernelFuncName(ins asm.Instruction) (string, bool) {
	if !ins.IsKfuncCall() {
		return "", false
	}
	return strings.CutPrefix(ins.Reference(), kernelFuncPrefix)
}
