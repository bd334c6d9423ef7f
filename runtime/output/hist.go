package output

import (
	"strconv"

	"github.com/gbt-dev/gbt/lang/types"
)

// The bucket printers below follow the newest bpftrace (types_format.cpp's
// build_histogram/build_linear_histogram and output/text.cpp, json.cpp):
// a histogram is the printed buckets' counts, each bucket's upper bound
// as a label, and the lower bound of the first printed bucket.

const barWidth = 52

// histLabel is a bucket bound: its value and how it prints. plain bounds
// print as their value, and two plain bounds one apart make a one-value
// bucket "[v]".
type histLabel struct {
	n     uint64
	text  string // "" for a plain bound
	plain bool
}

func (l histLabel) append(dst []byte) []byte {
	if l.text != "" {
		return append(dst, l.text...)
	}
	return strconv.AppendUint(dst, l.n, 10)
}

// histogram is a histogram ready to print: counts[i] is the bucket from
// labels[i-1] (lower for i == 0) up to labels[i]; a bucket without a label
// (past the end of labels) is open above; without lower, the first bucket
// is open below.
type histogram struct {
	lower  *histLabel
	labels []histLabel
	counts []uint64
}

// histRange returns the first and last bucket with a positive count (as
// a C int), or first == -1 when all are empty.
func histRange(b []uint64) (first, last int) {
	first, last = -1, -1
	for i, c := range b {
		if int32(c) > 0 {
			if first == -1 {
				first = i
			}
			last = i
		}
	}
	return first, last
}

// pow2Label is bpftrace's hist_index_label: the upper bound of bucket
// index (above the 2^bits one-value buckets) with a K/M/G/T/P/E suffix.
func pow2Label(index, bits int) histLabel {
	n := uint64(1) << bits
	interval := uint64(index) & (n - 1)
	power := (index >> bits) - 1
	value := (n + interval) << power
	decade := power / 10
	power -= 10 * decade
	text := strconv.AppendUint(nil, (n+interval)<<power, 10)
	if decade > 0 {
		text = append(text, "\x00KMGTPE"[decade])
	}
	return histLabel{n: value, text: string(text)}
}

// histBound is the label of hist bucket index i: its upper bound.
func histBound(i, bits int) histLabel {
	if i <= 2<<bits {
		return histLabel{n: uint64(i), plain: true}
	}
	return pow2Label(i, bits)
}

// buildHist makes a hist(v, bits) value's histogram; counts are divided
// by div.
func buildHist(b []uint64, div uint64, bits int) histogram {
	var h histogram
	first, last := histRange(b)
	if first == -1 {
		return h
	}
	if first != 0 {
		l := histBound(first-1, bits)
		h.lower = &l
	}
	for i := first; i <= last; i++ {
		if i == 0 {
			h.labels = append(h.labels, histLabel{plain: true})
		} else {
			h.labels = append(h.labels, histBound(i, bits))
		}
		h.counts = append(h.counts, b[i]/div)
	}
	return h
}

// lhistLabel is bpftrace's lhist_index_label: K and M suffixes only when
// the step is a multiple of 1024.
func lhistLabel(n, step int64) histLabel {
	n, step = int64(int32(n)), int64(int32(step))
	l := histLabel{n: uint64(n), plain: true}
	if step%1024 != 0 {
		return l
	}
	l.plain = false
	switch {
	case n == 0:
		l.text = "0"
	case n%1048576 == 0:
		l.text = strconv.FormatInt(n/1048576, 10) + "M"
	case n%1024 == 0:
		l.text = strconv.FormatInt(n/1024, 10) + "K"
	default:
		l.text = strconv.FormatInt(n, 10)
	}
	return l
}

// buildLhist makes an lhist() value's histogram (counts are not divided,
// as in bpftrace).
func buildLhist(b []uint64, p types.AggParams) histogram {
	var h histogram
	first, last := histRange(b)
	if first == -1 {
		return h
	}
	if first != 0 {
		l := lhistLabel(p.Min+int64(first-1)*p.Step, p.Step)
		h.lower = &l
	}
	for i := first; i <= last; i++ {
		if v := p.Min + int64(i)*p.Step; v <= p.Max {
			h.labels = append(h.labels, lhistLabel(v, p.Step))
		}
		h.counts = append(h.counts, b[i])
	}
	return h
}

func oneApart(a, b histLabel) bool { return a.plain && b.plain && a.n+1 == b.n }

// appendText appends the histogram's lines: the bucket left-aligned in 16
// columns, the count right-aligned in 8, and the bar between pipes.
func (h histogram) appendText(dst []byte) []byte {
	var maxv uint64
	for _, c := range h.counts {
		maxv = max(maxv, c)
	}
	var buf [64]byte
	for i, c := range h.counts {
		label := buf[:0]
		switch {
		case i == 0 && h.lower == nil:
			label = append(label, "(..., "...)
			label = h.labels[0].append(label)
			label = append(label, ')')
		case i == 0 && len(h.labels) == 0:
			label = append(label, '[')
			label = h.lower.append(label)
			label = append(label, ", ...)"...)
		case i >= len(h.labels):
			label = append(label, '[')
			label = h.labels[i-1].append(label)
			label = append(label, ", ...)"...)
		default:
			lo := h.lower
			if i > 0 {
				lo = &h.labels[i-1]
			}
			label = append(label, '[')
			label = lo.append(label)
			if oneApart(*lo, h.labels[i]) {
				label = append(label, ']')
			} else {
				label = append(label, ", "...)
				label = h.labels[i].append(label)
				label = append(label, ')')
			}
		}
		dst = appendBar(dst, label, c, maxv)
	}
	return dst
}

// appendBar appends one histogram line.
func appendBar(dst, label []byte, c, maxv uint64) []byte {
	dst = append(dst, label...)
	dst = appendFill(dst, ' ', 16-len(label))
	var num [20]byte
	n := strconv.AppendUint(num[:0], c, 10)
	dst = appendFill(dst, ' ', 8-len(n))
	dst = append(dst, n...)
	dst = append(dst, " |"...)
	w := 0
	if maxv > 0 {
		w = int(float32(float32(c)/float32(maxv)) * barWidth)
	}
	w = min(max(w, 0), barWidth)
	dst = appendFill(dst, '@', w)
	dst = appendFill(dst, ' ', barWidth-w)
	return append(dst, "|\n"...)
}

func appendFill(dst []byte, c byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, c)
	}
	return dst
}

// appendJSON appends the histogram as bpftrace's JSON bucket list: each
// bucket's closed range [min, max] and count.
func (h histogram) appendJSON(dst []byte, v *values) []byte {
	num := func(dst []byte, n uint64) []byte {
		start := len(dst)
		return v.jsonSafe(strconv.AppendUint(dst, n, 10), start)
	}
	dst = append(dst, '[')
	for i, c := range h.counts {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, '{')
		lo := h.lower
		if i > 0 {
			lo = &h.labels[i-1]
		}
		if lo != nil {
			dst = append(dst, `"min": `...)
			dst = num(dst, lo.n)
			dst = append(dst, ", "...)
		}
		if i < len(h.labels) {
			dst = append(dst, `"max": `...)
			if n := h.labels[i].n; n == 0 {
				dst = append(dst, "-1"...)
			} else {
				dst = num(dst, n-1)
			}
			dst = append(dst, ", "...)
		}
		dst = append(dst, `"count": `...)
		dst = num(dst, c)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}
