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

// TestKernelEnumValues: a tracepoint field declared `enum NAME` and a BTF
// member of enum type are integers of their size (4 bytes) of the
// kernel's enum, the one its enumerators have; a map keeps the enum at 8
// bytes, as the enumerators are.
func TestKernelEnumValues(t *testing.T) {
	tests := []struct {
		src  string
		want map[string]string // as TestEnumTypes's
	}{
		{`tracepoint:timer:hrtimer_start { $m = args.mode; @m = args.mode; @k[args.mode] = 1; $e = args.expires; @t = (args.mode, 1); }`,
			map[string]string{"$m": "enum hrtimer_mode", "@m": "enum hrtimer_mode", "@k[]": "enum hrtimer_mode", "$e": "int64",
				"@t": "(enum hrtimer_mode,int8)"}},
		{`BEGIN { $t = ((struct bpf_map *)0)->map_type; $t = BPF_MAP_TYPE_HASH; @u = 1 ? $t : BPF_MAP_TYPE_ARRAY;
			@k[$t] = 1; @k[BPF_MAP_TYPE_HASH] = 2; $q = ((struct bpf_map *)0)->map_type; $q = 5; $n = ((struct bpf_map *)0)->max_entries; }`,
			map[string]string{"$t": "enum bpf_map_type", "@u": "enum bpf_map_type", "@k[]": "enum bpf_map_type", "$q": "uint32", "$n": "uint32"}},
		{`BEGIN { $a = ((struct bpf_map *)0)->map_type; $b = $a + 1; @c = ((struct bpf_map *)0)->map_type; @c++; }`,
			map[string]string{"$a": "enum bpf_map_type", "$b": "uint64", "@c": "int64"}},
	}
	for _, tt := range tests {
		info, out := checkSource(tt.src)
		if info == nil {
			t.Errorf("%s:\n%s", tt.src, out)
			continue
		}
		for name, want := range tt.want {
			var got string
			switch {
			case strings.HasSuffix(name, "[]"):
				got = info.Maps[strings.TrimSuffix(name, "[]")].Key.String()
			case strings.HasPrefix(name, "@"):
				got = info.Maps[name].Value.String()
			default:
				got = info.Probes[0].Vars[name].Type.String()
			}
			if got != want {
				t.Errorf("%s: %s is %s, want %s", tt.src, name, got, want)
			}
		}
	}
	// The field keeps its size: 4 bytes, as the format file and BTF say.
	for _, src := range []string{
		`tracepoint:timer:hrtimer_start { $s = sizeof(args.mode); $v = args.mode; $w = sizeof($v); }`,
		`BEGIN { $s = sizeof(((struct bpf_map *)0)->map_type); $v = ((struct bpf_map *)0)->map_type; $w = sizeof($v); }`,
	} {
		info, out := checkSource(src)
		if info == nil {
			t.Fatalf("%s:\n%s", src, out)
		}
		for _, st := range info.Prog.Probes[0].Body.Stmts {
			as := st.(*ast.AssignStmt)
			name := as.LHS.(*ast.Variable).Name
			if name == "$v" {
				continue
			}
			if v, ok := info.Consts[as.RHS]; !ok || v != 4 {
				t.Errorf("%s: %s = %d (folded %v), want 4", src, name, v, ok)
			}
		}
	}
}
