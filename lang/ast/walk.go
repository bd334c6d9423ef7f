package ast

import (
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Inspect traverses the tree rooted at n in depth-first order, calling f for
// each node; if f returns false, the children of that node are skipped.
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	for _, c := range Children(n) {
		Inspect(c, f)
	}
}

// Children returns the direct children of n in source order.
func Children(n Node) []Node {
	var out []Node
	add := func(ns ...Node) {
		for _, c := range ns {
			if c != nil && !isNilNode(c) {
				out = append(out, c)
			}
		}
	}
	addExprs := func(es []Expr) {
		for _, e := range es {
			add(e)
		}
	}
	switch n := n.(type) {
	case *Program:
		for _, i := range n.Includes {
			add(i)
		}
		for _, m := range n.Macros {
			add(m)
		}
		for _, d := range n.CDefs {
			add(d)
		}
		if n.Config != nil {
			add(n.Config)
		}
		for _, d := range n.MapDecls {
			add(d)
		}
		for _, m := range n.MacroDefs {
			add(m)
		}
		for _, p := range n.Probes {
			add(p)
		}
	case *MacroDef:
		addExprs(n.Params)
		add(n.Body)
		add(n.Value)
	case *BlockExpr:
		for _, s := range n.Stmts {
			add(s)
		}
		add(n.Value)
	case *CDef:
		for _, f := range n.Fields {
			add(f)
		}
	case *CField:
		if n.Type != nil {
			add(n.Type)
		}
		add(n.Value)
	case *Config:
		for _, it := range n.Items {
			add(it)
		}
	case *ConfigItem:
		add(n.Value)
	case *Probe:
		for _, ap := range n.Points {
			add(ap)
		}
		add(n.Predicate)
		add(n.Body)
	case *Block:
		for _, s := range n.Stmts {
			add(s)
		}
	case *ExprStmt:
		add(n.X)
	case *AssignStmt:
		add(n.LHS, n.RHS)
	case *IfStmt:
		add(n.Cond, n.Then)
		add(n.Else)
	case *UnrollStmt:
		add(n.Count, n.Body)
	case *WhileStmt:
		add(n.Cond, n.Body)
	case *ForStmt:
		if n.Map != nil {
			add(n.Var, n.Map, n.Body)
		} else {
			add(n.Var, n.From, n.To, n.Body)
		}
	case *JumpStmt:
		add(n.Value)
	case *BlockStmt:
		add(n.Body)
	case *MapRef:
		addExprs(n.Keys)
	case *Call:
		addExprs(n.Args)
	case *Unary:
		add(n.X)
	case *Binary:
		add(n.X, n.Y)
	case *Ternary:
		add(n.Cond, n.Then, n.Else)
	case *Cast:
		add(n.Type, n.X)
	case *Field:
		add(n.X)
	case *TupleIndex:
		add(n.X)
	case *Index:
		add(n.X, n.Index)
	case *Tuple:
		addExprs(n.Elems)
	case *Record:
		for _, f := range n.Fields {
			add(f.Value)
		}
	case *Sizeof:
		if n.Type != nil {
			add(n.Type)
		}
		add(n.X)
	case *Offsetof:
		add(n.Type)
	case *TypeArg:
		add(n.Type)
	case *TypeExpr:
		add(n.Of)
	}
	return out
}

