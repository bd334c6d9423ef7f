package types

// Value layouts of aggregations in BPF maps. Each CPU holds one value of
// AggValueSize bytes (per-CPU maps); user space reduces them with
// AggKind.Reduce rules: count/sum/avg/stats/hist/lhist add up, min/max take
// the extreme over CPUs whose "set" word is non-zero, tseries keeps each
// slot's newest interval.
//
// All words are 64-bit little-endian (host order).
//
//	count:   [0] u64 count
//	sum:     [0] s64/u64 sum
//	min:     [0] s64/u64 value, [8] u64 set (1 once a value was stored)
//	max:     [0] s64/u64 value, [8] u64 set
//	avg:     [0] s64 sum, [8] u64 count
//	stats:   [0] s64 sum, [8] u64 count
//	hist:    HistBuckets(bits) u64 counters (see HistBucket)
//	lhist:   LhistBuckets(min, max, step) u64 counters (see LhistBucket)
//	tseries: Intervals slots of TSeriesSlot bytes, slot epoch%Intervals
//	         holding interval epoch (now/Interval): [0] s64/u64 value,
//	         [8] u64 meta (the time of the last store with no reduction,
//	         the count for avg, 1 once set for min/max), [16] u64 epoch

// AggParams are the constant arguments of an aggregation, the same in
// every use of its map.
type AggParams struct {
	Bits           int   // hist: each power of two splits into 2^Bits buckets (0..5)
	Min, Max, Step int64 // lhist
	Interval       int64 // tseries: nanoseconds per interval
	Intervals      int64 // tseries: number of intervals kept
	Reduce         TSeriesReduce
}

// TSeriesReduce says how a tseries() combines the values of one interval.
type TSeriesReduce uint8

// tseries() reductions: the last value (the default), or "avg", "max",
// "min" or "sum" of the interval's values.
const (
	TSeriesLast TSeriesReduce = iota
	TSeriesAvg
	TSeriesMax
	TSeriesMin
	TSeriesSum
)

// TSeriesReduces names the reductions as tseries()'s fourth argument.
var TSeriesReduces = map[string]TSeriesReduce{"avg": TSeriesAvg, "max": TSeriesMax, "min": TSeriesMin, "sum": TSeriesSum}

// TSeriesSlot is the size of one tseries() interval in a map value.
const TSeriesSlot = 24

// MaxTSeriesIntervals is the most intervals a tseries() keeps: the slots
// live in one per-CPU map value, which the kernel caps at 32 KiB.
const MaxTSeriesIntervals = 1024

// MaxHistBits is the largest second argument of hist().
const MaxHistBits = 5

// HistBuckets is the number of counters in a hist(v, bits) value: one for
// negative values, then 2^bits per power of two of a 64-bit value.
func HistBuckets(bits int) int { return (65-bits)<<bits + 1 }

// HistBucket returns the counter index of v in a hist(v, bits), as
// bpftrace's log2: 0 counts negative values, 1+v the values below 2^bits,
// and above, 2^bits buckets split each power of two [2^p, 2^(p+1)): index
// 1 + ((p-bits+1) << bits | the bits bits after the leading one).
func HistBucket(v int64, bits int) int {
	if v < 0 {
		return 0
	}
	mask := int64(1)<<bits - 1
	if v <= mask {
		return int(v) + 1
	}
	p := 0
	for u := uint64(v); u > 1; u >>= 1 {
		p++
	}
	l := p - bits
	return (l+1)<<bits + int((v>>l)&mask) + 1
}

// HistBucketLow returns the smallest value counted by bucket i (i >= 1) of
// a hist(v, bits).
func HistBucketLow(i, bits int) uint64 {
	n, j := 1<<bits, i-1
	if j <= 2*n {
		return uint64(j)
	}
	power := (j >> bits) - 1
	return uint64(n+j&(n-1)) << power
}

// LhistBuckets returns the number of counters in lhist(v, min, max, step):
// one underflow counter (< min), one counter per step, one overflow (>= max).
func LhistBuckets(min, max, step int64) int {
	return int((max-min)/step) + 2
}

// LhistBucket returns the counter index of v in lhist(v, min, max, step).
func LhistBucket(v, min, max, step int64) int {
	switch {
	case v < min:
		return 0
	case v >= max:
		return LhistBuckets(min, max, step) - 1
	}
	return int((v-min)/step) + 1
}

// AggValueSize returns the per-CPU size in bytes of an aggregation value
// with parameters p.
func AggValueSize(k AggKind, p AggParams) int {
	switch k {
	case Count, Sum:
		return 8
	case Min, Max, Avg, Stats:
		return 16
	case Hist:
		return 8 * HistBuckets(p.Bits)
	case Lhist:
		return 8 * LhistBuckets(p.Min, p.Max, p.Step)
	case TSeries:
		return TSeriesSlot * int(p.Intervals)
	}
	return 0
}
