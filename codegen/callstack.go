package codegen

// The stack of a program's call chains.
//
// A for loop's body is a callback (loops.go): a BPF function of its own,
// with its own frame, which mirrors the part of the caller's frame in use
// at the loop. The verifier of older kernels (6.1, 6.12) adds up the
// frames of a function and of each callback it passes to a helper, each
// rounded up to 32 bytes, and refuses a program whose deepest chain
// needs more than 512 bytes ("combined stack size of 2 calls is 672. Too
// large"), though each frame fits. A program whose chains overflow is
// therefore generated again with its values from a smaller size on in
// scratch memory (generate), which the callbacks reach without a copy:
// the frames then hold the small values only.

// maxStack is the BPF stack: the most bytes a program's frames may use
// together.
const maxStack = 512

// scratchSizes are the least sizes of the values kept in scratch memory,
// tried in turn while a program's call chains need more than maxStack.
var scratchSizes = []int{scratchObject, 64, 32, 16}

// combinedStack is the stack the deepest call chain of the program uses,
// as the verifier counts it.
func (g *gen) combinedStack() int {
	var chain func(fn string) int
	chain = func(fn string) int {
		deepest := 0
		for _, cb := range g.calls[fn] {
			deepest = max(deepest, chain(cb))
		}
		return roundFrame(g.frameOf(fn)) + deepest
	}
	return chain("")
}

// frameOf is the size of the frame of function fn: the program's ("") or
// a callback's.
func (g *gen) frameOf(fn string) int {
	if fn == "" {
		return g.maxUse
	}
	for _, b := range g.bodies {
		if b != nil && b.name == fn {
			return b.frame
		}
	}
	return 0 // gbt_cb_continue
}

// roundFrame rounds a frame size up as the verifier does when it adds
// frames: to 32 bytes, and an empty frame counts as one byte.
func roundFrame(n int) int { return (max(n, 1) + 31) &^ 31 }
