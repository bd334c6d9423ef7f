package codegen

import (
	"slices"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
)

// Callbacks are subprograms that helpers such as bpf_for_each_map_elem
// call; each is emitted once, after the main program.
const (
	cbContinue = "gbt_cb_continue" // returns 0: visit the next element
)

// callback returns the instruction that loads the address of callback name
// into R2 (where the helpers that take callbacks want it) and makes sure
// the callback is emitted.
func (g *gen) callback(name string) asm.Instruction {
	if !slices.Contains(g.callbacks, name) {
		g.callbacks = append(g.callbacks, name)
	}
	if !slices.Contains(g.calls[g.fn], name) {
		g.calls[g.fn] = append(g.calls[g.fn], name)
	}
	// Constant -1 asks cilium/ebpf to resolve the reference when it links.
	return asm.Instruction{OpCode: asm.LoadImmOp(asm.DWord), Dst: asm.R2, Src: asm.PseudoFunc, Constant: -1}.WithReference(name)
}

// emitCallbacks appends the callbacks the program uses, each with its BTF
// function info, which the kernel wants for every function of a program
// that has it (the entry's: compiler.probe).
func (g *gen) emitCallbacks() {
	if len(g.callbacks) == 0 {
		return
	}
	ptr, long := btfPtr, btfLong
	for _, name := range g.callbacks {
		start := len(g.insns)
		params := []btf.FuncParam{{Name: "map", Type: ptr}, {Name: "key", Type: ptr}, {Name: "value", Type: ptr}, {Name: "ctx", Type: ptr}}
		switch name {
		case cbContinue:
			g.Emit(asm.Mov.Imm(asm.R0, 0), asm.Return())
		default:
			if loop, _ := g.emitBody(name); loop {
				params = []btf.FuncParam{{Name: "index", Type: long}, {Name: "ctx", Type: ptr}}
			}
		}
		g.insns[start] = btf.WithFuncMetadata(g.insns[start].WithSymbol(name), &btf.Func{Name: name, Linkage: btf.StaticFunc,
			Type: &btf.FuncProto{Return: long, Params: params}})
	}
}
