package output

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
)

func i32(v int32) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }

// TestPrintRecords: print() of structs, nested structs with arrays, and a
// tuple holding a struct, in text (0.17's { .m = 2 }) and JSON (the newest
// bpftrace's {"m": 2}, as its json-output tests expect them).
func TestPrintRecords(t *testing.T) {
	foo := types.Type{Kind: types.Record, Name: "struct Foo", Size: 8, Fields: []types.Field{
		{Name: "m", Type: types.I32, Offset: 0}, {Name: "n", Type: types.I32, Offset: 4}}}
	y := types.Type{Kind: types.Record, Size: 4, Fields: []types.Field{{Name: "m", Type: types.ArrayOf(types.I32, 1)}}}
	a := types.Type{Kind: types.Record, Size: 4, Fields: []types.Field{{Name: "n", Type: types.I32}}}
	nested := types.Type{Kind: types.Record, Name: "struct Foo", Size: 8, Fields: []types.Field{
		{Name: "y", Type: y, Offset: 0}, {Name: "a", Type: a, Offset: 4}}}
	twoThree := cat(i32(2), i32(3))
	for _, tt := range []struct {
		name       string
		t          types.Type
		b          []byte
		text, json string
	}{
		{"struct", foo, twoThree, "{ .m = 2, .n = 3 }\n", `{"type": "value", "data": {"m": 2, "n": 3}}` + "\n"},
		{"nested", nested, twoThree, "{ .y = { .m = [2] }, .a = { .n = 3 } }\n",
			`{"type": "value", "data": {"y": {"m": [2]}, "a": {"n": 3}}}` + "\n"},
		{"pointer member", types.Type{Kind: types.Record, Size: 16, Fields: []types.Field{
			{Name: "n", Type: types.PointerTo(types.I32, types.User)}, {Name: "c", Type: types.I8, Offset: 8}}},
			cat(i64(0x7ffd10), i64(120)), "{ .n = 0x7ffd10, .c = 120 }\n", `{"type": "value", "data": {"n": 8387856, "c": 120}}` + "\n"},
		{"tuple", types.TupleOf(types.I64, foo), cat(i64(0), twoThree), "(0, { .m = 2, .n = 3 })\n",
			`{"type": "value", "data": [0,{"m": 2, "n": 3}]}` + "\n"},
		{"pointer", types.TupleOf(types.PointerTo(types.I8, types.Kernel), types.I64), cat(i64(0x40), i64(1)),
			"(0x40, 1)\n", `{"type": "value", "data": [64,1]}` + "\n"},
		{"bools", types.TupleOf(types.Boolean, types.Boolean, types.I64), cat([]byte{1, 0}, make([]byte, 6), i64(7)),
			"(true, false, 7)\n", `{"type": "value", "data": [true,false,7]}` + "\n"},
		// A float member (bpftrace's none type) prints null, as
		// json-output "none type" expects.
		{"float member", types.Type{Kind: types.Record, Size: 8, Fields: []types.Field{
			{Name: "i", Type: types.I32}, {Name: "f", Type: types.NoneOf(4), Offset: 4}}}, twoThree,
			"{ .i = 2, .f = null }\n", `{"type": "value", "data": {"i": 2, "f": null}}` + "\n"},
		{"record literal", types.RecordOf([]string{"a", "b"}, []types.Type{types.Boolean, types.I32}), cat([]byte{1, 0, 0, 0}, i32(3)),
			"{ .a = true, .b = 3 }\n", `{"type": "value", "data": {"a": true, "b": 3}}` + "\n"},
	} {
		for _, f := range []Format{Text, JSON} {
			var out bytes.Buffer
			if err := NewPrinter(&out, f).PrintValue(tt.t, tt.b); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			want := tt.text
			if f == JSON {
				want = tt.json
			}
			if out.String() != want {
				t.Errorf("%s (format %d): %q, want %q", tt.name, f, out.String(), want)
			}
		}
	}
}

// frames is a StackResolver with one fixed stack for every id.
type frames []Frame