// isNilNode reports whether n is a typed nil pointer inside an interface.
func isNilNode(n Node) bool {
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// Dump writes an indented tree of n, one node per line with one space of
// indent per level, in the shape of `bpftrace -d`: probes list their attach
// points then their predicate and statements; `a->b` shows as `.` over
// `dereference`. annotate, if not nil, returns extra text for an expression
// (gbt -d passes its type), printed after " :: ".
func Dump(w io.Writer, n Node, annotate func(Expr) string) error {
	d := dumper{annotate: annotate}
	d.node(n, 0)
	_, err := io.WriteString(w, d.b.String())
	return err
}

type dumper struct {
	b        strings.Builder
	annotate func(Expr) string
}

// line writes one line at depth; e, if not nil, is annotated.
func (d *dumper) line(depth int, label string, e Expr) {
	d.b.WriteString(strings.Repeat(" ", depth))
	d.b.WriteString(label)
	if e != nil && d.annotate != nil {
		if a := d.annotate(e); a != "" {
			d.b.WriteString(" :: " + a)
		}
	}
	d.b.WriteByte('\n')
}

func (d *dumper) stmts(ss []Stmt, depth int) {
	for _, s := range ss {
		d.node(s, depth)
	}
}

func (d *dumper) node(n Node, depth int) {
	switch n := n.(type) {
	case *Program:
		d.line(depth, "Program", nil)
		for _, inc := range n.Includes {
			d.node(inc, depth+1)
		}
		for _, m := range n.Macros {
			d.node(m, depth+1)
		}
		for _, c := range n.CDefs {
			d.node(c, depth+1)
		}
		if n.Config != nil {
			d.node(n.Config, depth+1)
		}
		for _, m := range n.MapDecls {
			d.node(m, depth+1)
		}
		for _, m := range n.MacroDefs {
			d.node(m, depth+1)
		}
		for _, p := range n.Probes {
			d.node(p, depth+1)
		}
	case *MacroDef:
		d.line(depth, "macro "+n.Name, nil)
		d.exprs(n.Params, depth+1)
		d.stmts(n.Body.Stmts, depth+1)
		if n.Value != nil {
			d.expr(n.Value, depth+1)
		}
	case *Macro:
		d.line(depth, "#define "+n.Name+" "+n.Value, nil)
	case *Include:
		if n.System {
			d.line(depth, "#include <"+n.Path+">", nil)
		} else {
			d.line(depth, "#include \""+n.Path+"\"", nil)
		}
	case *CDef:
		d.line(depth, n.Kind+" "+n.Name, nil)
		for _, f := range n.Fields {
			d.node(f, depth+1)
		}
	case *CField:
		label := n.Name
		if n.Type != nil {
			label = TypeString(n.Type) + " " + n.Name
			if n.ArrayN > 0 {
				label += fmt.Sprintf("[%d]", n.ArrayN)
			}
			if n.Bits > 0 {
				label += fmt.Sprintf(" : %d", n.Bits)
			}
		}
		d.line(depth, label, nil)
		if n.Value != nil {
			d.node(n.Value, depth+1)
		}
	case *Config:
		d.line(depth, "config", nil)
		for _, it := range n.Items {
			d.node(it, depth+1)
		}
	case *MapDecl:
		d.line(depth, fmt.Sprintf("let %s = %s(%d)", n.Name, n.Kind, n.MaxEntries), nil)
	case *ConfigItem:
		d.line(depth, n.Key+" =", nil)
		d.node(n.Value, depth+1)
	case *Probe:
		for _, ap := range n.Points {
			d.node(ap, depth)
		}
		if n.Predicate != nil {
			d.line(depth+1, "pred", nil)
			d.node(n.Predicate, depth+2)
		}
		d.stmts(n.Body.Stmts, depth+1)
	case *AttachPoint:
		d.line(depth, n.Raw, nil)
	case *Block:
		d.line(depth, "block", nil)
		d.stmts(n.Stmts, depth+1)
	case *TypeExpr:
		d.line(depth, TypeString(n), nil)
	case Stmt:
		d.stmt(n, depth)
	case Expr:
		d.expr(n, depth)
	default:
		d.line(depth, fmt.Sprintf("%T", n), nil)
	}
}

func (d *dumper) stmt(s Stmt, depth int) {
	switch s := s.(type) {
	case *ExprStmt:
		d.expr(s.X, depth)
	case *AssignStmt:
		d.line(depth, s.Op.String(), nil)
		d.expr(s.LHS, depth+1)
		d.expr(s.RHS, depth+1)
	case *IfStmt:
		d.line(depth, "if", nil)
		d.expr(s.Cond, depth+1)
		d.line(depth+1, "then", nil)
		d.stmts(s.Then.Stmts, depth+2)
		switch e := s.Else.(type) {
		case *IfStmt:
			d.line(depth+1, "else", nil)
			d.stmt(e, depth+2)
		case *BlockStmt:
			d.line(depth+1, "else", nil)
			d.stmts(e.Body.Stmts, depth+2)
		}
	case *UnrollStmt:
		d.line(depth, "unroll", nil)
		d.expr(s.Count, depth+1)
		d.node(s.Body, depth+1)
	case *WhileStmt:
		d.line(depth, "while(", nil)
		d.expr(s.Cond, depth+1)
		d.node(s.Body, depth+1)
	case *ForStmt:
		d.line(depth, "for", nil)
		d.expr(s.Var, depth+1)
		if s.Map != nil {
			d.expr(s.Map, depth+1)
		} else { // for $i : from..to
			d.expr(s.From, depth+1)
			d.expr(s.To, depth+1)
		}
		d.node(s.Body, depth+1)
	case *JumpStmt:
		d.line(depth, s.Keyword, nil)
		if s.Value != nil {
			d.expr(s.Value, depth+1)
		}
	case *BlockStmt:
		d.node(s.Body, depth)
	default:
		d.line(depth, fmt.Sprintf("%T", s), nil)
	}
}

func (d *dumper) exprs(es []Expr, depth int) {
	for _, e := range es {
		d.expr(e, depth)
	}
}

func (d *dumper) expr(e Expr, depth int) {
	switch e := e.(type) {
	case *IntLit:
		d.line(depth, fmt.Sprintf("int: %d", e.Value), e)
	case *StrLit:
		q := quote(e.Value)
		d.line(depth, "string: "+q[1:len(q)-1], e)
	case *BoolLit:
		d.line(depth, fmt.Sprintf("bool: %v", e.Value), e)
	case *Ident:
		d.line(depth, "builtin: "+e.Name, e)
	case *Variable:
		d.line(depth, "variable: "+e.Name, e)
	case *Positional:
		if e.Count {
			d.line(depth, "param: $#", e)
		} else {
			d.line(depth, fmt.Sprintf("param: $%d", e.Index), e)
		}
	case *MapRef:
		d.line(depth, "map: "+e.Name, e)
		d.exprs(e.Keys, depth+1)
	case *Call:
		d.line(depth, "call: "+e.Name, e)
		d.exprs(e.Args, depth+1)
	case *Unary:
		switch {
		case e.Postfix:
			d.line(depth, e.Op.String()+" (post)", e)
		case e.Op == OpMul:
			d.line(depth, "dereference", e)
		default:
			d.line(depth, e.Op.String(), e)
		}
		d.expr(e.X, depth+1)
	case *Binary:
		d.line(depth, e.Op.String(), e)
		d.expr(e.X, depth+1)
		d.expr(e.Y, depth+1)
	case *Ternary:
		d.line(depth, "?:", e)
		d.expr(e.Cond, depth+1)
		if e.Then != nil {
			d.expr(e.Then, depth+1)
		}
		d.expr(e.Else, depth+1)
	case *BlockExpr:
		d.line(depth, "block expression", e)
		d.stmts(e.Stmts, depth+1)
		if e.Value != nil {
			d.expr(e.Value, depth+1)
		}
	case *Record:
		d.line(depth, "record:", e)
		for _, f := range e.Fields {
			d.line(depth+1, f.Name+" =", nil)
			d.expr(f.Value, depth+2)
		}
	case *Cast:
		d.line(depth, "("+TypeString(e.Type)+")", e)
		d.expr(e.X, depth+1)
	case *Field:
		d.line(depth, ".", e)
		if e.Arrow {
			d.line(depth+1, "dereference", nil)
			d.expr(e.X, depth+2)
		} else {
			d.expr(e.X, depth+1)
		}
		d.line(depth+1, e.Name, nil)
	case *TupleIndex:
		d.line(depth, ".", e)
		d.expr(e.X, depth+1)
		d.line(depth+1, fmt.Sprint(e.Index), nil)
	case *Index:
		d.line(depth, "[]", e)
		d.expr(e.X, depth+1)
		d.expr(e.Index, depth+1)
	case *Tuple:
		d.line(depth, "tuple:", e)
		d.exprs(e.Elems, depth+1)
	case *Sizeof:
		d.line(depth, "sizeof", e)
		if e.Type != nil {
			d.line(depth+1, TypeString(e.Type), nil)
		} else {
			d.expr(e.X, depth+1)
		}
	case *Offsetof:
		d.line(depth, "offsetof", e)
		d.line(depth+1, TypeString(e.Type), nil)
		d.line(depth+1, strings.Join(e.Field, "."), nil)
	case *TypeArg:
		d.line(depth, typeArgString(e), e)
	default:
		d.line(depth, fmt.Sprintf("%T", e), e)
	}
}
