package ast

// TypeArg is a type passed as a call argument, `typeof(struct Foo)` (the
// newest bpftrace): only a macro's parameter takes one, and stands for
// the type where its body names the parameter as a type
// (container_of(p, typeof(struct Foo), n) in `(type *)` and
// `offsetof(type, member)`).
type TypeArg struct {
	Span
	Type *TypeExpr
}

func (*TypeArg) node()     {}
func (*TypeArg) exprNode() {}

// typeArgString renders a type argument as it is written.
func typeArgString(e *TypeArg) string {
	if e.Type.Of != nil {
		return TypeString(e.Type) // typeof(expr) already
	}
	return "typeof(" + TypeString(e.Type) + ")"
}