func (f frames) Stack(types.Type, uint64) ([]Frame, bool) { return f, true }
func (frames) KernelSymbol(addr uint64) string            { return "k" }
func (frames) UserSymbol(addr uint64, pid int) string     { return "u" }

// TestStackKeys: stacks as map keys indent their frames 8 in text (the
// newest bpftrace; 4 under 0.17) and not at all in JSON's quoted keys
// (the newest bpftrace; as text under 0.17); printed as values they
// indent 8 in both.
func TestStackKeys(t *testing.T) {
	st := types.StackOf(false, false, 8)
	l := MapLayout{Name: "@k", Key: st, Value: types.I64}
	es := []Entry{{Key: i64(1), Values: [][]byte{i64(3)}}}
	for _, tt := range []struct {
		f    Format
		v    compat.Version
		want string
	}{
		{Text, compat.Newest, "@k[\n        f1\n        f2\n]: 3\n"},
		{Text, compat.V017, "@k[\n    f1\n    f2\n]: 3\n"},
		{JSON, compat.Newest, `{"type": "map", "data": {"@k": {"\nf1\nf2\n": 3}}}` + "\n"},
		{JSON, compat.V017, `{"type": "map", "data": {"@k": {"\n    f1\n    f2\n": 3}}}` + "\n"},
	} {
		var out bytes.Buffer
		p := NewPrinter(&out, tt.f)
		p.SetCompat(tt.v)
		p.SetStacks(frames{{Sym: "f1"}, {Sym: "f2"}})
		if err := p.PrintMap(l, es, 0, 0); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.want {
			t.Errorf("format %d, compat %v: %q, want %q", tt.f, tt.v, out.String(), tt.want)
		}
		out.Reset()
		if err := p.PrintValue(st, i64(1)); err != nil {
			t.Fatal(err)
		}
		want := "\n        f1\n        f2\n\n"
		if tt.f == JSON {
			want = `{"type": "value", "data": "\n        f1\n        f2\n"}` + "\n"
		}
		if out.String() != want {
			t.Errorf("format %d value: %q, want %q", tt.f, out.String(), want)
		}
	}
}

// TestRecordKeys: a record in a map key prints as the newest bpftrace
// prints it, spaced, its pointers in hex.
func TestRecordKeys(t *testing.T) {
	args := types.Type{Kind: types.Record, Size: 16, Fields: []types.Field{
		{Name: "n", Type: types.PointerTo(types.I32, types.User)}, {Name: "c", Type: types.I8, Offset: 8}}}
	l := MapLayout{Name: "@", Key: types.TupleOf(types.I64, args), Value: types.I64}
	es := []Entry{{Key: cat(i64(1), i64(0x7ffd10), i64(120)), Values: [][]byte{i64(3)}}}
	var out bytes.Buffer
	if err := NewPrinter(&out, Text).PrintMap(l, es, 0, 0); err != nil {
		t.Fatal(err)
	}
	if want := "@[1, { .n = 0x7ffd10, .c = 120 }]: 3\n"; out.String() != want {
		t.Errorf("%q, want %q", out.String(), want)
	}
}

// TestRawStack: raw mode (stack_mode=raw, ustack(raw)) prints each frame's
// address in hex on its own line, without indent, as bpftrace does.
func TestRawStack(t *testing.T) {
	st := types.StackIn(true, "raw", 8)
	l := MapLayout{Name: "@k", Key: st, Value: types.I64}
	es := []Entry{{Key: i64(1), Values: [][]byte{i64(3)}}}
	var out bytes.Buffer
	p := NewPrinter(&out, Text)
	p.SetStacks(frames{{Addr: 0x55fa91c73139, Sym: "f1"}, {Addr: 0x7fe6abe1f24a}})
	if err := p.PrintMap(l, es, 0, 0); err != nil {
		t.Fatal(err)
	}
	if want := "@k[\n55fa91c73139\n7fe6abe1f24a\n]: 3\n"; out.String() != want {
		t.Errorf("%q, want %q", out.String(), want)
	}
}
