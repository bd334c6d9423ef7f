package types

import "testing"

func TestHistBucket(t *testing.T) {
	tests := []struct {
		v    int64
		bits int
		want int
	}{
		{-1, 0, 0}, {0, 0, 1}, {1, 0, 2}, {2, 0, 3}, {3, 0, 3}, {4, 0, 4}, {1 << 62, 0, 64},
		{-5, 3, 0}, {0, 3, 1}, {7, 3, 8}, {8, 3, 9}, {15, 3, 16}, {16, 3, 17}, {17, 3, 17}, {18, 3, 18},
		// bpftrace's example: 225 = 0b11100001 with k=2 is 1 + 0b11011.
		{225, 2, 28},
		{1<<63 - 1, 5, 1888}, {1<<63 - 1, 0, 64},
	}
	for _, tt := range tests {
		if got := HistBucket(tt.v, tt.bits); got != tt.want || got >= HistBuckets(tt.bits) {
			t.Errorf("HistBucket(%d, %d) = %d, want %d (of %d buckets)", tt.v, tt.bits, got, tt.want, HistBuckets(tt.bits))
		}
	}
}

// TestHistBucketLow: the smallest value of each bucket falls in it, and
// the value below it in the bucket before.
func TestHistBucketLow(t *testing.T) {
	for bits := 0; bits <= MaxHistBits; bits++ {
		for i := 1; i < HistBuckets(bits); i++ {
			low := HistBucketLow(i, bits)
			if low > 1<<63-1 {
				break
			}
			if got := HistBucket(int64(low), bits); got != i {
				t.Fatalf("bits %d: bucket %d starts at %d, which falls in bucket %d", bits, i, low, got)
			}
			if i > 1 {
				if got := HistBucket(int64(low)-1, bits); got != i-1 {
					t.Fatalf("bits %d: %d, below bucket %d, falls in bucket %d", bits, low-1, i, got)
				}
			}
		}
	}
}

func TestAggValueSize(t *testing.T) {
	if got := AggValueSize(Hist, AggParams{Bits: 3}); got != 8*((65-3)<<3+1) {
		t.Errorf("hist bits 3: %d bytes", got)
	}
	if got := AggValueSize(TSeries, AggParams{Interval: 1, Intervals: MaxTSeriesIntervals}); got > 32<<10 {
		t.Errorf("tseries of %d intervals: %d bytes, over the kernel's 32 KiB per-CPU value", MaxTSeriesIntervals, got)
	}
}
