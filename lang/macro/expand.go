package macro

import (
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
)

// Config is what Expand needs besides the program.
type Config struct {
	// Library are the standard library's macros (Library set), which the
	// script's macros of the same name and parameters override.
	Library []*ast.MacroDef
	// IsBuiltin reports whether a name is a builtin of the checker's
	// table. A call to a builtin that no macro matches exactly is left for
	// the checker (gbt's builtins are not macros, as most of bpftrace's
	// are), and a builtin's name cannot be a macro parameter.
	IsBuiltin func(name string) bool
}

// Expand returns prog with every macro use expanded, or prog itself when
// it uses none. prog is not changed: expanded probes are new nodes.
func Expand(prog *ast.Program, cfg Config) (*ast.Program, diag.List) {
	var diags diag.List
	reg := registry{}
	reg.add(cfg.Library, nil, &diags)
	reg.add(prog.MacroDefs, cfg.IsBuiltin, &diags)
	if !usesMacros(prog, reg) {
		return prog, diags
	}
	st := &state{reg: reg, isBuiltin: cfg.IsBuiltin, diags: &diags, file: prog.File, text: prog.Text}
	top := &expander{st: st}
	out := *prog
	out.Probes = make([]*ast.Probe, len(prog.Probes))
	for i, p := range prog.Probes {
		q := *p
		if p.Predicate != nil {
			q.Predicate = top.expr(p.Predicate)
		}
		q.Body = top.block(p.Body)
		out.Probes[i] = &q
	}
	return &out, diags
}

// usesMacros reports whether a probe names a macro (most scripts do not,
// and are checked as parsed).
func usesMacros(prog *ast.Program, reg registry) bool {
	found := false
	for _, p := range prog.Probes {
		ast.Inspect(p, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Call:
				found = found || reg[n.Name] != nil
			case *ast.Ident:
				found = found || reg[n.Name] != nil
			}
			return !found
		})
		if found {
			return true
		}
	}
	return false
}

// state is shared by the expanders of one program.
type state struct {
	reg       registry
	isBuiltin func(string) bool
	diags     *diag.List
	stack     []*ast.MacroDef // macros being expanded, outermost first
	file      string          // the script's name and text, for Origins
	text      string
	count     int // expansions so far, bounded by MaxExpansions
	nodes     int // expressions copied so far, bounded by MaxNodes
	tooBig    bool
}

// MaxExpansions and MaxNodes bound the expansions of one program and the
// expressions they copy: macros that use their arguments several times
// grow a script exponentially, and hostile input must fail fast.
const (
	MaxExpansions = 10000
	MaxNodes      = 1 << 20
)

// expander copies a tree, expanding macro uses. At the top level it
// copies the script's nodes as they are; inside an expansion (origin set)
// it copies a macro's body for one call.
type expander struct {
	st     *state
	origin *ast.Origin // of the nodes copied from the macro's body
	def    *ast.MacroDef
	vars   map[string]string   // $param -> the caller's variable
	maps   map[string]string   // @param -> the caller's map
	args   map[string]ast.Expr // param -> the expression passed
	own    map[string]bool     // variables the body assigns: renamed
	// plain copies without expanding: an argument, already expanded
	// where it was passed, copied for each use of its parameter.
	plain bool
}

// span is s as copied: from the macro's body, it gets the expansion's
// Origin.
func (e *expander) span(s ast.Span) ast.Span {
	if e.origin != nil {
		s.Origin = e.origin
	}
	return s
}

func (e *expander) block(b *ast.Block) *ast.Block {
	if b == nil {
		return nil
	}
	out := &ast.Block{Span: e.span(b.Span), Stmts: make([]ast.Stmt, 0, len(b.Stmts))}
	for _, s := range b.Stmts {
		out.Stmts = append(out.Stmts, e.stmt(s))
	}
	return out
}

func (e *expander) stmts(ss []ast.Stmt) []ast.Stmt {
	out := make([]ast.Stmt, len(ss))
	for i, s := range ss {
		out[i] = e.stmt(s)
	}
	return out
}

