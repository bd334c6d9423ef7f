package check

import (
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// blockUse is where a block expression's value goes, which says how a
// call there is checked.
type blockUse uint8

const (
	blockValue    blockUse = iota // an expression's operand
	blockStmt                     // nowhere: a macro called as a statement
	blockMapValue                 // a map assignment's value, which may be an aggregation (`@ = { $a = 1; avg($a) }`)
)

// blockExpr checks `{ stmt; ...; value }`: the statements, then the value,
// whose type is the block's (none without one).
func (c *checker) blockExpr(e *ast.BlockExpr, use blockUse) types.Type {
	c.block(&ast.Block{Span: e.Span, Stmts: e.Stmts})
	var t types.Type
	switch v := e.Value.(type) {
	case nil:
		t = types.None_
	case *ast.Call:
		switch use {
		case blockStmt:
			t = c.call(v, false)
		case blockMapValue:
			t = c.call(v, true)
		default:
			t = c.expr(v)
		}
	case *ast.BlockExpr:
		t = c.blockExpr(v, use)
		c.info.Types[v] = t
	default:
		t = c.expr(v)
	}
	if v, ok := c.info.Consts[e.Value]; ok && len(e.Stmts) == 0 {
		c.setConst(e, v)
	}
	return t
}
