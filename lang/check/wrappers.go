package check

import (
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// builtinPrefix names a builtin variable directly (__builtin_comm is
// comm): bpftrace 0.27's standard library defines its builtin variables
// as macros (macro comm() { __builtin_comm }), which scripts can call.
const builtinPrefix = "__builtin_"

// varName returns the builtin variable an identifier names: itself, or
// the name after __builtin_.
func (c *checker) varName(name string) string {
	if rest, ok := strings.CutPrefix(name, builtinPrefix); ok && c.isVar(rest) {
		return rest
	}
	return name
}

// varCall checks `comm()`: a builtin variable called without arguments,
// as bpftrace's macro wrappers allow, stands for the variable. ok is false
// when e is not such a call.
func (c *checker) varCall(e *ast.Call) (types.Type, bool) {
	if len(e.Args) > 0 || !c.isVar(c.varName(e.Name)) {
		return types.Type{}, false
	}
	if b, ok := c.builtin(e.Name); ok && b.BuiltinKind() != Var {
		return types.Type{}, false // a function of that name (kstack()) is itself
	}
	if c.info.Expansions == nil {
		c.info.Expansions = map[ast.Expr]ast.Expr{}
	}
	id, ok := c.info.Expansions[e]
	if !ok {
		id = &ast.Ident{Span: e.Span, Name: e.Name}
		c.info.Expansions[e] = id
	}
	return c.expr(id), true
}
