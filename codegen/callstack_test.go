package codegen_test

import (
	"os"
	"testing"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/codegen"
)

// TestCallStack: the frames of a program and of its for loops' callbacks
// fit the 512-byte BPF stack together, as the verifier of older kernels
// (6.1, 6.12) counts them, though the values of the loop's body and of the
// probe would not in the stack; a program whose frames fit together keeps
// its values there. The frames are measured from the emitted code.
func TestCallStack(t *testing.T) {
	for _, tt := range []struct {
		name    string
		src     string
		scratch bool // the program keeps values in scratch memory
	}{
		{name: "small loop", src: `tracepoint:syscalls:sys_enter_openat { $n = 0; for ($i : 0..4) { $n += $i; } printf("%d %s\n", $n, str(args.filename)); }`},
		// opensnoop.bt's shape: strings held in variables across the
		// loop, a str() and a printf record in its body, more after it.
		{name: "strings in the loop and the probe", scratch: true, src: `tracepoint:syscalls:sys_enter_openat {
			$path = str(args.filename); $name = str(args.filename); $key = (tid, 1);
			for ($j : 0..35) {
				@paths[tid, $j] = str(args.filename);
				$name = @paths[tid, $j];
				if ($name == "") { continue; }
				printf("/%s %s %s\n", $name, comm, str(args.filename));
			}
			printf("%s %s %d %s\n", $path, $name, $key.0, str(args.filename));
		}`},
		{name: "nested loops", scratch: true, src: `tracepoint:syscalls:sys_enter_openat {
			$a = str(args.filename); $b = str(args.filename);
			for ($i : 0..3) {
				$c = str(args.filename);
				for ($j : 0..3) { printf("%s %s %s %s\n", $a, $b, $c, str(args.filename)); }
				printf("%s %s\n", $c, str(args.filename));
			}
			printf("%s %s\n", $a, $b);
		}`},
		{name: "map loop", scratch: true, src: `tracepoint:syscalls:sys_enter_openat {
			@m[str(args.filename)] = str(args.filename);
			$a = str(args.filename); $b = str(args.filename);
			for ($kv : @m) { printf("%s %s %s %s\n", $kv.0, $kv.1, $a, str(args.filename)); }
			printf("%s %s %s\n", $a, $b, str(args.filename));
		}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			obj := compile(t, tt.src)
			scratch := false
			for _, m := range obj.Maps {
				scratch = scratch || m.Role == codegen.RoleScratch
			}
			if scratch != tt.scratch {
				t.Errorf("scratch memory used: %v, want %v", scratch, tt.scratch)
			}
			for _, p := range obj.Programs {
				if n := combinedStack(t, p.Insns); n > 512 {
					t.Errorf("%s: the frames of its call chain use %d bytes of stack together, more than 512", p.Name, n)
				}
			}
		})
	}
}

// TestCallStackScripts: the frames of every program of the disassembly
// scripts fit the BPF stack together.
func TestCallStackScripts(t *testing.T) {
	for _, file := range scripts(t) {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range compile(t, string(src)).Programs {
			if n := combinedStack(t, p.Insns); n > 512 {
				t.Errorf("%s: %s: the frames of its call chain use %d bytes of stack together, more than 512", file, p.Name, n)
			}
		}
	}
}

// combinedStack is the stack the deepest call chain of a program uses as
// the verifier counts it: each function's frame (its deepest access
// below R10, or address of a buffer there) rounded up to 32 bytes, added
// along the callbacks each passes to helpers.
func combinedStack(t *testing.T, insns asm.Instructions) int {
	t.Helper()
	isFunc := map[string]bool{"": true} // the program, and the callbacks it passes
	for _, ins := range insns {
		if ins.OpCode == asm.LoadImmOp(asm.DWord) && ins.Src == asm.PseudoFunc {
			isFunc[ins.Reference()] = true
		}
	}
	fnOf := make([]string, len(insns))
	cur := ""
	for i, ins := range insns {
		if s := ins.Symbol(); isFunc[s] {
			cur = s
		}
		fnOf[i] = cur
	}
	frame := map[string]int{}
	calls := map[string][]string{}
	deeper := func(fn string, off int64) {
		if off < 0 && int(-off) > frame[fn] {
			frame[fn] = int(-off)
		}
	}
	for i, ins := range insns {
		fn := fnOf[i]
		switch cls := ins.OpCode.Class(); {
		case ins.OpCode == asm.LoadImmOp(asm.DWord):
			if ins.Src == asm.PseudoFunc {
				calls[fn] = append(calls[fn], ins.Reference())
			}
		case cls.IsLoad() && ins.Src == asm.R10, cls.IsStore() && ins.Dst == asm.R10:
			deeper(fn, int64(ins.Offset))
		case cls.IsALU() && ins.OpCode.Source() == asm.RegSource && ins.Src == asm.R10 && i+1 < len(insns):
			next := insns[i+1]
			switch {
			case ins.OpCode.ALUOp() == asm.Mov && next.OpCode.ALUOp() == asm.Add && next.Dst == ins.Dst:
				deeper(fn, next.Constant) // mov rX, r10; add rX, -off
			case ins.OpCode.ALUOp() == asm.Add && next.OpCode.Class().IsLoad() && next.Src == ins.Dst,
				ins.OpCode.ALUOp() == asm.Add && next.OpCode.Class().IsStore() && next.Dst == ins.Dst:
				deeper(fn, int64(next.Offset)) // add rX, r10; ldx/stx [rX+off]
			}
		}
	}
	var chain func(fn string, depth int) int
	chain = func(fn string, depth int) int {
		if depth > 8 {
			t.Fatalf("callback %q calls itself", fn)
		}
		deepest := 0
		for _, cb := range calls[fn] {
			deepest = max(deepest, chain(cb, depth+1))
		}
		return (max(frame[fn], 1)+31)&^31 + deepest
	}
	return chain("", 0)
}
