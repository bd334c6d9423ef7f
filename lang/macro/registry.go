// Package macro expands bpftrace's macros (`macro name($var, @map, expr)
// { ... }`) before the checker sees the program, as bpftrace's
// MacroExpansion pass does.
//
// A call to a macro, or a bare identifier naming a macro without
// parameters, becomes a block expression: a copy of the macro's body in
// which $var parameters name the caller's variable, @map parameters the
// caller's map, and expression parameters a copy of the expression passed.
// The body's own variables are renamed ($$name_$x) so that they cannot
// clash with the caller's, and a map the body names without receiving it
// is an error (macros are hygienic). Copied nodes carry an ast.Origin
// naming the call, so that every later message inside a macro also points
// at the call it was expanded from.
//
// The package reads nothing: the standard library's macros come parsed,
// in Config, from the caller.
package macro

import (
	"fmt"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
)

// registry holds the macros by name, in definition order.
type registry map[string][]*ast.MacroDef

// paramKind is what a parameter accepts: a variable, a map, or any
// expression.
func isMap(x ast.Expr) bool {
	m, ok := x.(*ast.MapRef)
	return ok && m.Keys == nil
}

func isVar(x ast.Expr) bool {
	_, ok := x.(*ast.Variable)
	return ok
}

// distance scores how far args are from def's parameters: 1024 per
// missing or extra argument, 1 per argument of the wrong kind (a variable
// or map parameter given something else), as bpftrace scores them.
func distance(def *ast.MacroDef, args []ast.Expr) int {
	d := 1024 * max(len(def.Params)-len(args), len(args)-len(def.Params))
	for i := 0; i < len(def.Params) && i < len(args); i++ {
		switch def.Params[i].(type) {
		case *ast.MapRef:
			if !isMap(args[i]) {
				d++
			}
		case *ast.Variable:
			if !isVar(args[i]) {
				d++
			}
		}
	}
	return d
}

// lookup finds the macro name that args match exactly, preferring the
// script's over the library's; with libOnly, only library macros count
// (a library macro's calls never reach the script's macros). Without an
// exact match it returns the closest definitions (none: no macro has the
// name).
func (r registry) lookup(name string, args []ast.Expr, libOnly bool) (*ast.MacroDef, []*ast.MacroDef) {
	best := -1
	var closest []*ast.MacroDef
	var user, lib *ast.MacroDef
	for _, m := range r[name] {
		if libOnly && !m.Library {
			continue
		}
		d := distance(m, args)
		if d == 0 {
			if m.Library && lib == nil {
				lib = m
			} else if !m.Library && user == nil {
				user = m
			}
		}
		if best < 0 || d < best {
			best, closest = d, closest[:0]
		}
		if d == best {
			closest = append(closest, m)
		}
	}
	if user != nil {
		return user, nil
	}
	if lib != nil {
		return lib, nil
	}
	return nil, closest
}

// add registers the definitions, reporting redefinitions (a macro that an
// earlier one of its class already matches exactly) and repeated
// parameters. isBuiltin names the builtins, which cannot be parameters.
func (r registry) add(defs []*ast.MacroDef, isBuiltin func(string) bool, diags *diag.List) {
	for _, m := range defs {
		if prev := r.exact(m); prev != nil {
			d := diags.Errorf(m.Head, "Redefinition of macro: %s", m.Name)
			d.Context = &diag.Diagnostic{Span: prev.Head, Msg: "This is the original definition."}
			continue
		}
		if validParams(m, isBuiltin, diags) {
			r[m.Name] = append(r[m.Name], m)
		}
	}
}

// exact returns the macro of m's class that m's own parameters would call.
func (r registry) exact(m *ast.MacroDef) *ast.MacroDef {
	for _, prev := range r[m.Name] {
		if prev.Library == m.Library && distance(prev, m.Params) == 0 {
			return prev
		}
	}
	return nil
}

// validParams reports a parameter named twice, or named as a builtin.
func validParams(m *ast.MacroDef, isBuiltin func(string) bool, diags *diag.List) bool {
	seen := map[string]bool{}
	for _, p := range m.Params {
		var name, what string
		switch p := p.(type) {
		case *ast.Variable:
			name, what = p.Name, "Variable"
		case *ast.MapRef:
			name, what = p.Name, "Map"
		case *ast.Ident:
			name, what = p.Name, "Ident"
			if isBuiltin != nil && isBuiltin(p.Name) {
				diags.Errorf(p.Span, "syntax: builtin '%s' can't be used as a macro argument", p.Name)
				return false
			}
		}
		if seen[name] {
			diags.Errorf(p.NodeSpan(), "%s for macro argument has already been used: %s", what, name)
			return false
		}
		seen[name] = true
	}
	return true
}

// mismatch reports a call whose arguments match no definition of name,
// explained against the closest one.
func mismatch(diags *diag.List, call ast.Span, name string, args []ast.Expr, closest *ast.MacroDef) {
	d := diags.Errorf(call, "Call to %s() has arguments that do not match any definition.", name)
	if len(closest.Params) != len(args) {
		d.Context = &diag.Diagnostic{Span: closest.Head, Msg: fmt.Sprintf(
			"The closest definition of %s() has a different number of arguments. Expected: %d but got %d",
			closest.Name, len(closest.Params), len(args))}
		return
	}
	last := d
	for i, p := range closest.Params {
		var want, pname string
		switch p := p.(type) {
		case *ast.MapRef:
			if isMap(args[i]) {
				continue
			}
			want, pname = "a map", p.Name
		case *ast.Variable:
			if isVar(args[i]) {
				continue
			}
			want, pname = "a variable", p.Name
		default:
			continue
		}
		got := "an expression"
		switch {
		case isVar(args[i]):
			got = "a variable"
		case isMap(args[i]):
			got = "a map"
		}
		arg := &diag.Diagnostic{Span: args[i].NodeSpan(), Msg: fmt.Sprintf(
			"Mismatched arg. %s() expects %s for arg %s but got %s.", closest.Name, want, pname, got)}
		arg.Context = &diag.Diagnostic{Span: p.NodeSpan(), Msg: "This is the argument in the closest definition."}
		last.Context = arg
		last = arg.Context
	}
}
