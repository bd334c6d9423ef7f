package output

import (
	"bytes"
	"testing"

	"github.com/gbt-dev/gbt/lang/types"
)

// TestOrder: --sort and --reverse reorder the rows PrintMap prints, and
// top keeps the largest values whatever the order.
func TestOrder(t *testing.T) {
	l := MapLayout{Name: "@", Key: types.I64, Value: agg(types.Count, false)}
	es := []Entry{counter(key(3), 10), counter(key(1), 30), counter(key(2), 20), counter(key(4), 5)}
	tests := []struct {
		name  string
		order Order
		top   int
		want  string
	}{
		{"bpftrace's", Order{}, 0, "@[4]: 5\n@[3]: 10\n@[2]: 20\n@[1]: 30\n"},
		{"by value, descending", Order{Reverse: true}, 0, "@[1]: 30\n@[2]: 20\n@[3]: 10\n@[4]: 5\n"},
		{"by key", Order{ByKey: true}, 0, "@[1]: 30\n@[2]: 20\n@[3]: 10\n@[4]: 5\n"},
		{"by key, descending", Order{ByKey: true, Reverse: true}, 0, "@[4]: 5\n@[3]: 10\n@[2]: 20\n@[1]: 30\n"},
		{"top 2", Order{}, 2, "@[2]: 20\n@[1]: 30\n"},
		{"top 2, descending", Order{Reverse: true}, 2, "@[1]: 30\n@[2]: 20\n"},
		{"top 3 by key", Order{ByKey: true}, 3, "@[1]: 30\n@[2]: 20\n@[3]: 10\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			p := NewPrinter(&b, Text)
			p.SetOrder(tt.order)
			if err := p.PrintMap(l, es, tt.top, 0); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestOrderSignedKeys: --sort key orders signed integer keys as numbers,
// negative first (bpftrace 0.17's sort_by_key compares them unsigned).
func TestOrderSignedKeys(t *testing.T) {
	l := MapLayout{Name: "@", Key: types.I64, Value: agg(types.Count, false)}
	es := []Entry{counter(key(2), 1), counter(key(-1), 3), counter(key(-5), 2), counter(key(0), 4)}
	var b bytes.Buffer
	p := NewPrinter(&b, Text)
	p.SetOrder(Order{ByKey: true})
	if err := p.PrintMap(l, es, 0, 0); err != nil {
		t.Fatal(err)
	}
	if want := "@[-5]: 2\n@[-1]: 3\n@[0]: 4\n@[2]: 1\n"; b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
