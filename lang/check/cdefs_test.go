package check_test

import (
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
)

// TestCDefLayout lays out script structs and unions as gcc does on x86-64
// (the sizes and offsets in the comments are gcc's), through the constants
// sizeof and offsetof fold to.
func TestCDefLayout(t *testing.T) {
	tests := []struct {
		defs string
		expr string
		want int64
	}{
		{"struct A { int x[4]; }", "sizeof(struct A)", 16},
		{"struct B { int y[2][2]; }", "sizeof(struct B)", 16},
		{"struct C { char c; long l; short s; }", "sizeof(struct C)", 24},
		{"struct C { char c; long l; short s; }", "offsetof(struct C, s)", 16},
		{"union U { char c[3]; int i; short s; }", "sizeof(union U)", 4},
		{"union U { char c[3]; int i; long l; }", "offsetof(union U, l)", 0},
		// Nested named and anonymous members; a missing ';' before '}'.
		{"struct In { char a; int b; } struct Out { char c; struct In in; }", "offsetof(struct Out, in)", 4},
		{"struct Out { char c; struct { int m[1] } y; struct { int n } a; }", "sizeof(struct Out)", 12},
		{"struct Out { char c; union { long l; int i; }; int after; }", "offsetof(struct Out, i)", 8},
		{"struct Out { char c; union { long l; int i; }; int after; }", "offsetof(struct Out, after)", 16},
		// Bit-fields share their unit; pointers and enums.
		{"struct F { unsigned a:3, b:5; unsigned c:30; char d; }", "sizeof(struct F)", 12},
		{"struct F { unsigned a:3, b:5; unsigned c:30; char d; }", "offsetof(struct F, d)", 8},
		{"struct P { char c; void *p; struct P *next; enum e { X } kind; }", "sizeof(struct P)", 32},
		{"struct T { uint32_t a; uint64_t b; const char *s; unsigned long long int u; }", "offsetof(struct T, u)", 24},
		// Type names without the words that make them one (bpftrace
		// resolves them through BTF): integer typedefs, keywordless
		// structs.
		{"struct Foo { char c; int x; }", "offsetof(Foo, x)", 4},
		{"struct Foo { char c; int x; }", "sizeof(Foo)", 8},
		{"", "sizeof(uint64_t)", 8},
		{"", "sizeof(__u16)", 2},
		{"", "sizeof(size_t)", 8},
		{"", "offsetof(__kernel_timespec, tv_nsec)", 8},
		{"", "sizeof(task_struct)", 3264},
		// float and double members take their room (bpftrace's none type).
		{"struct S { int m; double d; float f; }", "sizeof(struct S)", 24},
		{"struct S { int m; double d; float f; }", "offsetof(struct S, f)", 16},
		{"union N { int i; float f; } struct Foo { char m; union N n; }", "offsetof(struct Foo, n)", 4},
		// Flexible array members (data[0] and data[]) take no room.
		{"struct D { int x; int y[0]; }", "sizeof(struct D)", 4},
		{"struct D { long x; char y[]; }", "offsetof(struct D, y)", 8},
		// A script struct hides the kernel's struct of the same name; one
		// that does not redefine a kernel struct may embed one.
		{"struct task_struct { int pid; }", "sizeof(struct task_struct)", 4},
		{"struct Mine { char c; struct sched_entity se; }", "sizeof(struct Mine)", 328},
		// Attributes after the body: packed drops the padding; aligned(N)
		// rounds the size up; comments may sit between them.
		{"struct K { int x; char y; int z; } __attribute__((packed))", "sizeof(struct K)", 9},
		{"struct K { int x; char y; int z; } __attribute__((packed))", "offsetof(struct K, z)", 5},
		{"struct K { int x; char y; int z; } __attribute__((packed)) __attribute__((aligned(1)))", "sizeof(struct K)", 9},
		{"struct K { int x; char y; } /**/ __attribute__ /**/ ((aligned(16))) /**/", "sizeof(struct K)", 16},
		{"struct K { char c; short s; } __attribute__((__packed__, aligned(4)))", "sizeof(struct K)", 4},
	}
	for _, tt := range tests {
		src := tt.defs + " BEGIN { @x = " + tt.expr + "; }"
		info, out := checkSource(src)
		if info == nil {
			t.Errorf("%s:\n%s", src, out)
			continue
		}
		rhs := info.Prog.Probes[0].Body.Stmts[0].(*ast.AssignStmt).RHS
		if got, ok := info.Consts[rhs]; !ok || got != tt.want {
			t.Errorf("%s: %s = %d (constant %v), want %d", tt.defs, tt.expr, got, ok, tt.want)
		}
	}
}

// TestCDefTypes: script structs as the types of casts, fields, values and
// keys.
func TestCDefTypes(t *testing.T) {
	src := `struct A { int x[4]; struct A *next; char name[8]; } struct B { int y[2][2]; }
kprobe:vfs_read { $a = (struct A *)arg0; @v = *$a; @k[*$a] = 1; $x = $a->x; $n = $a->next->name; $y = ((struct B *)arg1)->y[1]; $e = $y[0]; }`
	info, out := checkSource(src)
	if info == nil {
		t.Fatalf("%s", out)
	}
	want := map[string]string{"$a": "struct A *", "@v": "struct A", "$x": "int32[4]", "$n": "string[8]", "$y": "int32[2]", "$e": "int32"}
	for name, w := range want {
		var got string
		if m := info.Maps[name]; m != nil {
			got = m.Value.String()
		} else if v := info.Probes[0].Vars[name]; v != nil {
			got = v.Type.String()
		}
		if got != w {
			t.Errorf("%s: %s, want %s", name, got, w)
		}
	}
	if k := info.Maps["@k"]; k == nil || k.Key.String() != "struct A" {
		t.Errorf("@k's key: %v", k)
	}
	// A char array member is a string its size bounds: printed without
	// str_trunc_trailer when it has no NUL.
	if n := info.Probes[0].Vars["$n"]; n == nil || !n.Type.CharArray {
		t.Errorf("$n: %v, want a char array string", n)
	}
}

// TestCDefBitfieldsUnsigned: bpftrace reads bit-fields as unsigned, whatever
// their declared type (its suite's bitfield_access_2).
func TestCDefBitfieldsUnsigned(t *testing.T) {
	info, out := checkSource(`struct Bar { short a:4, b:8; int e:9; } kprobe:vfs_read { $b = (struct Bar *)arg0; $x = $b->b; $y = $b->e; }`)
	if info == nil {
		t.Fatalf("%s", out)
	}
	for _, name := range []string{"$x", "$y"} {
		if v := info.Probes[0].Vars[name]; v == nil || v.Type.Signed {
			t.Errorf("%s: %v, want an unsigned integer", name, v)
		}
	}
}
