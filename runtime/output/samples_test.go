package output

import (
	"io"
	"math"
	"reflect"
	"testing"

	"github.com/gbt-dev/gbt/lang/types"
)

func TestSamples(t *testing.T) {
	p := NewPrinter(io.Discard, Text)
	tup := types.TupleOf(str16, types.I64)
	tests := []struct {
		name string
		l    MapLayout
		es   []Entry
		want []Sample
	}{
		{"count by string, print order", MapLayout{Name: "@c", Key: str16, Value: agg(types.Count, false)},
			[]Entry{counter(skey("b"), 7), counter(skey("a"), 3)},
			[]Sample{{Key: []string{"a"}, Value: 3}, {Key: []string{"b"}, Value: 7}}},
		{"keyless signed sum", MapLayout{Name: "@s", Key: noKey, Value: agg(types.Sum, true)},
			[]Entry{counter(nil, -7)}, []Sample{{Value: -7}}},
		{"tuple key elements", MapLayout{Name: "@t", Key: tup, Value: agg(types.Max, true)},
			[]Entry{withKey(cat(cbytes("x", 16), i64(-2)), extreme(nil, 9))}, []Sample{{Key: []string{"x", "-2"}, Value: 9}}},
		{"avg keeps count and sum", MapLayout{Name: "@a", Key: noKey, Value: agg(types.Avg, true)},
			[]Entry{avgOf(nil, 1, 2, 6)}, []Sample{{Value: 3, Count: 3, Sum: 9}}},
		{"plain int", MapLayout{Name: "@i", Key: types.I64, Value: types.I64},
			[]Entry{plain(key(1), i64(42))}, []Sample{{Key: []string{"1"}, Value: 42}}},
		{"strings are not exported", MapLayout{Name: "@s", Key: noKey, Value: str16}, []Entry{plain(nil, cbytes("x", 16))}, nil},
	}
	for _, tt := range tests {
		got, err := p.Samples(tt.l, tt.es)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

func TestSamplesHistBuckets(t *testing.T) {
	p := NewPrinter(io.Discard, Text)
	got, err := p.Samples(MapLayout{Name: "@h", Key: noKey, Value: agg(types.Hist, false)}, []Entry{histOf(nil, -5, 0, 1, 2, 3, 4, 7, 8)})
	if err != nil {
		t.Fatal(err)
	}
	s := got[0]
	if s.Count != 8 || !math.IsNaN(s.Sum) {
		t.Errorf("count %d sum %v, want 8 and NaN", s.Count, s.Sum)
	}
	// -5 | 0 | 1 | 2,3 | 4,7 | 8
	want := []Bucket{{-1, 1}, {0, 2}, {1, 3}, {3, 5}, {7, 7}, {15, 8}}
	if !reflect.DeepEqual(s.Buckets[:6], want) {
		t.Errorf("buckets %v, want %v", s.Buckets[:6], want)
	}
	if last := s.Buckets[len(s.Buckets)-1]; !math.IsInf(last.UpperBound, 1) || last.Count != 8 {
		t.Errorf("last bucket %v, want +Inf with 8", last)
	}
	got, err = p.Samples(MapLayout{Name: "@l", Key: noKey, Value: agg(types.Lhist, false), Params: types.AggParams{Min: 0, Max: 10, Step: 5}}, []Entry{lhistOf(nil, types.AggParams{Min: 0, Max: 10, Step: 5}, -1, 0, 4, 5, 12)})
	if err != nil {
		t.Fatal(err)
	}
	wantL := []Bucket{{-1, 1}, {4, 3}, {9, 4}, {math.Inf(1), 5}}
	if !reflect.DeepEqual(got[0].Buckets, wantL) {
		t.Errorf("lhist buckets %v, want %v", got[0].Buckets, wantL)
	}
}
