package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// blockStmts compiles the statements of a block expression, which run
// before its value is computed; the statement being compiled stays the
// one errors point at.
func (g *gen) blockStmts(e *ast.BlockExpr) {
	cur := g.cur
	for _, s := range e.Stmts {
		g.stmt(s)
	}
	g.cur = cur
}

// blockInt computes a block expression's integer value into dst.
func (g *gen) blockInt(e *ast.BlockExpr, dst asm.Register) {
	g.blockStmts(e)
	g.EvalInt(e.Value, dst)
}

// blockMem computes a block expression's value into the frame at off.
func (g *gen) blockMem(e *ast.BlockExpr, t types.Type, off int16) {
	g.blockStmts(e)
	g.EvalMem(e.Value, t, off)
}

// blockStmt compiles a block expression whose value is not used.
func (g *gen) blockStmt(e *ast.BlockExpr) {
	g.blockStmts(e)
	if e.Value != nil {
		g.exprStmt(e.Value)
	}
}
