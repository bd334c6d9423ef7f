package ast

import (
	"strings"
	"testing"
)

func lit(s string) *IntLit { return &IntLit{Raw: s} }

func bin(op Op, x, y Expr) *Binary { return &Binary{Op: op, X: x, Y: y} }

func TestExprString(t *testing.T) {
	v := &Variable{Name: "$x"}
	tests := []struct {
		e    Expr
		want string
	}{
		{bin(OpSub, lit("1"), bin(OpSub, lit("2"), lit("3"))), "1 - (2 - 3)"},
		{bin(OpSub, bin(OpSub, lit("1"), lit("2")), lit("3")), "1 - 2 - 3"},
		{bin(OpMul, bin(OpAdd, lit("1"), lit("2")), lit("3")), "(1 + 2) * 3"},
		{bin(OpAdd, lit("1"), bin(OpMul, lit("2"), lit("3"))), "1 + 2 * 3"},
		{bin(OpShl, lit("1"), bin(OpAdd, lit("2"), lit("3"))), "1 << 2 + 3"},
		{bin(OpLAnd, bin(OpLOr, v, v), v), "($x || $x) && $x"},
		{&Unary{Op: OpSub, X: &Unary{Op: OpSub, X: v}}, "- -$x"},
		{&Unary{Op: OpSub, X: &Unary{Op: OpDec, X: v}}, "- --$x"},
		{&Unary{Op: OpAnd, X: &Unary{Op: OpAnd, X: v}}, "& &$x"},
		{&Unary{Op: OpNot, X: bin(OpEql, v, lit("1"))}, "!($x == 1)"},
		{&Unary{Op: OpInc, X: v, Postfix: true}, "$x++"},
		{&Unary{Op: OpMul, X: &Cast{Type: &TypeExpr{Name: "uint8", Ptr: 1}, X: v}}, "*(uint8 *)$x"},
		{&Cast{Type: &TypeExpr{Name: "int8", ArrayN: 4}, X: bin(OpAdd, v, lit("1"))}, "(int8[4])($x + 1)"},
		{&Ternary{Cond: &Ternary{Cond: v, Then: v, Else: v}, Then: v, Else: &Ternary{Cond: v, Then: v, Else: v}}, "($x ? $x : $x) ? $x : $x ? $x : $x"},
		{&Field{X: &Field{X: &Ident{Name: "curtask"}, Name: "parent", Arrow: true}, Name: "pid", Arrow: true}, "curtask->parent->pid"},
		{&Field{X: bin(OpAdd, v, v), Name: "f"}, "($x + $x).f"},
		{&TupleIndex{X: &Tuple{Elems: []Expr{v, lit("2")}}, Index: 1}, "($x, 2).1"},
		{&MapRef{Name: "@m", Keys: []Expr{v, &StrLit{Value: "a\n\"\x01"}}}, `@m[$x, "a\n\"\x01"]`},
		{&Sizeof{Type: &TypeExpr{Name: "struct task_struct"}}, "sizeof(struct task_struct)"},
		{&Offsetof{Type: &TypeExpr{Name: "struct x"}, Field: []string{"a", "b"}}, "offsetof(struct x, a.b)"},
		{&Positional{Count: true}, "$#"},
	}
	for _, tt := range tests {
		if got := ExprString(tt.e); got != tt.want {
			t.Errorf("got %s, want %s", got, tt.want)
		}
	}
}

func TestFormatProgram(t *testing.T) {
	prog := &Program{
		Includes: []*Include{{Path: `a"b.h`}, {Path: "linux/sched.h", System: true}},
		CDefs:    []*CDef{{Kind: "struct", Name: "ops", Body: " int (*f)(void); "}},
		Probes: []*Probe{{
			Points:    []*AttachPoint{{Raw: "kprobe:f"}, {Raw: "kprobe:g"}},
			Predicate: &Unary{Op: OpMul, X: &Ident{Name: "arg0"}},
			Body: &Block{Stmts: []Stmt{
				&IfStmt{Cond: &Ident{Name: "pid"}, Then: &Block{}, Else: &IfStmt{Cond: lit("1"), Then: &Block{Stmts: []Stmt{&JumpStmt{Keyword: "return"}}}}},
				&AssignStmt{LHS: &MapRef{Name: "@"}, Op: OpAddAssign, RHS: lit("1")},
			}},
		}},
	}
	want := `#include "a"b.h"
#include <linux/sched.h>

struct ops { int (*f)(void); };

kprobe:f, kprobe:g / *arg0/ {
    if (pid) {
    } else if (1) {
        return;
    }
    @ += 1;
}
`
	var b strings.Builder
	if err := Fprint(&b, prog); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	n := 0
	Inspect(prog, func(Node) bool { n++; return true })
	if n != 20 {
		t.Errorf("Inspect visited %d nodes, want 20", n)
	}
}

// TestSetOrigin: every span of a tree, embedded or a field, gets the
// Origin, and a span that has one keeps it.
func TestSetOrigin(t *testing.T) {
	kept := &Origin{File: "macro.bt"}
	call := &Call{Name: "f", Args: []Expr{&IntLit{Value: 1}, &IntLit{Span: Span{Origin: kept}}}}
	probe := &Probe{Body: &Block{Stmts: []Stmt{&ExprStmt{X: call}}}}
	o := &Origin{File: "lib.bt"}
	SetOrigin([]*Probe{probe}, o)
	var spans []*Origin
	Inspect(probe, func(n Node) bool {
		if n != nil {
			spans = append(spans, n.NodeSpan().Origin)
		}
		return true
	})
	if len(spans) < 5 {
		t.Fatalf("visited %d nodes, want 5", len(spans))
	}
	for i, got := range spans {
		want := o
		if i == len(spans)-1 {
			want = kept
		}
		if got != want {
			t.Errorf("node %d: origin %v, want %v", i, got, want)
		}
	}
}
