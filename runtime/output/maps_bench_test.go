package output

import (
	"fmt"
	"io"
	"testing"

	"github.com/gbt-dev/gbt/lang/types"
)

// BenchmarkPrintMap measures what gbt does at exit for a full map
// (BPFTRACE_MAP_KEYS_MAX keys, two CPUs): reduce the per-CPU values, sort,
// format and write.
func BenchmarkPrintMap(b *testing.B) {
	const keys = 4096
	counts := make([]Entry, keys)
	strs := make([]Entry, keys)
	hists := make([]Entry, 64)
	for i := range counts {
		counts[i] = counter(key(int64(i)), int64(i*7919%keys))
		strs[i] = counter(skey(fmt.Sprintf("comm-%d", i)), int64(i*7919%keys))
	}
	for i := range hists {
		hists[i] = histOf(key(int64(i)), 1, 2, 3, 1000, 1<<20, int64(i)<<10)
	}
	cases := []struct {
		name string
		l    MapLayout
		es   []Entry
	}{
		{"count-int-keys", MapLayout{Name: "@c", Key: types.I64, Value: agg(types.Count, false)}, counts},
		{"count-string-keys", MapLayout{Name: "@s", Key: str16, Value: agg(types.Count, false)}, strs},
		{"hist-64-keys", MapLayout{Name: "@h", Key: types.I64, Value: agg(types.Hist, false)}, hists},
	}
	for _, f := range []struct {
		name string
		f    Format
	}{{"text", Text}, {"json", JSON}} {
		for _, c := range cases {
			b.Run(f.name+"/"+c.name, func(b *testing.B) {
				p := NewPrinter(io.Discard, f.f)
				b.ReportAllocs()
				for b.Loop() {
					if err := p.PrintMap(c.l, c.es, 0, 0); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(c.es)), "keys")
			})
		}
	}
}