func (e *expander) stmt(s ast.Stmt) ast.Stmt {
	switch s := s.(type) {
	case *ast.ExprStmt:
		return &ast.ExprStmt{Span: e.span(s.Span), X: e.expr(s.X)}
	case *ast.AssignStmt:
		if v, ok := s.LHS.(*ast.Variable); ok {
			e.declare(v)
		}
		lhs := e.expr(s.LHS)
		return &ast.AssignStmt{Span: e.span(s.Span), LHS: lhs, Op: s.Op, RHS: e.expr(s.RHS), Decl: s.Decl}
	case *ast.IfStmt:
		return &ast.IfStmt{Span: e.span(s.Span), Cond: e.expr(s.Cond), Then: e.block(s.Then), Else: e.optStmt(s.Else)}
	case *ast.UnrollStmt:
		return &ast.UnrollStmt{Span: e.span(s.Span), Count: e.expr(s.Count), Body: e.block(s.Body)}
	case *ast.WhileStmt:
		return &ast.WhileStmt{Span: e.span(s.Span), Cond: e.expr(s.Cond), Body: e.block(s.Body)}
	case *ast.ForStmt:
		// gbt's variables live as long as their probe: a loop variable of
		// the body is the body's own, as bpftrace's loop-scoped one is.
		e.declare(s.Var)
		out := &ast.ForStmt{Span: e.span(s.Span), Var: e.expr(s.Var).(*ast.Variable)}
		if s.Map != nil {
			out.Map = e.mapRef(s.Map)
		} else {
			out.From, out.To = e.expr(s.From), e.expr(s.To)
		}
		out.Body = e.block(s.Body)
		return out
	case *ast.JumpStmt:
		return &ast.JumpStmt{Span: e.span(s.Span), Keyword: s.Keyword, Value: e.optExpr(s.Value)}
	case *ast.BlockStmt:
		return &ast.BlockStmt{Span: e.span(s.Span), Body: e.block(s.Body)}
	}
	return s
}

func (e *expander) optStmt(s ast.Stmt) ast.Stmt {
	if s == nil {
		return nil
	}
	return e.stmt(s)
}

func (e *expander) optExpr(x ast.Expr) ast.Expr {
	if x == nil {
		return nil
	}
	return e.expr(x)
}

func (e *expander) exprs(xs []ast.Expr) []ast.Expr {
	if xs == nil {
		return nil
	}
	out := make([]ast.Expr, len(xs))
	for i, x := range xs {
		out[i] = e.expr(x)
	}
	return out
}

// declare makes a variable the body assigns its own (renamed), unless it
// is a $param, which names the caller's.
func (e *expander) declare(v *ast.Variable) {
	if e.def == nil {
		return
	}
	if _, ok := e.vars[v.Name]; !ok {
		e.own[v.Name] = true
	}
}

// rename is the name of the body's own variable name in this expansion:
// $$macro_$x, with the expansion depth after the macro's name when it is
// nested (bpftrace's names).
func (e *expander) rename(name string) string {
	base := "$$" + e.def.Name
	if n := len(e.st.stack); n != 1 {
		base += "_" + strconv.Itoa(n)
	}
	return base + "_" + name
}

func (e *expander) mapRef(m *ast.MapRef) *ast.MapRef {
	out := &ast.MapRef{Span: e.span(m.Span), Name: m.Name, Keys: e.exprs(m.Keys)}
	if e.def == nil {
		return out
	}
	if name, ok := e.maps[m.Name]; ok {
		out.Name = name
	} else {
		e.st.diags.Errorf(out.Span, "Unhygienic access to map: %s. Maps must be passed into the macro as arguments.", m.Name)
	}
	return out
}

