package codegen

import (
	"strings"

	"github.com/cilium/ebpf/asm"
)

// pseudoBTFID is BPF_PSEUDO_BTF_ID: the source of a 64-bit load whose
// constant is the BTF type id of a kernel variable, which the verifier
// replaces with the variable's address (per-CPU variables: the address
// bpf_this_cpu_ptr and bpf_per_cpu_ptr take).
const pseudoBTFID = asm.R3

// kernelVarPrefix marks the reference of such a load: the variable's
// name, whose BTF id the runtime puts in the load's constant when it
// loads the program (the object stays the same on every kernel).
const kernelVarPrefix = "kernel_var:"

// KernelVar implements stdlib.Gen.
func (g *gen) KernelVar(dst asm.Register, name string) {
	g.Emit(asm.Instruction{OpCode: asm.LoadImmOp(asm.DWord), Dst: dst, Src: pseudoBTFID}.WithReference(kernelVarPrefix + name))
}

// KernelVarName returns the name of the kernel variable ins loads the
// address of, if it is such a load (see Gen.KernelVar): the runtime
// resolves it to the variable's BTF id with SetKernelID.
func KernelVarName(ins asm.Instruction) (string, bool) {
	if ins.OpCode != asm.LoadImmOp(asm.DWord) || ins.Src != pseudoBTFID {
		return "", false
	}
	return strings.CutPrefix(ins.Reference(), kernelVarPrefix)
}

// SetKernelID returns ins, the load of a kernel variable's address
// (KernelVarName) or the call of a kernel function (KernelFuncName), with
// the BTF type id of what it names in it, for the kernel's BTF (object id
// 0).
func SetKernelID(ins asm.Instruction, id uint32) asm.Instruction {
	ins.Constant = int64(id)
	return ins.WithReference("")
}
