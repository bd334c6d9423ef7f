package output

import (
	"bytes"
	"testing"

	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
)

// TestCompatShapes: each output difference between bpftrace 0.17 and the
// newest bpftrace, printed with compat.V017 and compat.Newest. The 0.17
// shapes are what /usr/bin/bpftrace 0.17 prints for the same values.
func TestCompatShapes(t *testing.T) {
	foo := types.Type{Kind: types.Record, Name: "struct Foo", Size: 16, Fields: []types.Field{
		{Name: "m", Type: types.I32, Offset: 0}, {Name: "n", Type: types.I32, Offset: 4},
		{Name: "p", Type: types.PointerTo(types.I32, types.Kernel), Offset: 8}}}
	fooBytes := cat(i32(2), i32(3), i64(0x20))
	y := types.Type{Kind: types.Record, Size: 4, Fields: []types.Field{{Name: "m", Type: types.ArrayOf(types.I32, 1)}}}
	a := types.Type{Kind: types.Record, Size: 4, Fields: []types.Field{{Name: "n", Type: types.I32}}}
	nested := types.Type{Kind: types.Record, Name: "struct Bar", Size: 8, Fields: []types.Field{
		{Name: "y", Type: y, Offset: 0}, {Name: "a", Type: a, Offset: 4}}}
	ptr := types.PointerTo(types.I8, types.Kernel)
	for _, tt := range []struct {
		name        string
		f           Format
		print       func(p *Printer) error
		newest, old string
	}{
		{"pointer map value", Text, func(p *Printer) error {
			return p.PrintMap(MapLayout{Name: "@", Key: types.Type{Kind: types.Void}, Value: ptr}, []Entry{plain(nil, i64(33))}, 0, 0)
		}, "@: 0x21\n", "@: 33\n"},
		{"pointer in tuple", Text, func(p *Printer) error {
			return p.PrintValue(types.TupleOf(types.I64, ptr), cat(i64(1), i64(9)))
		}, "(1, 0x9)\n", "(1, 9)\n"},
		{"struct value", Text, func(p *Printer) error { return p.PrintValue(foo, fooBytes) },
			"{ .m = 2, .n = 3, .p = 0x20 }\n", "{ .m = 2, .n = 3, .p = 32 }\n"},
		{"struct key", Text, func(p *Printer) error {
			return p.PrintMap(MapLayout{Name: "@s", Key: foo, Value: types.I64}, []Entry{plain(fooBytes, i64(0))}, 0, 0)
		}, "@s[{ .m = 2, .n = 3, .p = 0x20 }]: 0\n", "@s[{.m=2,.n=3,.p=0x20}]: 0\n"},
		{"struct in multikey", Text, func(p *Printer) error {
			k := types.TupleOf(foo, types.I64)
			return p.PrintMap(MapLayout{Name: "@s", Key: k, Value: types.I64}, []Entry{plain(cat(fooBytes, i64(42)), i64(0))}, 0, 0)
		}, "@s[{ .m = 2, .n = 3, .p = 0x20 }, 42]: 0\n", "@s[{.m=2,.n=3,.p=0x20}, 42]: 0\n"},
		{"stats", Text, func(p *Printer) error {
			return p.PrintMap(MapLayout{Name: "@", Key: types.Type{Kind: types.Void}, Value: agg(types.Stats, true)}, []Entry{avgOf(nil, -10, -5, 5)}, 0, 0)
		}, "@: { .count = 3, .average = -3, .total = -10 }\n", "@: count 3, average -3, total -10\n\n"},
		{"unsigned key", Text, func(p *Printer) error {
			return p.PrintMap(MapLayout{Name: "@k", Key: types.U64, Value: types.I64}, []Entry{plain(i64(-1), i64(1))}, 0, 0)
		}, "@k[18446744073709551615]: 1\n", "@k[-1]: 1\n"},
		{"unsigned key json", JSON, func(p *Printer) error {
			return p.PrintMap(MapLayout{Name: "@k", Key: types.U64, Value: types.I64}, []Entry{plain(i64(-1), i64(1))}, 0, 0)
		}, `{"type": "map", "data": {"@k": {"18446744073709551615": 1}}}` + "\n", `{"type": "map", "data": {"@k": {"-1": 1}}}` + "\n"},
		{"bool", Text, func(p *Printer) error {
			return p.PrintValue(types.TupleOf(types.Boolean, types.Boolean), []byte{1, 0})
		}, "(true, false)\n", "(1, 0)\n"},
		{"bool json", JSON, func(p *Printer) error { return p.PrintValue(types.Boolean, []byte{1}) },
			`{"type": "value", "data": true}` + "\n", `{"type": "value", "data": 1}` + "\n"},
		{"json struct", JSON, func(p *Printer) error { return p.PrintValue(foo, fooBytes) },
			`{"type": "value", "data": {"m": 2, "n": 3, "p": 32}}` + "\n", `{"type": "value", "data": { "m": 2, "n": 3, "p": 32 }}` + "\n"},
		{"json nested struct", JSON, func(p *Printer) error { return p.PrintValue(nested, cat(i32(2), i32(3))) },
			`{"type": "value", "data": {"y": {"m": [2]}, "a": {"n": 3}}}` + "\n",
			`{"type": "value", "data": { "y": { "m": [2] }, "a": { "n": 3 } }}` + "\n"},
		{"json tuple with struct", JSON, func(p *Printer) error {
			return p.PrintMap(MapLayout{Name: "@", Key: types.Type{Kind: types.Void}, Value: types.TupleOf(types.I64, foo)}, []Entry{plain(nil, cat(i64(0), fooBytes))}, 0, 0)
		}, `{"type": "map", "data": {"@": [0,{"m": 2, "n": 3, "p": 32}]}}` + "\n", `{"type": "map", "data": {"@": [0,{ "m": 2, "n": 3, "p": 32 }]}}` + "\n"},
		{"attached probes json", JSON, func(p *Printer) error { return p.AttachedProbes(2) },
			`{"type": "attached_probes", "count": 2, "data": {"probes": 2}}` + "\n", `{"type": "attached_probes", "data": {"probes": 2}}` + "\n"},
	} {
		for _, v := range []compat.Version{compat.Newest, compat.V017} {
			var out bytes.Buffer
			p := NewPrinter(&out, tt.f)
			p.SetCompat(v)
			if err := tt.print(p); err != nil {
				t.Fatalf("%s (%v): %v", tt.name, v, err)
			}
			want := tt.newest
			if v == compat.V017 {
				want = tt.old
			}
			if out.String() != want {
				t.Errorf("%s (%v): %q, want %q", tt.name, v, out.String(), want)
			}
		}
	}
}

// TestCompatPrintf: printf's %s of a bool follows the release too.
func TestCompatPrintf(t *testing.T) {
	for _, tt := range []struct {
		v    compat.Version
		want string
	}{{compat.Newest, "true 16"}, {compat.V017, "1 16"}} {
		pf, err := CompilePrintf("%s %d", []types.Type{types.Boolean, types.PointerTo(types.I8, types.Kernel)}, []int{0, 8})
		if err != nil {
			t.Fatal(err)
		}
		pf.SetCompat(tt.v)
		got := pf.Append(nil, cat([]byte{1}, make([]byte, 7), i64(16)))
		if string(got) != tt.want {
			t.Errorf("%v: %q, want %q", tt.v, got, tt.want)
		}
	}
}
