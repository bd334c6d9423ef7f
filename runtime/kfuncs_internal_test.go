package runtime

import (
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/ast"
)

// TestKfuncRefusal: the verifier's refusal of a kernel function for the
// program's type names the function, at the span of its call; a call
// resolved to its id keeps nothing of the name.
func TestKfuncRefusal(t *testing.T) {
	call := asm.Instruction{OpCode: asm.OpCode(asm.JumpClass).SetJumpOp(asm.Call), Src: asm.PseudoKfuncCall}.WithReference("kernel_func:bpf_task_from_pid")
	if name, ok := codegen.KernelFuncName(call); !ok || name != "bpf_task_from_pid" {
		t.Fatalf("KernelFuncName: %q %v", name, ok)
	}
	if res := codegen.SetKernelID(call, 42); res.Constant != 42 || res.Reference() != "" || !res.IsKfuncCall() {
		t.Errorf("SetKernelID: %v", res)
	}
	at := ast.Span{Start: ast.Pos{Line: 1, Col: 23}, End: ast.Pos{Line: 1, Col: 30}}
	p := &codegen.Program{Name: "kprobe:vfs_read",
		Insns: asm.Instructions{asm.Mov.Imm(asm.R1, 1), call, asm.Mov.Imm(asm.R0, 0), asm.Return()},
		Spans: []ast.Span{{}, at, {}, {}}}
	s := &Session{}
	le := s.loadError(p, &ebpf.VerifierError{Cause: unix.EACCES, Log: []string{
		"0: R1=ctx() R10=fp0",
		"0: (b7) r1 = 1                        ; R1_w=1",
		"1: (85) call bpf_task_from_pid#89286",
		"calling kernel function bpf_task_from_pid is not allowed",
		"processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0"}}).(*LoadError)
	if le.Kfunc != "bpf_task_from_pid" || le.Span != at || le.Helper != "" {
		t.Errorf("refused kfunc: %+v", le)
	}
	le = s.loadError(p, &ebpf.VerifierError{Cause: unix.EACCES, Log: []string{
		"R1 invalid mem access 'scalar'"}}).(*LoadError)
	if le.Kfunc != "" {
		t.Errorf("another refusal: %+v", le)
	}
}
