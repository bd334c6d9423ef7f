package output

import (
	"math"
	"strconv"

	"github.com/gbt-dev/gbt/lang/types"
)

// Percentiles estimated from hist() and lhist() buckets (--percentiles).
// A bucket keeps a count, not its values, so a percentile is known only to
// lie in the bucket that holds its rank; inside it the estimate assumes
// the values spread evenly (linear interpolation). The estimate is one of
// the bucket's integers, so its error is less than the bucket's width.

// Span is the range of integer values a bucket counts, [Lo, Hi): Lo is
// -Inf for a bucket open below (lhist's values under min, hist's negative
// values), Hi +Inf for one open above (lhist's values from max).
type Span struct{ Lo, Hi float64 }

// Estimate is one estimated quantile.
type Estimate struct {
	Q float64 // the quantile: 0.5 for p50, 1 for the maximum
	// Value is the estimate: an integer of Bucket (Hi-1 for a bucket
	// open below, Lo for one open above), within Hi-Lo of the true value.
	Value  float64
	Bucket Span // the bucket the quantile lies in
}

// Quantile estimates quantile q (0 < q <= 1) of the values counted in
// counts, bucket i counting the values of spans[i]; false when every count
// is zero. The value of rank ceil(q*total) lies in the bucket where the
// cumulative count reaches it; the estimate interpolates between the
// bucket's smallest and largest integer by how far into its count the
// rank falls; q = 1, the maximum, gives the largest integer of the
// highest non-empty bucket, a bound the true maximum does not exceed.
func Quantile(counts []uint64, spans []Span, q float64) (Estimate, bool) {
	var total uint64
	for _, c := range counts {
		total += c
	}
	if total == 0 {
		return Estimate{}, false
	}
	rank := max(1, math.Ceil(q*float64(total)))
	var below uint64
	for i, c := range counts {
		if c == 0 || float64(below+c) < rank {
			below += c
			continue
		}
		e := Estimate{Q: q, Bucket: spans[i]}
		lo, hi := spans[i].Lo, spans[i].Hi-1 // the bucket's integers
		switch {
		case math.IsInf(lo, -1):
			e.Value = hi
		case math.IsInf(hi, 1):
			e.Value = lo
		case q >= 1:
			e.Value = hi
		default:
			// The rank's position in the bucket, its values taken at
			// the middle of even shares of [lo, hi].
			frac := (rank - float64(below) - 0.5) / float64(c)
			e.Value = lo + math.Round(frac*(hi-lo))
		}
		return e, true
	}
	return Estimate{}, false // not reached: the ranks end at total
}

// defaultQuantiles are the quantiles printed: p50, p90, p99 and the
// maximum.
var defaultQuantiles = []float64{0.5, 0.9, 0.99, 1}

// spans returns the value range of each of a hist or lhist's counters.
func (l *MapLayout) spans(n int) []Span {
	out := make([]Span, n)
	for i := range out {
		out[i] = l.span(i, n)
	}
	return out
}

// span is the range of counter i of n: for hist, counter 0 counts the
// negative values and counter i the values from HistBucketLow(i); for
// lhist, counter 0 those under min, counter i those of
// [min+(i-1)step, min+i*step), the last those from its low bound up.
func (l *MapLayout) span(i, n int) Span {
	inf := math.Inf(1)
	if l.agg() == types.Lhist {
		p := l.Params
		lo := float64(p.Min + int64(i-1)*p.Step)
		switch {
		case i == 0:
			return Span{-inf, float64(p.Min)}
		case i == n-1:
			return Span{lo, inf}
		}
		return Span{lo, lo + float64(p.Step)}
	}
	if i == 0 {
		return Span{-inf, 0}
	}
	if i == n-1 {
		return Span{float64(types.HistBucketLow(i, l.Params.Bits)), inf}
	}
	return Span{float64(types.HistBucketLow(i, l.Params.Bits)), float64(types.HistBucketLow(i+1, l.Params.Bits))}
}

// Estimates returns the default quantiles of a row's counters.
func (l *MapLayout) estimates(bkt []uint64) []Estimate {
	spans := l.spans(len(bkt))
	var out []Estimate
	for _, q := range defaultQuantiles {
		if e, ok := Quantile(bkt, spans, q); ok {
			out = append(out, e)
		}
	}
	return out
}

// QuantileName names a quantile as the output does: p50, p99.9, max.
func QuantileName(q float64) string {
	if q == 1 {
		return "max"
	}
	return "p" + strconv.FormatFloat(q*100, 'f', -1, 64)
}

// appendEstimatesText appends the line printed under a histogram's bars:
// "p50 12, p90 30, p99 61, max 63", an estimate in a bucket open below as
// "< hi", one open above as ">= lo".
func appendEstimatesText(dst []byte, es []Estimate) []byte {
	for i, e := range es {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, QuantileName(e.Q)...)
		dst = append(dst, ' ')
		switch {
		case math.IsInf(e.Bucket.Lo, -1):
			dst = append(dst, "< "...)
			dst = strconv.AppendFloat(dst, e.Bucket.Hi, 'f', -1, 64)
		case math.IsInf(e.Bucket.Hi, 1):
			dst = append(dst, ">= "...)
			dst = strconv.AppendFloat(dst, e.Bucket.Lo, 'f', -1, 64)
		default:
			dst = strconv.AppendFloat(dst, e.Value, 'f', -1, 64)
		}
	}
	return append(dst, '\n')
}

// appendEstimatesJSON appends {"p50": 12, "p90": 30, "p99": 61, "max": 63}.
func appendEstimatesJSON(dst []byte, es []Estimate) []byte {
	dst = append(dst, '{')
	for i, e := range es {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, '"')
		dst = append(dst, QuantileName(e.Q)...)
		dst = append(dst, `": `...)
		dst = strconv.AppendFloat(dst, e.Value, 'f', -1, 64)
	}
	return append(dst, '}')
}
