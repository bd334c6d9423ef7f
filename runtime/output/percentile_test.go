package output

import (
	"bytes"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-dev/gbt/lang/types"
)

// TestQuantile: each estimate is the interpolated integer of the bucket
// that holds the quantile's rank, the bucket's bound for open buckets.
func TestQuantile(t *testing.T) {
	inf := math.Inf(1)
	pow2 := []Span{{-inf, 0}, {0, 1}, {1, 2}, {2, 4}, {4, 8}, {8, 16}, {16, inf}}
	tests := []struct {
		name   string
		counts []uint64
		spans  []Span
		q      float64
		want   float64
		bucket Span
		ok     bool
	}{
		{name: "empty", counts: []uint64{0, 0, 0, 0, 0, 0, 0}, spans: pow2, q: 0.5},
		{name: "no buckets", q: 0.99},
		{name: "one value p50", counts: []uint64{0, 0, 0, 0, 0, 1, 0}, spans: pow2, q: 0.5, want: 12, bucket: Span{8, 16}, ok: true},
		{name: "one value max", counts: []uint64{0, 0, 0, 0, 0, 1, 0}, spans: pow2, q: 1, want: 15, bucket: Span{8, 16}, ok: true},
		{name: "one-value bucket", counts: []uint64{0, 5, 0, 0, 0, 0, 0}, spans: pow2, q: 0.99, want: 0, bucket: Span{0, 1}, ok: true},
		// 100 values: 50 in [0], 40 in [4, 8), 10 in [8, 16).
		{name: "p50 at the end of a bucket", counts: []uint64{0, 50, 0, 0, 40, 10, 0}, spans: pow2, q: 0.5, want: 0, bucket: Span{0, 1}, ok: true},
		{name: "p51 interpolates", counts: []uint64{0, 50, 0, 0, 40, 10, 0}, spans: pow2, q: 0.51, want: 4, bucket: Span{4, 8}, ok: true},
		{name: "p90", counts: []uint64{0, 50, 0, 0, 40, 10, 0}, spans: pow2, q: 0.9, want: 7, bucket: Span{4, 8}, ok: true},
		{name: "p99", counts: []uint64{0, 50, 0, 0, 40, 10, 0}, spans: pow2, q: 0.99, want: 14, bucket: Span{8, 16}, ok: true},
		{name: "max", counts: []uint64{0, 50, 0, 0, 40, 10, 0}, spans: pow2, q: 1, want: 15, bucket: Span{8, 16}, ok: true},
		{name: "negative values", counts: []uint64{3, 1, 0, 0, 0, 0, 0}, spans: pow2, q: 0.5, want: -1, bucket: Span{-inf, 0}, ok: true},
		{name: "overflow bucket", counts: []uint64{0, 1, 0, 0, 0, 0, 9}, spans: pow2, q: 0.9, want: 16, bucket: Span{16, inf}, ok: true},
		{name: "overflow max", counts: []uint64{0, 1, 0, 0, 0, 0, 9}, spans: pow2, q: 1, want: 16, bucket: Span{16, inf}, ok: true},
		// A range below zero (bpftrace's lhist refuses a negative min,
		// the math does not care): under -100, [-100, -50), ..., from 100.
		{name: "negative lhist range", counts: []uint64{0, 10, 10, 0, 0, 0}, spans: []Span{{-inf, -100}, {-100, -50}, {-50, 0}, {0, 50}, {50, 100}, {100, inf}},
			q: 0.25, want: -78, bucket: Span{-100, -50}, ok: true},
		{name: "lhist underflow", counts: []uint64{10, 10, 0, 0, 0, 0}, spans: []Span{{-inf, -100}, {-100, -50}, {-50, 0}, {0, 50}, {50, 100}, {100, inf}},
			q: 0.5, want: -101, bucket: Span{-inf, -100}, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := Quantile(tt.counts, tt.spans, tt.q)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tt.ok, e)
			}
			if !ok {
				return
			}
			if e.Value != tt.want || e.Bucket != tt.bucket || e.Q != tt.q {
				t.Errorf("Quantile(%v) = %v in %v, want %v in %v", tt.q, e.Value, e.Bucket, tt.want, tt.bucket)
			}
		})
	}
}

// TestQuantileWithinBucket: for every hist layout and every single value,
// each estimate lies in the value's bucket, so it is off by less than the
// bucket's width.
func TestQuantileWithinBucket(t *testing.T) {
	for bits := 0; bits <= 2; bits++ {
		l := MapLayout{Value: types.AggOf(types.Hist, true), Params: types.AggParams{Bits: bits}}
		n := types.HistBuckets(bits)
		spans := l.spans(n)
		for _, v := range []int64{-5, 0, 1, 2, 3, 7, 8, 1000, 123456789} {
			counts := make([]uint64, n)
			counts[types.HistBucket(v, bits)] = 3
			for _, q := range defaultQuantiles {
				e, ok := Quantile(counts, spans, q)
				if !ok {
					t.Fatalf("bits %d, value %d: no estimate", bits, v)
				}
				if x := float64(v); x < e.Bucket.Lo || x >= e.Bucket.Hi {
					t.Errorf("bits %d, value %d: bucket %v does not hold it", bits, v, e.Bucket)
				}
				if e.Value < e.Bucket.Lo || e.Value >= e.Bucket.Hi {
					t.Errorf("bits %d, value %d, q %v: estimate %v outside %v", bits, v, q, e.Value, e.Bucket)
				}
			}
		}
	}
}

