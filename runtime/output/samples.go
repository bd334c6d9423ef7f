package output

import (
	"math"

	"github.com/gbt-dev/gbt/lang/types"
)

// Sample is one map element reduced over CPUs, for exporters such as the
// Prometheus endpoint.
type Sample struct {
	// Key holds the key's elements as bpftrace prints them (one for a
	// plain key, one per element of a tuple key); nil for a map without keys.
	Key []string
	// Value is the element's value: the count, sum, min, max or plain
	// integer; the average for avg() and stats().
	Value float64
	// Count and Sum are the number of values and their total, for avg(),
	// stats(), hist() and lhist() (Sum is NaN for hist and lhist, which do
	// not keep it).
	Count uint64
	Sum   float64
	// Buckets are the cumulative counts of hist() and lhist() by inclusive
	// upper bound (values are integers, so bucket [4, 8) has bound 7); the
	// last bound is +Inf.
	Buckets []Bucket
	// Quantiles are p50, p90, p99 and the maximum estimated from the
	// buckets of hist() and lhist() (see Quantile), when any is non-empty.
	Quantiles []Estimate
}

// Bucket is a cumulative histogram count.
type Bucket struct {
	UpperBound float64
	Count      uint64
}

// Numeric reports whether a map's values are numbers that Samples can
// export (aggregations, integers, booleans); strings, tuples and the like
// are not.
func (l *MapLayout) Numeric() bool {
	return l.agg() != types.NoAgg || l.Value.IsInt() || l.Value.Kind == types.Bool
}

// Samples reduces a map's entries over CPUs, in print order. It returns
// nothing for maps that are not Numeric.
func (p *Printer) Samples(l MapLayout, es []Entry) ([]Sample, error) {
	if !l.Numeric() {
		return nil, nil
	}
	rs, err := l.sortedRows(es)
	if err != nil {
		return nil, err
	}
	out := make([]Sample, len(rs))
	signed := l.signedValue()
	for i, r := range rs {
		s := &out[i]
		if l.Key.Kind != types.Void {
			s.Key = p.keyElems(l.Key, r.key)
		}
		switch l.agg() {
		case types.Avg, types.Stats:
			s.Value, s.Count, s.Sum = float64(r.n), uint64(r.count), float64(r.sum)
		case types.Hist, types.Lhist:
			s.Count, s.Sum = uint64(r.n), math.NaN()
			s.Buckets = cumulative(r.bkt, l)
			s.Quantiles = l.estimates(r.bkt)
		default:
			if signed {
				s.Value = float64(r.n)
			} else {
				s.Value = float64(uint64(r.n))
			}
		}
	}
	return out, nil
}

// keyElems renders each element of a key.
func (p *Printer) keyElems(t types.Type, b []byte) []string {
	if t.Kind != types.Tuple {
		return []string{string(p.vals.appendKey(nil, t, b, textKeyIndent))}
	}
	elems := make([]string, len(t.Elems))
	for i, off := range t.TupleOffsets() {
		e := t.Elems[i]
		elems[i] = string(p.vals.appendKey(nil, e, field(b, off, e.ByteSize()), textKeyIndent))
	}
	return elems
}

// cumulative turns hist/lhist counters into cumulative buckets with
// inclusive integer upper bounds.
func cumulative(bkt []uint64, l MapLayout) []Bucket {
	out := make([]Bucket, len(bkt))
	var sum uint64
	for i, c := range bkt {
		sum += c
		out[i] = Bucket{UpperBound: upperBound(i, len(bkt), l), Count: sum}
	}
	return out
}

// upperBound is the largest integer in bucket i (+Inf for the last).
func upperBound(i, n int, l MapLayout) float64 {
	if i == n-1 {
		return math.Inf(1)
	}
	if l.agg() == types.Lhist {
		// Bucket 0 is below min; bucket i holds [min+(i-1)step, min+i*step).
		return float64(l.Params.Min + int64(i)*l.Params.Step - 1)
	}
	// hist: bucket 0 is negative values; bucket i+1 starts above bucket i.
	if i == 0 {
		return -1
	}
	return float64(types.HistBucketLow(i+1, l.Params.Bits)) - 1
}
