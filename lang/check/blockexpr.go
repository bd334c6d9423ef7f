package check

import (
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// blockExpr checks `{ stmt; ...; value }`: the statements, then the value,
// whose type is the block's (void without one). asStmt is set when the
// block's value is not used (a macro called as a statement), so that a
// call there is checked as a statement.
func (c *checker) blockExpr(e *ast.BlockExpr, asStmt bool) types.Type {
	c.block(&ast.Block{Span: e.Span, Stmts: e.Stmts})
	var t types.Type
	switch v := e.Value.(type) {
	case nil:
		t = types.Type{Kind: types.Void}
	case *ast.Call:
		if asStmt {
			t = c.call(v, false)
			break
		}
		t = c.expr(v)
	case *ast.BlockExpr:
		t = c.blockExpr(v, asStmt)
		c.info.Types[v] = t
	default:
		t = c.expr(v)
	}
	if v, ok := c.info.Consts[e.Value]; ok && len(e.Stmts) == 0 {
		c.setConst(e, v)
	}
	return t
}
