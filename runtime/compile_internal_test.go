package runtime

import (
	"os"
	"testing"
)

func TestRingbufSize(t *testing.T) {
	page := os.Getpagesize()
	tests := []struct {
		pages, ncpu, want int
	}{
		{0, 2, 1 << 20},            // bpftrace's 64 pages per CPU, raised to the 1 MiB floor
		{0, 64, 64 * 64 * page},    // 64 pages on each of 64 CPUs
		{1, 1, 1 << 20},            // never below the floor
		{300, 2, 4 << 20},          // 2.3 MiB rounds up to a power of two
		{1024, 4, 1024 * 4 * page}, // already a power of two
		{-5, 2, 1 << 20},           // negative: the default
		{2048, 2, 2048 * 2 * page}, // the old 16 MiB default is still reachable
	}
	for _, tt := range tests {
		if got := ringbufSize(tt.pages, tt.ncpu); got != tt.want {
			t.Errorf("ringbufSize(%d, %d) = %d, want %d", tt.pages, tt.ncpu, got, tt.want)
		}
	}
}
