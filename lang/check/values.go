package check

import (
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

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

// tupleIndex types $t[i] of a tuple (bpftrace 0.24): i must be a constant
// inside the tuple, and the expression stands for $t.i.
func (c *checker) tupleIndex(e *ast.Index, t types.Type) types.Type {
	v, ok := c.info.Consts[e.Index]
	if !ok {
		c.errorf(spanOf(e.Index), "The index of a tuple must be a constant integer").
			Hint = "a tuple's elements may differ in type: index it with a literal, $t[1] or $t.1"
		return types.Type{}
	}
	if v < 0 || v >= int64(len(t.Elems)) {
		c.errorf(spanOf(e), "Invalid tuple index: %d. Found %d elements in tuple.", v, len(t.Elems))
		return types.Type{}
	}
	if c.info.Expansions == nil {
		c.info.Expansions = map[ast.Expr]ast.Expr{}
	}
	x, ok := c.info.Expansions[e]
	if !ok {
		x = &ast.TupleIndex{Span: e.Span, X: e.X, Index: int(v)}
		c.info.Expansions[e] = x
	}
	c.info.Types[x] = t.Elems[v]
	return t.Elems[v]
}

// tupleCompare types a == b and a != b of tuples: elementwise, as the
// newest bpftrace compares them.
func (c *checker) tupleCompare(e *ast.Binary, lt, rt types.Type) types.Type {
	if !lt.Compatible(rt) {
		c.errorf(c.operatorSpan(e), "Type mismatch for '%s': comparing '%s' with '%s'", e.Op, lt, rt)
		return types.Type{}
	}
	return types.Boolean
}

// autoDeref types p.f of a struct pointer p as p->f, which it stands for,
// as the newest bpftrace reads it (0.17 asks for '->').
func (c *checker) autoDeref(e *ast.Field) types.Type {
	if c.info.Expansions == nil {
		c.info.Expansions = map[ast.Expr]ast.Expr{}
	}
	x, ok := c.info.Expansions[e].(*ast.Field)
	if !ok {
		x = &ast.Field{Span: e.Span, X: e.X, Name: e.Name, Arrow: true}
		c.info.Expansions[e] = x
	}
	return c.expr(x)
}
