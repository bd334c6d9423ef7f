package output

import (
	"strconv"
)

// The bucket printers below follow bpftrace 0.17's output.cpp closely,
// including its use of C int and float: counts are truncated to int when
// looking for the largest bucket, bars are computed in float, and JSON
// bucket bounds are computed with 32-bit shifts.

const barWidth = 52

// histRange returns the first and last bucket with a positive count (as
// a C int) and the largest count, or first == -1 when all are empty.
func histRange(b []uint64) (first, last int, maxv int32) {
	first, last = -1, -1
	for i, c := range b {
		v := int32(c)
		if v > 0 {
			if first == -1 {
				first = i
			}
			last = i
		}
		maxv = max(maxv, v)
	}
	return first, last, maxv
}

// lhistRange is 0.17's lhist_prepare: any non-zero bucket makes the
// histogram non-empty; the printed range runs from the first to the last
// bucket with a positive count.
func lhistRange(b []uint64) (first, last int, maxv int32) {
	nonzero := false
	for _, c := range b {
		if int32(c) != 0 {
			nonzero = true
		}
		maxv = max(maxv, int32(c))
	}
	if !nonzero {
		return -1, -1, maxv
	}
	first, last = -1, 0
	for i, c := range b {
		if c > 0 {
			if first == -1 {
				first = i
			}
			last = i
		}
	}
	return max(first, 0), last, maxv
}

// appendBar appends one histogram line: label left-aligned in 16 columns,
// count right-aligned in 8, and the bar between pipes.
func appendBar(dst, label []byte, count, c uint64, maxv int32) []byte {
	dst = append(dst, label...)
	dst = appendFill(dst, ' ', 16-len(label))
	var num [20]byte
	n := strconv.AppendUint(num[:0], count, 10)
	dst = appendFill(dst, ' ', 8-len(n))
	dst = append(dst, n...)
	dst = append(dst, " |"...)
	w := int(float32(float32(c)/float32(maxv)) * barWidth)
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

// appendPow2Label appends 2^power with bpftrace's K/M/G/T suffixes.
func appendPow2Label(dst []byte, power int) []byte {
	suffix := byte(0)
	switch {
	case power >= 40:
		suffix, power = 'T', power-40
	case power >= 30:
		suffix, power = 'G', power-30
	case power >= 20:
		suffix, power = 'M', power-20
	case power >= 10:
		suffix, power = 'K', power-10
	}
	dst = strconv.AppendInt(dst, int64(int32(1)<<power), 10)
	if suffix != 0 {
		dst = append(dst, suffix)
	}
	return dst
}

// appendHist appends a hist() value's lines; counts are divided by div.
func appendHist(dst []byte, b []uint64, div uint64) []byte {
	first, last, maxv := histRange(b)
	if first == -1 {
		return dst
	}
	var label []byte
	var buf [48]byte
	for i := first; i <= last; i++ {
		label = buf[:0]
		switch i {
		case 0:
			label = append(label, "(..., 0)"...)
		case 1:
			label = append(label, "[0]"...)
		case 2:
			label = append(label, "[1]"...)
		default:
			label = append(label, '[')
			label = appendPow2Label(label, i-2)
			label = append(label, ", "...)
			label = appendPow2Label(label, i-1)
			label = append(label, ')')
		}
		dst = appendBar(dst, label, b[i]/div, b[i], maxv)
	}
	return dst
}

// appendLhistLabel appends n with a K or M suffix when it is a multiple of
// 1024 or 1048576, as 0.17's lhist_index_label.
func appendLhistLabel(dst []byte, n int64) []byte {
	n = int64(int32(n))
	switch {
	case n == 0:
		return append(dst, '0')
	case n%1048576 == 0:
		return append(strconv.AppendInt(dst, n/1048576, 10), 'M')
	case n%1024 == 0:
		return append(strconv.AppendInt(dst, n/1024, 10), 'K')
	}
	return strconv.AppendInt(dst, n, 10)
}

// appendLhist appends an lhist() value's lines (0.17 does not divide them).
func appendLhist(dst []byte, b []uint64, l LhistParams) []byte {
	first, last, maxv := lhistRange(b)
	if first == -1 {
		return dst
	}
	buckets := int((l.Max - l.Min) / l.Step)
	var label []byte
	var buf [64]byte
	for i := first; i <= last; i++ {
		label = buf[:0]
		switch {
		case i == 0:
			label = append(label, "(..., "...)
			label = appendLhistLabel(label, l.Min)
			label = append(label, ')')
		case i == buckets+1:
			label = append(label, '[')
			label = appendLhistLabel(label, l.Max)
			label = append(label, ", ...)"...)
		default:
			label = append(label, '[')
			label = appendLhistLabel(label, int64(i-1)*l.Step+l.Min)
			label = append(label, ", "...)
			label = appendLhistLabel(label, int64(i)*l.Step+l.Min)
			label = append(label, ')')
		}
		dst = appendBar(dst, label, b[i], b[i], maxv)
	}
	return dst
}

// appendHistJSON appends a hist() value as 0.17's JSON bucket list.
func appendHistJSON(dst []byte, b []uint64, div uint64) []byte {
	first, last, _ := histRange(b)
	if first == -1 {
		return append(dst, "[]"...)
	}
	dst = append(dst, '[')
	for i := first; i <= last; i++ {
		if i > first {
			dst = append(dst, ", "...)
		}
		dst = append(dst, '{')
		switch i {
		case 0:
			dst = append(dst, `"max": -1, `...)
		case 1:
			dst = append(dst, `"min": 0, "max": 0, `...)
		case 2:
			dst = append(dst, `"min": 1, "max": 1, `...)
		default:
			// C: long low = 1 << (i-2); long high = (1 << (i-1)) - 1;
			// with int shifts (x86 masks the count to 5 bits).
			low := int32(1) << uint((i-2)&31)
			high := int32(1)<<uint((i-1)&31) - 1
			dst = append(dst, `"min": `...)
			dst = strconv.AppendInt(dst, int64(low), 10)
			dst = append(dst, `, "max": `...)
			dst = strconv.AppendInt(dst, int64(high), 10)
			dst = append(dst, ", "...)
		}
		dst = append(dst, `"count": `...)
		dst = strconv.AppendUint(dst, b[i]/div, 10)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// appendLhistJSON appends an lhist() value as 0.17's JSON bucket list.
func appendLhistJSON(dst []byte, b []uint64, l LhistParams) []byte {
	first, last, _ := lhistRange(b)
	if first == -1 {
		return append(dst, "[]"...)
	}
	buckets := int((l.Max - l.Min) / l.Step)
	dst = append(dst, '[')
	for i := first; i <= last; i++ {
		if i > first {
			dst = append(dst, ", "...)
		}
		dst = append(dst, '{')
		switch {
		case i == 0:
			dst = append(dst, `"max": `...)
			dst = strconv.AppendInt(dst, l.Min-1, 10)
			dst = append(dst, ", "...)
		case i == buckets+1:
			dst = append(dst, `"min": `...)
			dst = strconv.AppendInt(dst, l.Max, 10)
			dst = append(dst, ", "...)
		default:
			dst = append(dst, `"min": `...)
			dst = strconv.AppendInt(dst, int64(i-1)*l.Step+l.Min, 10)
			dst = append(dst, `, "max": `...)
			dst = strconv.AppendInt(dst, int64(i)*l.Step+l.Min-1, 10)
			dst = append(dst, ", "...)
		}
		dst = append(dst, `"count": `...)
		dst = strconv.AppendUint(dst, b[i], 10)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}
