package check

import (
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// blockExpr types `{ stmts; value }`: the statements, then the value, whose
// type is the block's (none without a value). mapValue: the block is the
// whole right-hand side of a map assignment, where its value may be an
// aggregation (`@ = { $a = 1; avg($a) }`).
func (c *checker) blockExpr(e *ast.BlockExpr, mapValue bool) types.Type {
	c.block(&ast.Block{Span: e.Span, Stmts: e.Stmts})
	if e.Value == nil {
		return types.None_
	}
	if call, ok := e.Value.(*ast.Call); ok && mapValue {
		return c.call(call, true)
	}
	return c.expr(e.Value)
}

// record types a record literal: a record whose fields are laid out as a
// tuple of the values, in the order written.
func (c *checker) record(e *ast.Record) types.Type {
	names := make([]string, len(e.Fields))
	elems := make([]types.Type, len(e.Fields))
	for i, f := range e.Fields {
		t := c.expr(f.Value)
		if !t.IsValid() {
			return t
		}
		if t.Kind == types.Agg || t.Kind == types.Void {
			c.errorf(spanOf(f.Value), "%s can not be part of a record", aggOrType(t))
			return types.Type{}
		}
		names[i], elems[i] = f.Name, t
	}
	return types.RecordOf(names, elems)
}
