// Package output renders decoded values, printf records and maps in
// bpftrace 0.17's text format.
package output

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/internal/cfmt"
	"github.com/gbt-dev/gbt/lang/types"
)

// Formatter renders values; ProbeNames resolves the `probe` builtin.
type Formatter struct {
	ProbeNames []string
}

// word reads a little-endian integer of n bytes.
func word(b []byte, n int) uint64 {
	switch n {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.LittleEndian.Uint16(b))
	case 4:
		return uint64(binary.LittleEndian.Uint32(b))
	}
	return binary.LittleEndian.Uint64(b)
}

// Int decodes an integer of type t from b (sign-extended when signed).
func Int(t types.Type, b []byte) int64 {
	n := t.ByteSize()
	if n == 0 || n > 8 || t.Kind != types.Int {
		n = 8
	}
	v := word(b, n)
	if t.Signed && n < 8 {
		shift := 64 - 8*n
		return int64(v<<shift) >> shift
	}
	return int64(v)
}

// cstring returns b up to its first NUL.
func cstring(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// AppendValue renders a value of type t stored in b, as map keys, values
// and print() show it.
func (f *Formatter) AppendValue(dst []byte, t types.Type, b []byte) []byte {
	switch t.Kind {
	case types.Int, types.Bool:
		if t.Signed {
			return strconv.AppendInt(dst, Int(t, b), 10)
		}
		return strconv.AppendUint(dst, uint64(Int(t, b)), 10)
	case types.String:
		return append(dst, cstring(b[:min(len(b), t.Size)])...)
	case types.Probe:
		id := word(b, 8)
		if int(id) < len(f.ProbeNames) {
			return append(dst, f.ProbeNames[id]...)
		}
		return strconv.AppendUint(dst, id, 10)
	case types.Tuple:
		dst = append(dst, '(')
		for i, off := range t.TupleOffsets() {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = f.AppendValue(dst, t.Elems[i], b[off:])
		}
		return append(dst, ')')
	case types.Pointer:
		return strconv.AppendUint(dst, word(b, 8), 10)
	}
	return fmt.Appendf(dst, "<%s>", t)
}

// AppendPrintf formats a printf record: args of the given types at offs.
func (f *Formatter) AppendPrintf(dst []byte, pieces []cfmt.Piece, args []types.Type, offs []int, rec []byte) []byte {
	i := 0
	for _, p := range pieces {
		if p.Verb == nil {
			dst = append(dst, p.Lit...)
			continue
		}
		t, b := args[i], rec[offs[i]:]
		i++
		switch {
		case t.Kind == types.String:
			dst = p.Verb.AppendString(dst, cstring(b[:min(len(b), t.Size)]))
		case p.Verb.IsString():
			dst = p.Verb.AppendString(dst, f.AppendValue(nil, t, b))
		default:
			dst = p.Verb.AppendInt(dst, word(b, 8))
		}
	}
	return dst
}

// Map is a map's contents read from the kernel.
type Map struct {
	Name    string
	Key     types.Type // Kind Void for keyless maps
	Value   types.Type
	Lhist   [3]int64 // min, max, step
	Entries []Entry
}

// Entry is one element: its key bytes and its value bytes per CPU (one
// slice for maps that are not per-CPU).
type Entry struct {
	Key    []byte
	Values [][]byte
}

// reduced is an entry's value folded over CPUs.
type reduced struct {
	key    []byte
	raw    []byte   // plain values
	n      int64    // count/sum/min/max result, avg, or total for sorting
	set    bool     // min/max: some CPU stored a value
	sum    int64    // avg/stats
	count  int64    // avg/stats
	bucket []uint64 // hist/lhist
}

func (m *Map) reduce(e Entry) reduced {
	r := reduced{key: e.Key}
	v := m.Value
	if v.Kind != types.Agg {
		r.raw = e.Values[0]
		if v.IsInt() {
			r.n = Int(v, r.raw)
		}
		return r
	}
	for _, b := range e.Values {
		switch v.AggKind {
		case types.Count, types.Sum:
			r.n += int64(word(b, 8))
		case types.Min, types.Max:
			if word(b[8:], 8) == 0 {
				continue
			}
			x := int64(word(b, 8))
			if !r.set || (v.AggKind == types.Min && x < r.n) || (v.AggKind == types.Max && x > r.n) {
				r.n = x
			}
			r.set = true
		case types.Avg, types.Stats:
			r.sum += int64(word(b, 8))
			r.count += int64(word(b[8:], 8))
		case types.Hist, types.Lhist:
			if r.bucket == nil {
				r.bucket = make([]uint64, len(b)/8)
			}
			for i := range r.bucket {
				r.bucket[i] += word(b[8*i:], 8)
			}
		}
	}
	switch v.AggKind {
	case types.Avg, types.Stats:
		if r.count > 0 {
			r.n = r.sum / r.count
		}
	case types.Hist, types.Lhist:
		for _, c := range r.bucket {
			r.n += int64(c)
		}
	}
	return r
}

// Print writes the map as bpftrace prints it at exit and for print(@m,
// top, div): top > 0 keeps the last top entries, div > 0 divides values.
func (f *Formatter) Print(w *bytes.Buffer, m *Map, top, div int) {
	rs := make([]reduced, 0, len(m.Entries))
	for _, e := range m.Entries {
		r := m.reduce(e)
		if m.Value.Kind == types.Agg && (m.Value.AggKind == types.Min || m.Value.AggKind == types.Max) && !r.set && m.Key.Kind != types.Void {
			continue
		}
		rs = append(rs, r)
	}
	if m.Key.Kind == types.Void && len(rs) == 1 && m.Value.Kind == types.Agg && m.Value.AggKind != types.Count && m.Value.AggKind != types.Sum && rs[0].n == 0 && rs[0].count == 0 && !rs[0].set {
		// A keyless aggregation nothing was stored in (or that was
		// cleared) prints as an empty map, as in bpftrace 0.17.
		rs = rs[:0]
	}
	if len(rs) == 0 {
		w.WriteByte('\n')
		return
	}
	byKey := m.Value.Kind != types.Agg && !m.Value.IsInt()
	sort.SliceStable(rs, func(i, j int) bool {
		if byKey {
			return bytes.Compare(rs[i].key, rs[j].key) < 0
		}
		if rs[i].n != rs[j].n {
			if m.Value.Kind == types.Agg || m.Value.Signed {
				return rs[i].n < rs[j].n
			}
			return uint64(rs[i].n) < uint64(rs[j].n)
		}
		return false
	})
	if top > 0 && len(rs) > top {
		rs = rs[len(rs)-top:]
	}
	var line []byte
	for _, r := range rs {
		line = append(line[:0], m.Name...)
		if m.Key.Kind != types.Void {
			line = append(line, '[')
			if m.Key.Kind == types.Tuple {
				tl := f.AppendValue(nil, m.Key, r.key)
				line = append(line, tl[1:len(tl)-1]...)
			} else {
				line = f.AppendValue(line, m.Key, r.key)
			}
			line = append(line, ']')
		}
		line = append(line, ": "...)
		w.Write(line)
		f.writeValue(w, m, r, div)
	}
	if m.Value.Kind == types.Agg && (m.Value.AggKind == types.Avg || m.Value.AggKind == types.Stats) {
		w.WriteByte('\n')
	}
}

func (f *Formatter) writeValue(w *bytes.Buffer, m *Map, r reduced, div int) {
	v := m.Value
	d := int64(1)
	if div > 0 {
		d = int64(div)
	}
	if v.Kind != types.Agg {
		if v.IsInt() {
			if v.Signed {
				fmt.Fprintf(w, "%d\n", r.n/d)
			} else {
				fmt.Fprintf(w, "%d\n", uint64(r.n)/uint64(d))
			}
			return
		}
		w.Write(f.AppendValue(nil, v, r.raw))
		w.WriteByte('\n')
		return
	}
	switch v.AggKind {
	case types.Count, types.Sum, types.Min, types.Max, types.Avg:
		if v.AggSigned || v.AggKind == types.Avg {
			fmt.Fprintf(w, "%d\n", r.n/d)
		} else {
			fmt.Fprintf(w, "%d\n", uint64(r.n)/uint64(d))
		}
	case types.Stats:
		avg := int64(0)
		if r.count > 0 {
			avg = r.sum / r.count
		}
		fmt.Fprintf(w, "count %d, average %d, total %d\n", r.count, avg, r.sum)
	case types.Hist:
		w.WriteString("\n")
		writeBuckets(w, r.bucket, histLabel)
		w.WriteByte('\n')
	case types.Lhist:
		w.WriteString("\n")
		lo, hi, step := m.Lhist[0], m.Lhist[1], m.Lhist[2]
		writeBuckets(w, r.bucket, func(i int) string { return lhistLabel(i, len(r.bucket), lo, hi, step) })
		w.WriteByte('\n')
	}
}

// writeBuckets prints the buckets from the first to the last non-zero one
// with bpftrace's bars (52 '@' for the largest bucket).
func writeBuckets(w *bytes.Buffer, b []uint64, label func(int) string) {
	first, last := -1, -1
	var max uint64
	for i, c := range b {
		if c == 0 {
			continue
		}
		if first < 0 {
			first = i
		}
		last = i
		if c > max {
			max = c
		}
	}
	if first < 0 {
		return
	}
	for i := first; i <= last; i++ {
		n := int(b[i] * 52 / max)
		fmt.Fprintf(w, "%-16s%8d |%s%s|\n", label(i), b[i], strings.Repeat("@", n), strings.Repeat(" ", 52-n))
	}
}

// histLabel names log2 bucket i (see types.HistBucket).
func histLabel(i int) string {
	switch i {
	case 0:
		return "(..., 0)"
	case 1:
		return "[0]"
	case 2:
		return "[1]"
	}
	k := i - 2
	return "[" + pow2(k) + ", " + pow2(k+1) + ")"
}

// pow2 renders 2^k with bpftrace's K/M/G/T/P/E suffixes.
func pow2(k int) string {
	units := []string{"", "K", "M", "G", "T", "P", "E"}
	u := k / 10
	if u >= len(units) {
		u = len(units) - 1
	}
	return strconv.FormatUint(1<<(k-10*u), 10) + units[u]
}

func lhistLabel(i, n int, lo, hi, step int64) string {
	switch i {
	case 0:
		return fmt.Sprintf("(..., %d)", lo)
	case n - 1:
		return fmt.Sprintf("[%d, ...)", hi)
	}
	b := lo + int64(i-1)*step
	return fmt.Sprintf("[%d, %d)", b, b+step)
}
