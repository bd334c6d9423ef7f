package check_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
)

// TestEnumTypes: an enumerator has the type of its enum; a variable or
// map slot keeps it while every value stored has that enum, and becomes a
// plain integer once arithmetic, ++, += or another integer reaches it, as
// in the newest bpftrace.
func TestEnumTypes(t *testing.T) {
	const defs = "enum Foo { ONE = 1, TWO = 2 }; enum Bar { X = 1 }; enum { ANON = 7 }; "
	tests := []struct {
		body string
		want map[string]string // map (value; "@m[]" for its key) or $var name → type
	}{
		{`$a = ONE; $b = ANON; $c = (enum Foo)1; $d = (enum Foo)$a; $e = ONE ? TWO : ONE;`,
			map[string]string{"$a": "enum Foo", "$b": "enum <anonymous>", "$c": "enum Foo", "$d": "enum Foo", "$e": "enum Foo"}},
		{`$a = ONE + 1; $b = -ONE; $c = (int64)ONE; $d = ONE ? TWO : X; $e = 1 ? ONE : 2;`,
			map[string]string{"$a": "int64", "$b": "int64", "$c": "int64", "$d": "int64", "$e": "int64"}},
		{`$a = ONE; $a = TWO; $b = ONE; $b = 5; $c = 5; $c = ONE; $d = ONE; $d = X;`,
			map[string]string{"$a": "enum Foo", "$b": "int64", "$c": "int64", "$d": "int64"}},
		{`$a = ONE; $a++; $b = TWO; $b += 1; @c = ONE; @c--; @d = ONE; @d -= 1;`,
			map[string]string{"$a": "int64", "$b": "int64", "@c": "int64", "@d": "int64"}},
		{`@a = ONE; @b = ONE; @b = 2; @c = (ONE, "s"); @d = (ONE, 1); @d = (2, 1); @e[ONE] = 1; @f[ONE] = 1; @f[2] = 1; @g[ONE, TWO] = 1;`,
			map[string]string{"@a": "enum Foo", "@b": "int64", "@c": "(enum Foo,string[2])", "@d": "(int64,int8)",
				"@e[]": "enum Foo", "@f[]": "int64", "@g[]": "(enum Foo,enum Foo)"}},
		{`$a = sizeof(enum Foo); $b = sizeof(ONE);`, map[string]string{"$a": "uint64", "$b": "uint64"}},
		// A kernel enum's variants (from BTF) print as theirs, as in the
		// newest bpftrace.
		{`$a = BPF_MAP_TYPE_HASH; $a = BPF_MAP_TYPE_ARRAY; @b[BPF_MAP_TYPE_HASH] = 1; $c = BPF_MAP_TYPE_HASH; $c = ONE;`,
			map[string]string{"$a": "enum bpf_map_type", "@b[]": "enum bpf_map_type", "$c": "int64"}},
	}
	for _, tt := range tests {
		src := defs + "BEGIN { " + tt.body + " }"
		info, out := checkSource(src)
		if info == nil {
			t.Errorf("%s:\n%s", tt.body, out)
			continue
		}
		for name, want := range tt.want {
			var got string
			switch {
			case strings.HasSuffix(name, "[]"):
				m := info.Maps[strings.TrimSuffix(name, "[]")]
				if m == nil {
					t.Errorf("%s: no map %s", tt.body, name)
					continue
				}
				got = m.Key.String()
			case strings.HasPrefix(name, "@"):
				m := info.Maps[name]
				if m == nil {
					t.Errorf("%s: no map %s", tt.body, name)
					continue
				}
				got = m.Value.String()
			default:
				v := info.Probes[0].Vars[name]
				if v == nil {
					t.Errorf("%s: no variable %s", tt.body, name)
					continue
				}
				got = v.Type.String()
			}
			if got != want {
				t.Errorf("%s: %s is %s, want %s", tt.body, name, got, want)
			}
		}
	}
}

// TestEnumConstants: enumerators (counting on from the last value given),
// casts of constants to an enum and sizeof of an enum fold.
func TestEnumConstants(t *testing.T) {
	src := "enum Foo { A, B, C = 10, D, E = -3, F }; BEGIN { $a = A; $b = B; $c = C; $d = D; $e = E; $f = F; $g = (enum Foo)11; $h = sizeof(enum Foo); }"
	info, out := checkSource(src)
	if info == nil {
		t.Fatal(out)
	}
	want := map[string]int64{"$a": 0, "$b": 1, "$c": 10, "$d": 11, "$e": -3, "$f": -2, "$g": 11, "$h": 8}
	for _, st := range info.Prog.Probes[0].Body.Stmts {
		as := st.(*ast.AssignStmt)
		name := as.LHS.(*ast.Variable).Name
		if v, ok := info.Consts[as.RHS]; !ok || v != want[name] {
			t.Errorf("%s = %d (folded %v), want %d", name, v, ok, want[name])
		}
	}
}
