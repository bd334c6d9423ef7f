package types

// Value layouts of aggregations in BPF maps. Each CPU holds one value of
// AggValueSize bytes (per-CPU maps); user space reduces them with
// AggKind.Reduce rules: count/sum/avg/stats/hist/lhist add up, min/max take
// the extreme over CPUs whose "set" word is non-zero.
//
// All words are 64-bit little-endian (host order).
//
//	count:  [0] u64 count
//	sum:    [0] s64/u64 sum
//	min:    [0] s64/u64 value, [8] u64 set (1 once a value was stored)
//	max:    [0] s64/u64 value, [8] u64 set
//	avg:    [0] s64 sum, [8] u64 count
//	stats:  [0] s64 sum, [8] u64 count
//	hist:   HistBuckets u64 counters (see HistBucket)
//	lhist:  LhistBuckets(min, max, step) u64 counters (see LhistBucket)

// HistBuckets is the number of counters in a hist() value.
const HistBuckets = 66

// HistBucket returns the counter index of v in a hist(): index 0 counts
// negative values, 1 counts zero, 2 counts 1, and index k+2 counts
// [2^k, 2^(k+1)) for k >= 1, as bpftrace's log2 buckets.
func HistBucket(v int64) int {
	if v < 0 {
		return 0
	}
	if v == 0 {
		return 1
	}
	k := 0
	for u := uint64(v); u > 1; u >>= 1 {
		k++
	}
	return k + 2
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

// AggValueSize returns the per-CPU size in bytes of an aggregation value.
// lhist needs its parameters; pass zeros for the other kinds.
func AggValueSize(k AggKind, lmin, lmax, lstep int64) int {
	switch k {
	case Count, Sum:
		return 8
	case Min, Max, Avg, Stats:
		return 16
	case Hist:
		return 8 * HistBuckets
	case Lhist:
		return 8 * LhistBuckets(lmin, lmax, lstep)
	}
	return 0
}
