package runtime

import (
	"slices"
	"testing"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/probe"
)

// TestReverseBlocks: blocks are attached last first, the programs of one
// attach point (one per USDT location) in their own order.
func TestReverseBlocks(t *testing.T) {
	prog := func(start int) *codegen.Program {
		return &codegen.Program{Points: []probe.Point{{Span: ast.Span{Start: ast.Pos{Offset: start}}}}}
	}
	progs := []*codegen.Program{prog(0), prog(10), prog(10), prog(10), prog(20), prog(30), prog(30)}
	if got, want := reverseBlocks(progs), []int{5, 6, 4, 1, 2, 3, 0}; !slices.Equal(got, want) {
		t.Errorf("reverseBlocks = %v, want %v", got, want)
	}
	if got := reverseBlocks(nil); len(got) != 0 {
		t.Errorf("reverseBlocks(nil) = %v", got)
	}
}
