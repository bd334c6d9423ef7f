package output

import (
	"bytes"
	"testing"

	"github.com/gbt-dev/gbt/lang/types"
)

// TestEnums: an integer of an enum type prints as its variant's name in
// text map keys and values, print() and printf's %s (with its width), and
// as the number with %d, in JSON values and when no variant has it; JSON
// map keys name the variant, as the newest bpftrace's do.
func TestEnums(t *testing.T) {
	foo := types.EnumOf(&types.Enum{Name: "Foo", Variants: []types.Variant{{Name: "ONE", Value: 1}, {Name: "TWO", Value: 2}, {Name: "NEG", Value: -1}}})

	ts, offs, rec := record([]arg{{foo, i64(1)}, {foo, i64(1)}, {foo, i64(-1)}, {foo, i64(100)}, {foo, i64(2)}, {foo, i64(2)}})
	p, err := CompilePrintf("%d %s|%-5s|%5s|%s %x\n", ts, offs)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(p.Append(nil, rec)), "1 ONE|NEG  |  100|TWO 2\n"; got != want {
		t.Errorf("printf: %q, want %q", got, want)
	}

	for _, tt := range []struct {
		name       string
		l          MapLayout
		es         []Entry
		text, json string
	}{
		{"key", MapLayout{Name: "@", Key: foo, Value: types.I64}, []Entry{{Key: i64(2), Values: [][]byte{i64(22)}}},
			"@[TWO]: 22\n", `{"type": "map", "data": {"@": {"TWO": 22}}}` + "\n"},
		{"tuple key", MapLayout{Name: "@", Key: types.TupleOf(foo, foo), Value: types.I64}, []Entry{{Key: cat(i64(1), i64(7)), Values: [][]byte{i64(-1)}}},
			"@[ONE, 7]: -1\n", `{"type": "map", "data": {"@": {"ONE,7": -1}}}` + "\n"},
		{"value", MapLayout{Name: "@", Key: types.Type{Kind: types.Void}, Value: foo}, []Entry{{Values: [][]byte{i64(1)}}},
			"@: ONE\n", `{"type": "map", "data": {"@": 1}}` + "\n"},
		{"tuple value", MapLayout{Name: "@", Key: types.Type{Kind: types.Void}, Value: types.TupleOf(foo, foo)}, []Entry{{Values: [][]byte{cat(i64(1), i64(2))}}},
			"@: (ONE, TWO)\n", `{"type": "map", "data": {"@": [1,2]}}` + "\n"},
	} {
		for _, f := range []Format{Text, JSON} {
			var out bytes.Buffer
			if err := NewPrinter(&out, f).PrintMap(tt.l, tt.es, 0, 0); err != nil {
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

	for _, f := range []Format{Text, JSON} {
		var out bytes.Buffer
		if err := NewPrinter(&out, f).PrintValue(foo, i64(1)); err != nil {
			t.Fatal(err)
		}
		want := "ONE\n"
		if f == JSON {
			want = `{"type": "value", "data": 1}` + "\n"
		}
		if out.String() != want {
			t.Errorf("print (format %d): %q, want %q", f, out.String(), want)
		}
	}
}