// TestLhistSpans: lhist counter spans follow LhistBucket.
func TestLhistSpans(t *testing.T) {
	p := types.AggParams{Min: -100, Max: 100, Step: 50}
	l := MapLayout{Value: types.AggOf(types.Lhist, true), Params: p}
	n := types.LhistBuckets(p.Min, p.Max, p.Step)
	for v := int64(-150); v <= 150; v++ {
		s := l.span(types.LhistBucket(v, p.Min, p.Max, p.Step), n)
		if x := float64(v); x < s.Lo || x >= s.Hi {
			t.Errorf("value %d: span %v", v, s)
		}
	}
}

func TestQuantileName(t *testing.T) {
	for q, want := range map[float64]string{0.5: "p50", 0.99: "p99", 0.999: "p99.9", 1: "max"} {
		if got := QuantileName(q); got != want {
			t.Errorf("QuantileName(%v) = %q, want %q", q, got, want)
		}
	}
}

// TestPrintPercentiles: with SetPercentiles, each hist and lhist value
// prints its estimates under its bars (text) or in a "percentiles" field
// beside "data" (JSON), keyed as the data is; other maps print as before.
func TestPrintPercentiles(t *testing.T) {
	hist := MapLayout{Name: "@h", Key: types.I64, Value: agg(types.Hist, true)}
	hes := []Entry{histOf(key(2), 0, 100), histOf(key(1), 5)}
	lp := types.AggParams{Min: 10, Max: 30, Step: 5}
	lhist := MapLayout{Name: "@l", Key: noKey, Value: agg(types.Lhist, true), Params: lp}
	les := []Entry{lhistOf(nil, lp, 2, 13, 14, 21, 50)}
	count := MapLayout{Name: "@c", Key: noKey, Value: agg(types.Count, false)}
	ces := []Entry{counter(nil, 3)}
	tests := []struct {
		format Format
		want   string
	}{
		{Text, `@h[1]:
[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
p50 6, p90 6, p99 6, max 7

@h[2]:
[0]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
[1]                    0 |                                                    |
[2, 4)                 0 |                                                    |
[4, 8)                 0 |                                                    |
[8, 16)                0 |                                                    |
[16, 32)               0 |                                                    |
[32, 64)               0 |                                                    |
[64, 128)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
p50 0, p90 96, p99 96, max 127

@l:
(..., 10)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
[10, 15)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
[15, 20)               0 |                                                    |
[20, 25)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
[25, 30)               0 |                                                    |
[30, ...)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
p50 13, p90 >= 30, p99 >= 30, max >= 30

@c: 3
`},
		{JSON, `{"type": "hist", "data": {"@h": {"1": [{"min": 4, "max": 7, "count": 1}], "2": [{"min": 0, "max": 0, "count": 1}, {"min": 1, "max": 1, "count": 0}, {"min": 2, "max": 3, "count": 0}, {"min": 4, "max": 7, "count": 0}, {"min": 8, "max": 15, "count": 0}, {"min": 16, "max": 31, "count": 0}, {"min": 32, "max": 63, "count": 0}, {"min": 64, "max": 127, "count": 1}]}}, "percentiles": {"@h": {"1": {"p50": 6, "p90": 6, "p99": 6, "max": 7}, "2": {"p50": 0, "p90": 96, "p99": 96, "max": 127}}}}
{"type": "hist", "data": {"@l": [{"max": 9, "count": 1}, {"min": 10, "max": 14, "count": 2}, {"min": 15, "max": 19, "count": 0}, {"min": 20, "max": 24, "count": 1}, {"min": 25, "max": 29, "count": 0}, {"min": 30, "count": 1}]}, "percentiles": {"@l": {"p50": 13, "p90": 30, "p99": 30, "max": 30}}}
{"type": "map", "data": {"@c": 3}}
`},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		p := NewPrinter(&b, tt.format)
		p.SetPercentiles(true)
		for _, m := range []struct {
			l  MapLayout
			es []Entry
		}{{hist, hes}, {lhist, les}, {count, ces}} {
			if err := p.PrintMap(m.l, m.es, 0, 0); err != nil {
				t.Fatal(err)
			}
		}
		if got := b.String(); got != tt.want {
			t.Errorf("format %v:\n%s", tt.format, cmp.Diff(tt.want, got))
		}
	}
}
