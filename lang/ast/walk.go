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
		for _, d := range n.CDefs {
			add(d)
		}
		if n.Config != nil {
			add(n.Config)
		}
		for _, p := range n.Probes {
			add(p)
		}
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
		add(n.Var, n.Map, n.Body)
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
	case *Sizeof:
		if n.Type != nil {
			add(n.Type)
		}
		add(n.X)
	case *Offsetof:
		add(n.Type)
	}
	return out
}

// isNilNode reports whether n is a typed nil pointer inside an interface.
func isNilNode(n Node) bool {
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// Dump writes an indented tree of n, one node per line, like bpftrace -d.
// annotate, if not nil, returns extra text for an expression (its type).
func Dump(w io.Writer, n Node, annotate func(Expr) string) error {
	var b strings.Builder
	dump(&b, n, 0, annotate)
	_, err := io.WriteString(w, b.String())
	return err
}

func dump(b *strings.Builder, n Node, depth int, annotate func(Expr) string) {
	b.WriteString(strings.Repeat(" ", depth))
	b.WriteString(nodeLabel(n))
	if e, ok := n.(Expr); ok && annotate != nil {
		if a := annotate(e); a != "" {
			b.WriteString(" :: " + a)
		}
	}
	b.WriteByte('\n')
	for _, c := range Children(n) {
		dump(b, c, depth+1, annotate)
	}
}

func nodeLabel(n Node) string {
	switch n := n.(type) {
	case *Program:
		return "Program"
	case *Include:
		return "#include " + n.Path
	case *CDef:
		return n.Kind + " " + n.Name
	case *CField:
		return "field " + n.Name
	case *Config:
		return "config"
	case *ConfigItem:
		return n.Key + " ="
	case *Probe:
		return "probe"
	case *AttachPoint:
		return n.Raw
	case *Block:
		return "block"
	case *ExprStmt:
		return "expr"
	case *AssignStmt:
		return n.Op
	case *IfStmt:
		return "if"
	case *UnrollStmt:
		return "unroll"
	case *WhileStmt:
		return "while"
	case *ForStmt:
		return "for"
	case *JumpStmt:
		return n.Keyword
	case *BlockStmt:
		return "block"
	case *TypeExpr:
		return "type " + TypeString(n)
	case *IntLit:
		return "int: " + n.Raw
	case *StrLit:
		return "string: " + quote(n.Value)
	case *BoolLit:
		return fmt.Sprintf("bool: %v", n.Value)
	case *Ident:
		return "builtin: " + n.Name
	case *Variable:
		return "variable: " + n.Name
	case *Positional:
		if n.Count {
			return "param: $#"
		}
		return fmt.Sprintf("param: $%d", n.Index)
	case *MapRef:
		return "map: " + n.Name
	case *Call:
		return "call: " + n.Name
	case *Unary:
		if n.Postfix {
			return "postfix " + n.Op
		}
		return "unop " + n.Op
	case *Binary:
		return n.Op
	case *Ternary:
		return "?:"
	case *Cast:
		return "cast"
	case *Field:
		if n.Arrow {
			return "->" + n.Name
		}
		return "." + n.Name
	case *TupleIndex:
		return fmt.Sprintf(".%d", n.Index)
	case *Index:
		return "[]"
	case *Tuple:
		return "tuple"
	case *Sizeof:
		return "sizeof"
	case *Offsetof:
		return "offsetof " + strings.Join(n.Field, ".")
	}
	return fmt.Sprintf("%T", n)
}