func (e *expander) expr(x ast.Expr) ast.Expr {
	if e.st.nodes++; e.st.nodes > MaxNodes {
		return x // reported by the expansion that went over
	}
	switch x := x.(type) {
	case *ast.IntLit:
		c := *x
		c.Span = e.span(x.Span)
		return &c
	case *ast.StrLit:
		c := *x
		c.Span = e.span(x.Span)
		return &c
	case *ast.BoolLit:
		c := *x
		c.Span = e.span(x.Span)
		return &c
	case *ast.Positional:
		c := *x
		c.Span = e.span(x.Span)
		return &c
	case *ast.Variable:
		c := &ast.Variable{Span: e.span(x.Span), Name: x.Name}
		if e.def != nil {
			if name, ok := e.vars[x.Name]; ok {
				c.Name = name
			} else if e.own[x.Name] {
				c.Name = e.rename(x.Name)
			}
		}
		return c
	case *ast.MapRef:
		return e.mapRef(x)
	case *ast.Ident:
		if arg, ok := e.args[x.Name]; ok {
			return (&expander{st: e.st, plain: true}).expr(arg)
		}
		return e.use(x, x.Name, nil, &ast.Ident{Span: e.span(x.Span), Name: x.Name})
	case *ast.Call:
		c := &ast.Call{Span: e.span(x.Span), Name: x.Name, NameEnd: x.NameEnd, Args: e.exprs(x.Args)}
		return e.use(c, x.Name, c.Args, c)
	case *ast.Unary:
		return &ast.Unary{Span: e.span(x.Span), Op: x.Op, X: e.expr(x.X), Postfix: x.Postfix}
	case *ast.Binary:
		return &ast.Binary{Span: e.span(x.Span), Op: x.Op, OpPos: x.OpPos, X: e.expr(x.X), Y: e.expr(x.Y)}
	case *ast.Ternary:
		return &ast.Ternary{Span: e.span(x.Span), Cond: e.expr(x.Cond), Then: e.expr(x.Then), Else: e.expr(x.Else)}
	case *ast.Cast:
		return &ast.Cast{Span: e.span(x.Span), Type: e.typeExpr(x.Type), X: e.expr(x.X)}
	case *ast.Field:
		return &ast.Field{Span: e.span(x.Span), X: e.expr(x.X), Name: x.Name, Arrow: x.Arrow}
	case *ast.TupleIndex:
		return &ast.TupleIndex{Span: e.span(x.Span), X: e.expr(x.X), Index: x.Index}
	case *ast.Index:
		return &ast.Index{Span: e.span(x.Span), X: e.expr(x.X), Index: e.expr(x.Index)}
	case *ast.Tuple:
		return &ast.Tuple{Span: e.span(x.Span), Elems: e.exprs(x.Elems)}
	case *ast.Sizeof:
		if id, ok := x.X.(*ast.Ident); ok && e.typeParam(&ast.TypeExpr{Name: id.Name}) != nil {
			// sizeof(t) of a type parameter parses as an expression's.
			return &ast.Sizeof{Span: e.span(x.Span), Type: e.typeExpr(&ast.TypeExpr{Span: id.Span, Name: id.Name})}
		}
		return &ast.Sizeof{Span: e.span(x.Span), Type: e.typeExpr(x.Type), X: e.optExpr(x.X)}
	case *ast.Offsetof:
		return &ast.Offsetof{Span: e.span(x.Span), Type: e.typeExpr(x.Type), Field: e.fieldPath(x.Field)}
	case *ast.TypeArg:
		return &ast.TypeArg{Span: e.span(x.Span), Type: e.typeExpr(x.Type)}
	case *ast.BlockExpr:
		return &ast.BlockExpr{Span: e.span(x.Span), Stmts: e.stmts(x.Stmts), Value: e.optExpr(x.Value)}
	}
	return x
}

func (e *expander) typeExpr(t *ast.TypeExpr) *ast.TypeExpr {
	if t == nil {
		return nil
	}
	c := *t
	c.Span = e.span(t.Span)
	if ta := e.typeParam(t); ta != nil {
		// A type parameter, (type *)p: the type passed, typeof(struct
		// Foo), with the stars and array length written here.
		c = *ta.Type
		c.Span = e.span(t.Span)
		c.Ptr += t.Ptr
		if t.ArrayN != 0 {
			c.ArrayN = t.ArrayN
		}
		if c.Of != nil {
			c.Of = (&expander{st: e.st, plain: true}).expr(c.Of)
		}
	} else if arg, ok := e.args[t.Name]; ok && t.Of == nil {
		// typeof(x) of an expression parameter: the argument's type.
		c.Name, c.Of = "", (&expander{st: e.st, plain: true}).expr(arg)
	} else if t.Of != nil {
		c.Of = e.expr(t.Of)
	}
	return &c
}

