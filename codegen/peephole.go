package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
)

// Peephole clean-up of a finished program. The generator emits each
// construct on its own: a key or record is zeroed and then filled, a
// statement reloads the zero register it already holds. These passes
// drop what no path can observe, and nothing else:
//
//   - dead stack stores: a store to R10+off whose bytes are all written
//     again before anything may read them;
//   - repeated constants: `mov rX, imm` when rX already holds imm;
//   - dead moves: `mov rX, …` whose value is never read.
//
// All three look at straight-line code only. Anything they do not model
// (a call, a jump, a load through a register that may point into the
// frame, an atomic operation) ends what they know, so the verifier sees
// the same values at every read as before.

// peephole runs the passes until none changes anything.
func peephole(insns asm.Instructions, spans []ast.Span) (asm.Instructions, []ast.Span) {
	for {
		drop := deadStackStores(insns)
		repeatedConstants(insns, drop)
		deadMoves(insns, drop)
		n := 0
		for _, d := range drop {
			if d {
				n++
			}
		}
		if n == 0 {
			return insns, spans
		}
		keptI, keptS := insns[:0:0], spans[:0:0]
		for i := range insns {
			if !drop[i] {
				keptI = append(keptI, insns[i])
				keptS = append(keptS, spans[i])
			}
		}
		insns, spans = keptI, keptS
	}
}

// frameBytes is the BPF stack: R10-512 up to R10.
const frameBytes = 512

// removable reports whether an instruction may be dropped: jump targets
// and function starts carry symbols and metadata, and stay.
func removable(ins asm.Instruction) bool { return ins.Symbol() == "" }

// deadStackStores marks the stores to the frame that are overwritten
// before any read, scanning each straight-line stretch backwards with
// the set of bytes written later on every path.
func deadStackStores(insns asm.Instructions) []bool {
	drop := make([]bool, len(insns))
	var later [frameBytes]bool // R10-512+i is written again before a read
	forget := func() { later = [frameBytes]bool{} }
	span := func(off int16, size int) (int, int, bool) {
		lo := int(off) + frameBytes
		return lo, lo + size, lo >= 0 && lo+size <= frameBytes
	}
	for i := len(insns) - 1; i >= 0; i-- {
		ins := insns[i]
		op := ins.OpCode
		cls := op.Class()
		switch {
		case cls.IsJump():
			// A branch, call or exit: what follows is unknown here.
			forget()
		case cls.IsStore() && op.Mode() == asm.MemMode && ins.Dst == asm.R10:
			lo, hi, ok := span(ins.Offset, op.Size().Sizeof())
			if !ok {
				forget()
				continue
			}
			dead := true
			for b := lo; b < hi; b++ {
				dead = dead && later[b]
				later[b] = true
			}
			if dead && removable(ins) {
				drop[i] = true
			}
		case cls.IsStore() && op.Mode() == asm.MemMode:
			// A store through another register writes memory and reads
			// none; the bytes it writes are not known, so it covers none.
		case cls.IsLoad() && op.Mode() == asm.MemMode && ins.Src == asm.R10:
			lo, hi, ok := span(ins.Offset, op.Size().Sizeof())
			if !ok {
				forget()
				continue
			}
			for b := lo; b < hi; b++ {
				later[b] = false
			}
		case cls.IsLoad() && op.Mode() == asm.MemMode && ins.Src == ctxReg:
			// The context is never in the frame.
		case cls.IsLoad() && op.Mode() == asm.ImmMode:
			// A 64-bit constant or map reference reads no memory.
		case cls.IsALU() && (op.Source() == asm.ImmSource || ins.Src != asm.R10):
			// Arithmetic on registers other than the frame pointer.
		default:
			// A load through a register that may point into the frame,
			// an atomic operation, or the frame pointer copied: any byte
			// may be read.
			forget()
		}
	}
	return drop
}

// repeatedConstants marks `mov rX, imm` (64-bit) where rX already holds
// imm on the only path in: since the last label, a move of the same
// constant and nothing that changed rX.
func repeatedConstants(insns asm.Instructions, drop []bool) {
	var known [asm.R10 + 1]*int64
	for i, ins := range insns {
		if drop[i] {
			continue
		}
		if ins.Symbol() != "" {
			known = [asm.R10 + 1]*int64{}
		}
		op := ins.OpCode
		cls := op.Class()
		switch {
		case cls == asm.ALU64Class && op.ALUOp() == asm.Mov && op.Source() == asm.ImmSource && ins.Offset == 0:
			if k := known[ins.Dst]; k != nil && *k == ins.Constant && removable(ins) {
				drop[i] = true
				continue
			}
			c := ins.Constant
			known[ins.Dst] = &c
		case cls.IsJump() && op.JumpOp() == asm.Call:
			for r := asm.R0; r <= asm.R5; r++ {
				known[r] = nil
			}
		case cls.IsJump() && (op.JumpOp() == asm.Exit || op.JumpOp() == asm.Ja):
			// What follows is reached from elsewhere only.
			known = [asm.R10 + 1]*int64{}
		case cls.IsJump():
		case cls.IsStore() && op.Mode() == asm.MemMode:
		case cls.IsStore():
			// Atomic operations may write their source register and R0.
			known[ins.Src], known[asm.R0] = nil, nil
		default:
			// ALU and loads write their destination.
			if ins.Dst <= asm.R10 {
				known[ins.Dst] = nil
			}
		}
	}
}

// deadMoves marks register moves whose value no instruction reads: the
// register is written again, or the function exits, before any use on
// the straight-line path that follows.
func deadMoves(insns asm.Instructions, drop []bool) {
	const all = uint16(1<<(asm.R10+1) - 1)
	bit := func(r asm.Register) uint16 { return 1 << r }
	live := all
	for i := len(insns) - 1; i >= 0; i-- {
		if drop[i] {
			continue
		}
		ins := insns[i]
		op := ins.OpCode
		cls := op.Class()
		switch {
		case cls.IsJump() && op.JumpOp() == asm.Exit:
			live = bit(asm.R0)
		case cls.IsJump() && op.JumpOp() == asm.Call:
			// Helpers and subprograms read at most R1-R5 and write R0-R5.
			live &^= bit(asm.R0) | bit(asm.R1) | bit(asm.R2) | bit(asm.R3) | bit(asm.R4) | bit(asm.R5)
			live |= bit(asm.R1) | bit(asm.R2) | bit(asm.R3) | bit(asm.R4) | bit(asm.R5)
		case cls.IsJump():
			live = all
		case cls == asm.ALU64Class && op.ALUOp() == asm.Mov:
			if live&bit(ins.Dst) == 0 && removable(ins) {
				drop[i] = true
				continue
			}
			live &^= bit(ins.Dst)
			if op.Source() == asm.RegSource {
				live |= bit(ins.Src)
			}
		case cls.IsStore() && op.Mode() == asm.MemMode:
			live |= bit(ins.Dst)
			if cls == asm.StXClass {
				live |= bit(ins.Src)
			}
		case cls.IsLoad() && op.Mode() == asm.MemMode:
			live &^= bit(ins.Dst)
			live |= bit(ins.Src)
		case cls.IsLoad() && op.Mode() == asm.ImmMode:
			live &^= bit(ins.Dst)
		case cls.IsALU():
			live |= bit(ins.Dst)
			if op.Source() == asm.RegSource {
				live |= bit(ins.Src)
			}
		default:
			// Atomic operations and anything else: assume every register
			// is read.
			live = all
		}
	}
}
