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

// tupleCompare types a == b and a != b of tuples: elementwise, as the
// newest bpftrace compares them.
func (c *checker) tupleCompare(e *ast.Binary, lt, rt types.Type) types.Type {
	if !lt.Compatible(rt) {
		c.typeMismatch(c.operatorSpan(e), e, lt.String(), rt.String())
		return types.Type{}
	}
	return types.Boolean
}