// use expands a call or bare identifier that names a macro; x (already
// copied) stays when none matches.
func (e *expander) use(x ast.Expr, name string, args []ast.Expr, copied ast.Expr) ast.Expr {
	st := e.st
	if e.plain || st.reg[name] == nil {
		return copied
	}
	libOnly := len(st.stack) > 0 && st.stack[len(st.stack)-1].Library
	def, closest := st.reg.lookup(name, args, libOnly)
	if def == nil {
		if len(closest) == 0 || (st.isBuiltin != nil && st.isBuiltin(name)) {
			return copied // not a macro: a builtin or an unknown function
		}
		mismatch(st.diags, copied.NodeSpan(), name, args, closest[0])
		return copied
	}
	if st.count++; st.count > MaxExpansions || st.nodes > MaxNodes {
		if !st.tooBig {
			st.tooBig = true
			st.diags.Errorf(copied.NodeSpan(), "macro expansion too large (more than %d expansions or %d expressions)", MaxExpansions, MaxNodes)
		}
		return copied
	}
	for i, m := range st.stack {
		if m == def {
			chain := make([]string, 0, len(st.stack)-i+1)
			for _, m := range st.stack[i:] {
				chain = append(chain, m.Name)
			}
			chain = append(chain, def.Name)
			st.diags.Errorf(copied.NodeSpan(), "Recursive macro call detected. Call chain: %s", strings.Join(chain, " > "))
			return copied
		}
	}
	return e.expand(def, copied.NodeSpan(), args)
}

// expand copies def's body for a call at call with args (copied already).
func (e *expander) expand(def *ast.MacroDef, call ast.Span, args []ast.Expr) ast.Expr {
	st := e.st
	o := &ast.Origin{File: st.file, Text: st.text, From: call}
	if def.Span.Origin != nil {
		o.File, o.Text = def.Span.Origin.File, def.Span.Origin.Text
	}
	in := &expander{st: st, origin: o, def: def,
		vars: map[string]string{}, maps: map[string]string{}, args: map[string]ast.Expr{}, own: map[string]bool{}}
	for i, p := range def.Params {
		switch p := p.(type) {
		case *ast.Variable:
			in.vars[p.Name] = args[i].(*ast.Variable).Name
		case *ast.MapRef:
			in.maps[p.Name] = args[i].(*ast.MapRef).Name
		case *ast.Ident:
			arg := args[i]
			if isVar(arg) || isMap(arg) {
				// A variable or map passed as an expression is read, not
				// changed: `{ @m }`, as bpftrace wraps it.
				arg = &ast.BlockExpr{Span: call, Value: arg}
			}
			in.args[p.Name] = arg
		}
	}
	st.stack = append(st.stack, def)
	defer func() { st.stack = st.stack[:len(st.stack)-1] }()
	stmts := in.stmts(def.Body.Stmts)
	value := in.optExpr(def.Value)
	if len(stmts) == 0 && value != nil {
		// A body that is one expression is that expression: a literal
		// stays a literal (printf(fmt()) takes a macro's format).
		return value
	}
	return &ast.BlockExpr{Span: call, Stmts: stmts, Value: value}
}

// typeParam returns the type passed for the parameter type t names,
// `type` or `typeof(type)`, when the argument is a type (typeof(struct
// Foo)); nil otherwise.
func (e *expander) typeParam(t *ast.TypeExpr) *ast.TypeArg {
	name := t.Name
	if id, ok := t.Of.(*ast.Ident); ok {
		name = id.Name
	} else if t.Of != nil {
		return nil
	}
	ta, _ := e.args[name].(*ast.TypeArg)
	return ta
}

// fieldPath is the field path of offsetof(type, member) with a parameter
// as its first name replaced by the field (or dotted fields, a.b) passed
// for it.
func (e *expander) fieldPath(path []string) []string {
	if len(path) == 0 {
		return path
	}
	arg, ok := e.args[path[0]]
	if !ok {
		return path
	}
	names, ok := fieldNames(arg)
	if !ok {
		return path
	}
	return append(names, path[1:]...)
}

// fieldNames reads a field path passed as an argument: a name, or names
// joined by dots (a.b parses as a field of an identifier).
func fieldNames(x ast.Expr) ([]string, bool) {
	switch x := x.(type) {
	case *ast.Ident:
		return []string{x.Name}, true
	case *ast.Field:
		if x.Arrow {
			return nil, false
		}
		names, ok := fieldNames(x.X)
		return append(names, x.Name), ok
	}
	return nil, false
}
