package output

import (
	"cmp"
	"strconv"
	"strings"
	"time"

	"github.com/gbt-dev/gbt/lang/types"
)

// A tseries() value is types.TSeriesSlot-byte slots whose epoch word holds
// the interval's epoch+1 (0: never used). Printing follows the newest
// bpftrace (util/tseries.cpp, types_format.cpp's build_time_series,
// output/text.cpp and json.cpp), whose slots are map elements: an unused
// slot is no element, and a used slot whose CPUs only saw epoch 0 reads
// as epoch 0 with value 0.

// reduceTSeries returns the value of each used slot by its epoch: per slot
// the newest epoch any CPU holds, its CPUs' values reduced as p.Reduce.
func (l *MapLayout) reduceTSeries(cpus [][]byte) map[uint64]int64 {
	out := map[uint64]int64{}
	for s := range int(l.Params.Intervals) {
		off := s * types.TSeriesSlot
		used := false
		var latest uint64
		type acc struct{ val, meta int64 }
		byEpoch := map[uint64]*acc{}
		for _, b := range cpus {
			stored := uword(b[off+16:], 8)
			if stored == 0 {
				continue
			}
			used = true
			epoch := stored - 1
			if epoch == 0 {
				continue // bpftrace's epoch 0 is an unused slot
			}
			val, meta := int64(uword(b[off:], 8)), int64(uword(b[off+8:], 8))
			latest = max(latest, epoch)
			a := byEpoch[epoch]
			if a == nil {
				byEpoch[epoch] = &acc{val, meta}
				continue
			}
			switch l.Params.Reduce {
			case types.TSeriesLast:
				if uint64(meta) > uint64(a.meta) {
					a.val, a.meta = val, meta
				}
			case types.TSeriesAvg:
				a.val += val
				a.meta += meta
			case types.TSeriesSum:
				a.val += val
			case types.TSeriesMin, types.TSeriesMax:
				c := cmp.Compare(val, a.val)
				if !l.Value.AggSigned {
					c = cmp.Compare(uint64(val), uint64(a.val))
				}
				if (c < 0) == (l.Params.Reduce == types.TSeriesMin) && c != 0 {
					a.val = val
				}
			}
		}
		if !used {
			continue
		}
		if latest == 0 {
			if _, ok := out[0]; !ok {
				out[0] = 0
			}
			continue
		}
		a := byEpoch[latest]
		if l.Params.Reduce == types.TSeriesAvg && a.meta != 0 {
			if l.Value.AggSigned {
				a.val /= a.meta
			} else {
				a.val = int64(uint64(a.val) / uint64(a.meta))
			}
		}
		if _, ok := out[latest]; !ok {
			out[latest] = a.val
		}
	}
	return out
}

// lastEpoch is the newest epoch of any tseries row.
func lastEpoch(rs []row) uint64 {
	var last uint64
	for _, r := range rs {
		for e := range r.ts {
			last = max(last, e)
		}
	}
	return last
}

// tsPoint is one printed interval: its start and value (ok false: none).
type tsPoint struct {
	start time.Time
	v     int64
	ok    bool
}

type tseries struct {
	points []tsPoint
	signed bool
}

// buildTSeries lists the intervals of the last Intervals epochs up to
// last, from the row's first one with a value.
func (p *Printer) buildTSeries(l *MapLayout, vals map[uint64]int64, last uint64) tseries {
	ts := tseries{signed: l.Value.AggSigned}
	lo := last - uint64(l.Params.Intervals) + 1 // wraps as bpftrace's does
	first := last
	for e := range vals {
		if e >= lo {
			first = min(first, e)
		}
	}
	for e := lo; e <= last && e >= lo; e++ {
		if e < first {
			continue
		}
		v, ok := vals[e]
		ns := int64(e*uint64(l.Params.Interval)) - int64(p.vals.taiOffset)
		ts.points = append(ts.points, tsPoint{start: time.Unix(0, ns), v: v, ok: ok})
		if e == ^uint64(0) {
			break
		}
	}
	return ts
}

func (ts tseries) appendValue(dst []byte, v int64) []byte {
	if ts.signed {
		return strconv.AppendInt(dst, v, 10)
	}
	return strconv.AppendUint(dst, uint64(v), 10)
}

