package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
)

// For loops in programs whose values live in scratch memory.
//
// A loop's callback reaches the scratch area as the program does: it
// looks up the per-CPU scratch map itself into R9 (a callback runs on the
// caller's CPU, so that is the caller's area), and the same offsets reach
// the same values, which therefore need no copy in or out of the
// callback; only the variables on the stack are mirrored (loops.go).
//
// Scratch memory is small (32 KiB for everything a statement and the
// variables hold at once), and a loop variable over a map of big strings
// is as big as an element: `for ($kv : @m)` over strings of 9999 bytes
// holds 20000 bytes. Such a variable is used only inside its loop, so in
// these programs it gets its home at the loop, for the loop's time, rather
// than for the whole program beside every other statement's values.

// loopHomes finds the loop variables of a program with scratch memory
// whose every use is inside a loop that binds them: the loop gives them
// their home (loopHome), so allocVars leaves them out.
func (g *gen) loopHomes() map[string]bool {
	inside := map[string]int{} // uses inside a loop binding the slot
	total := map[string]int{}
	var walk func(n ast.Node, bound []string)
	walk = func(n ast.Node, bound []string) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ForStmt:
				for _, c := range ast.Children(n) {
					walk(c, append(bound[:len(bound):len(bound)], g.pi.Slot(n.Var)))
				}
				return false
			case *ast.Variable:
				slot := g.pi.Slot(n)
				total[slot]++
				for _, b := range bound {
					if b == slot {
						inside[slot]++
						break
					}
				}
			}
			return true
		})
	}
	walk(g.pi.Probe.Body, nil)
	homes := map[string]bool{}
	for slot, n := range inside {
		if n == total[slot] {
			homes[slot] = true
		}
	}
	return homes
}

// loopHome gives the variable of loop s its home for the loop's time when
// it has none (loopHomes); the returned func takes it back.
func (g *gen) loopHome(s *ast.ForStmt) func() {
	slot := g.pi.Slot(s.Var)
	if _, ok := g.vars[slot]; ok {
		return func() {}
	}
	size := max(g.pi.Vars[slot].Type.ByteSize(), 8)
	g.vars[slot] = g.Alloc(size)
	return func() { delete(g.vars, slot) }
}

// callbackScratch makes a callback of a program with scratch memory reach
// it: the callback's first args arguments (R1...) are kept in its frame,
// R9 gets the scratch base, and they are put back. It returns the index
// of the instruction that offsets the base, which emitBody sets.
func (g *gen) callbackScratch(args int) int {
	regs := []asm.Register{asm.R1, asm.R2, asm.R3, asm.R4, asm.R5}[:args]
	saved := g.allocStack(8 * args) // R9 is not the scratch base yet
	for i, r := range regs {
		g.Emit(asm.StoreMem(asm.R10, saved+int16(8*i), r, asm.DWord))
	}
	base := g.scratchBase()
	for i, r := range regs {
		g.Emit(asm.LoadMem(r, asm.R10, saved+int16(8*i), asm.DWord))
	}
	return base
}

// inScratch reports whether a frame offset is in scratch memory.
func inScratch(off int16) bool { return off < -512 }
