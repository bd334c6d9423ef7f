package output

import (
	"bytes"
	"maps"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/lang/types"
)

// slot is one tseries slot as the kernel stores it: epoch is the interval's
// epoch (stored +1), or -1 for a slot never used.
func slot(val, meta, epoch int64) []byte { return cat(i64(val), i64(meta), i64(epoch+1)) }

func TestReduceTSeries(t *testing.T) {
	unused := slot(0, 0, -1)
	tests := []struct {
		name   string
		reduce types.TSeriesReduce
		signed bool
		cpus   [][]byte // 2 slots each
		want   map[uint64]int64
	}{
		{"last value wins by time", types.TSeriesLast, true,
			[][]byte{cat(slot(5, 100, 7), unused), cat(slot(6, 90, 7), slot(-2, 1, 8))},
			map[uint64]int64{7: 5, 8: -2}},
		{"newest epoch of a slot", types.TSeriesSum, true,
			[][]byte{cat(slot(5, 0, 4), unused), cat(slot(6, 0, 6), unused), cat(slot(1, 0, 6), unused)},
			map[uint64]int64{6: 7}},
		{"avg over CPUs", types.TSeriesAvg, true,
			[][]byte{cat(slot(10, 2, 3), unused), cat(slot(5, 1, 3), unused)},
			map[uint64]int64{3: 5}},
		{"unsigned max", types.TSeriesMax, false,
			[][]byte{cat(slot(-1, 1, 3), unused), cat(slot(5, 1, 3), unused)},
			map[uint64]int64{3: -1}},
		{"signed min", types.TSeriesMin, true,
			[][]byte{cat(slot(-1, 1, 3), unused), cat(slot(5, 1, 3), unused)},
			map[uint64]int64{3: -1}},
		// bpftrace skips epoch 0 and reads such a slot as epoch 0, value 0.
		{"epoch 0", types.TSeriesLast, true,
			[][]byte{cat(slot(5, 0, 0), unused)},
			map[uint64]int64{0: 0}},
		{"unused slots", types.TSeriesLast, true,
			[][]byte{cat(unused, unused)},
			map[uint64]int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := MapLayout{Name: "@t", Key: noKey, Value: types.AggOf(types.TSeries, tt.signed),
				Params: types.AggParams{Interval: 1, Intervals: 2, Reduce: tt.reduce}}
			if got := l.reduceTSeries(tt.cpus); !maps.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestTSeriesNoData: a zeroed time series prints as bpftrace's "<no data>"
// and as an empty JSON list.
func TestTSeriesNoData(t *testing.T) {
	l := MapLayout{Name: "@t", Key: noKey, Value: types.AggOf(types.TSeries, true), Params: types.AggParams{Interval: 10, Intervals: 2}}
	e := Entry{Values: [][]byte{make([]byte, 2*types.TSeriesSlot)}}
	for f, want := range map[Format]string{Text: "@t:\n<no data>\n", JSON: `{"type": "tseries", "data": {"@t": []}}` + "\n"} {
		var b bytes.Buffer
		if err := NewPrinter(&b, f).PrintMap(l, []Entry{e}, 0, 0); err != nil {
			t.Fatal(err)
		}
		if b.String() != want {
			t.Errorf("format %v: %q, want %q", f, b.String(), want)
		}
	}
}

// TestTSeriesJSON: the intervals with a value, without spaces, as the
// newest bpftrace writes them; an interval without one is left out.
func TestTSeriesJSON(t *testing.T) {
	at := func(ms int) time.Time { return time.Date(2026, 12, 4, 8, 42, 5, ms*1e6, time.UTC) }
	ts := tseries{signed: true, points: []tsPoint{{at(300), 5, true}, {at(400), 0, false}, {at(500), -2, true}}}
	want := `[{"interval_start":"2026-12-04 08:42:05.300000000","value":5},{"interval_start":"2026-12-04 08:42:05.500000000","value":-2}]`
	if got := string(ts.appendJSON(nil)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