// appendJSON appends the intervals with a value as bpftrace's list of
// {"interval_start":"UTC time","value":v}, without spaces, as the newest
// bpftrace writes it (unlike the rest of its records).
func (ts tseries) appendJSON(dst []byte) []byte {
	dst = append(dst, '[')
	n := 0
	for _, pt := range ts.points {
		if !pt.ok {
			continue
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, `{"interval_start":"`...)
		dst = pt.start.UTC().AppendFormat(dst, "2006-01-02 15:04:05.000000000")
		dst = append(dst, `","value":`...)
		dst = ts.appendValue(dst, pt.v) // a number, however large, as bpftrace writes it
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

const tsGraphWidth = 53

// appendText appends bpftrace's graph: a line per interval (local time,
// the point between the minimum and the maximum, the value), framed by
// the range.
func (ts tseries) appendText(dst []byte) []byte {
	if len(ts.points) == 0 {
		return append(dst, "<no data>"...) // the map adds the line end
	}
	less := func(a, b int64) bool {
		if ts.signed {
			return a < b
		}
		return uint64(a) < uint64(b)
	}
	lo, hi := ts.points[0].v, ts.points[0].v
	for _, pt := range ts.points {
		if !pt.ok {
			continue
		}
		if less(pt.v, lo) {
			lo = pt.v
		}
		if less(hi, pt.v) {
			hi = pt.v
		}
	}
	if lo == hi {
		if ts.signed && lo > -1<<63 || !ts.signed && lo != 0 {
			lo--
		}
		if ts.signed && hi < 1<<63-1 || !ts.signed && uint64(hi) != ^uint64(0) {
			hi++
		}
	}
	// The time unit is that of the interval: s, ms, μs or ns digits.
	var interval time.Duration
	if n := len(ts.points); n > 1 {
		interval = ts.points[n-1].start.Sub(ts.points[0].start) / time.Duration(n-1)
	}
	digits, unit := 9, "ns"
	switch {
	case interval >= time.Second:
		digits, unit = 0, ""
	case interval >= time.Millisecond:
		digits, unit = 3, "ms"
	case interval >= time.Microsecond:
		digits, unit = 6, "μs"
	}
	timeFmt, timeSize := "hh:mm:ss", 8
	if digits > 0 {
		timeFmt += "." + unit
		timeSize += 1 + digits
	}
	pad := func(s string, n int, left bool) string {
		if len(s) >= n {
			return s
		}
		if left {
			return s + strings.Repeat(" ", n-len(s))
		}
		return strings.Repeat(" ", n-len(s)) + s
	}
	const padding = 21
	bounds := func(dst []byte) []byte {
		dst = append(dst, pad(string(ts.appendValue(nil, lo)), padding, true)...)
		dst = append(dst, pad(string(ts.appendValue(nil, hi)), tsGraphWidth-padding, false)...)
		return append(dst, '\n')
	}
	dst = append(dst, strings.Repeat(" ", timeSize+1)...)
	dst = bounds(dst)
	dst = append(dst, pad(timeFmt, timeSize+1, true)...)
	dst = append(dst, '|')
	dst = append(dst, strings.Repeat("_", tsGraphWidth-2)...)
	dst = append(dst, "|\n"...)
	dist := func(a, b int64) float32 { // b - a as bpftrace's distance(b, a)
		if ts.signed {
			return float32(b - a)
		}
		return float32(uint64(b) - uint64(a))
	}
	zero := 0
	if ts.signed && lo < 0 && hi > 0 {
		zero = int(float32(tsGraphWidth) * dist(0, lo) / dist(hi, lo))
	}
	line := make([]byte, tsGraphWidth)
	for _, pt := range ts.points {
		for i := range line {
			line[i] = ' '
		}
		line[0], line[tsGraphWidth-1] = '|', '|'
		if zero > 0 {
			line[zero] = '.'
		}
		local := pt.start.Local()
		dst = local.AppendFormat(dst, "15:04:05")
		if digits > 0 {
			frac := strconv.Itoa(local.Nanosecond())
			frac = strings.Repeat("0", 9-len(frac)) + frac
			dst = append(dst, '.')
			dst = append(dst, frac[:digits]...)
		}
		dst = append(dst, ' ')
		if !pt.ok {
			dst = append(dst, line...)
			dst = append(dst, " -\n"...)
			continue
		}
		off := int(float32(tsGraphWidth-1) * dist(lo, pt.v) / dist(lo, hi))
		line[min(max(off, 0), tsGraphWidth-1)] = '*'
		dst = append(dst, line...)
		dst = append(dst, ' ')
		dst = ts.appendValue(dst, pt.v)
		dst = append(dst, '\n')
	}
	dst = append(dst, strings.Repeat(" ", timeSize+1)...)
	dst = append(dst, 'v')
	dst = append(dst, strings.Repeat("_", tsGraphWidth-2)...)
	dst = append(dst, "v\n"...)
	dst = append(dst, strings.Repeat(" ", timeSize+1)...)
	return bounds(dst)
}
