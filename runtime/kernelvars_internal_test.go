package runtime

import (
	"errors"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/ast"
)

// TestKernelVarRefusals: the kernel's two refusals of percpu_kaddr
// programs, as the 6.12 guest's verifier words them, are told apart: no
// address for the variable (at its load, ErrNoKernelVarAddr), and a read
// through bpf_per_cpu_ptr's result before testing it (Unchecked).
func TestKernelVarRefusals(t *testing.T) {
	load := asm.Instruction{OpCode: asm.LoadImmOp(asm.DWord), Dst: asm.R1, Src: asm.R3}.WithReference("kernel_var:runqueues")
	at := ast.Span{Start: ast.Pos{Line: 1, Col: 9}, End: ast.Pos{Line: 1, Col: 40}}
	p := &codegen.Program{Name: "begin",
		Insns: asm.Instructions{asm.Mov.Imm(asm.R2, 0), load, asm.FnPerCpuPtr.Call(), asm.Return()},
		Spans: []ast.Span{{}, at, at, {}}}
	if name, ok := codegen.KernelVarName(load); !ok || name != "runqueues" {
		t.Fatalf("KernelVarName: %q %v", name, ok)
	}
	s := &Session{}
	le := s.loadError(p, &ebpf.VerifierError{Cause: unix.ENOENT, Log: []string{
		"ldimm64 failed to find the address for kernel symbol 'runqueues'.",
		"processed 0 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0"}}).(*LoadError)
	if !errors.Is(le, ErrNoKernelVarAddr) || le.Span != at || le.Unchecked != "" {
		t.Errorf("no address: %+v", le)
	}
	le = s.loadError(p, &ebpf.VerifierError{Cause: unix.EACCES, Log: []string{
		"14: (07) r7 += 4",
		"R7 pointer arithmetic on ptr_or_null_ prohibited, null-check it first",
		"processed 14 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0"}}).(*LoadError)
	if le.Unchecked != "bpf_per_cpu_ptr" || errors.Is(le, ErrNoKernelVarAddr) {
		t.Errorf("unchecked: %+v", le)
	}
}
