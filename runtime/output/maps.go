package output

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
)

// MapLayout describes a map for printing.
type MapLayout struct {
	Name  string     // "@name" (or "@" for the anonymous map)
	Key   types.Type // Kind Void for a keyless map; a Tuple is a multi-value key @m[1, abc]
	Value types.Type // a plain value, or types.Agg with its AggKind
	// Params are the aggregation's constant arguments (hist bits, lhist
	// range, tseries intervals).
	Params types.AggParams
}

// row is an entry with its value reduced over CPUs.
type row struct {
	key   []byte
	raw   []byte           // plain value
	n     int64            // count/sum/min/max/plain int, avg/stats average, hist total
	count int64            // avg/stats
	sum   int64            // avg/stats
	bkt   []uint64         // hist/lhist
	ts    map[uint64]int64 // tseries: value by epoch
}

func (l *MapLayout) agg() types.AggKind {
	if l.Value.Kind == types.Agg {
		return l.Value.AggKind
	}
	return types.NoAgg
}

// valueSize is the per-CPU value size.
func (l *MapLayout) valueSize() int {
	if k := l.agg(); k != types.NoAgg {
		return types.AggValueSize(k, l.Params)
	}
	return l.Value.ByteSize()
}

// reduce folds an entry's per-CPU values with lang/types' rules.
func (l *MapLayout) reduce(e Entry) (row, error) {
	r := row{key: e.Key}
	size := l.valueSize()
	for cpu, b := range e.Values {
		if len(b) < size {
			return r, fmt.Errorf("map %s: value of CPU %d has %d bytes, want %d", l.Name, cpu, len(b), size)
		}
	}
	if len(e.Values) == 0 {
		return r, fmt.Errorf("map %s: entry without a value", l.Name)
	}
	if len(e.Key) < l.Key.ByteSize() {
		return r, fmt.Errorf("map %s: key has %d bytes, want %d", l.Name, len(e.Key), l.Key.ByteSize())
	}
	k := l.agg()
	switch k {
	case types.NoAgg:
		r.raw = e.Values[0]
		if l.Value.IsInt() || l.Value.Kind == types.Pointer {
			var sum uint64 // bpftrace's reduce_value adds the CPUs' values
			for _, b := range e.Values {
				sum += intArg(l.Value, b)
			}
			r.n = int64(sum)
		}
	case types.Count, types.Sum:
		for _, b := range e.Values {
			r.n += int64(uword(b, 8))
		}
	case types.Min, types.Max:
		set := false
		for _, b := range e.Values {
			if uword(b[8:], 8) == 0 {
				continue
			}
			x := int64(uword(b, 8))
			better := x < r.n
			if !l.Value.AggSigned {
				better = uint64(x) < uint64(r.n)
			}
			if k == types.Max {
				better = x > r.n
				if !l.Value.AggSigned {
					better = uint64(x) > uint64(r.n)
				}
			}
			if !set || better {
				r.n = x
			}
			set = true
		}
	case types.Avg, types.Stats:
		for _, b := range e.Values {
			r.sum += int64(uword(b, 8))
			r.count += int64(uword(b[8:], 8))
		}
		switch {
		case r.count == 0:
		case l.Value.AggSigned:
			r.n = r.sum / r.count
		default:
			r.n = int64(uint64(r.sum) / uint64(r.count))
		}
	case types.Hist, types.Lhist:
		r.bkt = make([]uint64, size/8)
		for _, b := range e.Values {
			for i := range r.bkt {
				r.bkt[i] += uword(b[8*i:], 8)
			}
		}
		for _, c := range r.bkt {
			r.n += int64(c)
		}
	case types.TSeries:
		r.ts = l.reduceTSeries(e.Values)
	default:
		return r, fmt.Errorf("map %s: unknown aggregation %v", l.Name, k)
	}
	return r, nil
}

// signedValue reports whether reduced values compare and divide as signed.
func (l *MapLayout) signedValue() bool {
	switch l.agg() {
	case types.NoAgg:
		return l.Value.Kind == types.Bool || l.Value.Kind == types.Pointer || l.Value.Signed
	case types.Count:
		return false
	case types.Sum, types.Min, types.Max, types.Avg, types.Stats:
		// The newest bpftrace's avg() and stats() of unsigned values are
		// unsigned (0.17's were signed: -7 for (uint64)-7).
		return l.Value.AggSigned
	}
	return true
}

// sortedRows reduces each entry over CPUs into a row and puts the rows in
// print order (sortRows).
func (l *MapLayout) sortedRows(es []Entry) ([]row, error) {
	rs := make([]row, 0, len(es))
	for _, e := range es {
		r, err := l.reduce(e)
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	l.sortRows(rs)
	return rs, nil
}

// sortRows orders rows as bpftrace 0.17's print_map does: count, sum,
// min, max and integer values by value; hist and lhist by total count;
// avg and stats by average; other values by key (sort_by_key). Ties keep
// the order of the raw key bytes, which is what 0.17's std::map gives
// hist/lhist/avg/stats (its order for other ties is the kernel's hash
// order).
func (l *MapLayout) sortRows(rs []row) {
	byValue := l.agg() != types.NoAgg || l.Value.IsInt() || l.Value.Kind == types.Pointer
	if !byValue {
		l.sortKeys(rs, false)
		return
	}
	// Keys are unique, so one unstable sort by (value, key bytes) gives the
	// order of a stable sort by value over rows sorted by key.
	signed := l.signedValue()
	slices.SortFunc(rs, func(a, b row) int {
		var c int
		if signed {
			c = cmp.Compare(a.n, b.n)
		} else {
			c = cmp.Compare(uint64(a.n), uint64(b.n))
		}
		if c != 0 {
			return c
		}
		return bytes.Compare(a.key, b.key)
	})
}

// sortKeys orders rows by key: the order of the raw key bytes, then
// sortByKey's (signed integers as signed with signedInts, as --sort key
// orders them).
func (l *MapLayout) sortKeys(rs []row, signedInts bool) {
	slices.SortFunc(rs, func(a, b row) int { return bytes.Compare(a.key, b.key) })
	l.sortByKey(rs, signedInts)
}

// sortByKey is 0.17's sort_by_key: stable sorts by each key argument from
// the last to the first; integers compare unsigned (unless signedInts and
// the integer is signed), strings as strncmp; other kinds keep their order.
func (l *MapLayout) sortByKey(rs []row, signedInts bool) {
	args, offs := []types.Type{l.Key}, []int{0}
	if l.Key.Kind == types.Tuple {
		args, offs = l.Key.Elems, l.Key.TupleOffsets()
	}
	for i := len(args) - 1; i >= 0; i-- {
		t, off := args[i], offs[i]
		switch {
		case t.IsInt() && signedInts && t.Signed:
			n := intSize(t)
			shift := uint(64 - 8*n)
			slices.SortStableFunc(rs, func(a, b row) int {
				x := int64(uword(field(a.key, off, n), n)<<shift) >> shift
				y := int64(uword(field(b.key, off, n), n)<<shift) >> shift
				return cmp.Compare(x, y)
			})
		case t.IsInt():
			n := intSize(t)
			slices.SortStableFunc(rs, func(a, b row) int {
				return cmp.Compare(uword(field(a.key, off, n), n), uword(field(b.key, off, n), n))
			})
		case t.Kind == types.String:
			slices.SortStableFunc(rs, func(a, b row) int {
				return bytes.Compare(cstr(field(a.key, off, t.Size)), cstr(field(b.key, off, t.Size)))
			})
		}
	}
}

// PrintMap writes a map as bpftrace 0.17 prints it at exit and for
// print(@m, top, div): es are the map's entries in any order (one value
// per CPU for per-CPU maps). top > 0 keeps only the last top entries
// (0.17 ignores top for stats); div > 0 divides printed values (0.17
// ignores it for lhist and stats). An empty map prints nothing, as in the
// newest bpftrace; in 0.17's text an empty line (two for avg/stats).
func (p *Printer) PrintMap(l MapLayout, es []Entry, top, div int) error {
	if err := supported(l.Value); err != nil && l.Value.Kind != types.Agg {
		return fmt.Errorf("map %s: %w", l.Name, err)
	}
	if l.Key.Kind != types.Void {
		if err := supported(l.Key); err != nil {
			return fmt.Errorf("map %s key: %w", l.Name, err)
		}
	}
	if l.agg() == types.Lhist && (l.Params.Step <= 0 || l.Params.Max <= l.Params.Min) {
		return fmt.Errorf("map %s: invalid lhist parameters %+v", l.Name, l.Params)
	}
	if p.f.StacksOnly() {
		switch {
		case !l.Foldable():
			return p.asText().PrintMap(l, es, top, div)
		case p.f == Pprof:
			return nil // the profile is written once, at exit
		}
		return p.printFolded(l, es, top, div)
	}
	rs, err := l.sortedRows(es)
	if err != nil {
		return err
	}
	if div <= 0 {
		div = 1
	}
	if top > 0 && len(rs) > top && l.agg() != types.Stats {
		rs = rs[len(rs)-top:]
	}
	if p.order.ByKey {
		l.sortKeys(rs, true)
	}
	if p.order.Reverse {
		slices.Reverse(rs)
	}
	last := lastEpoch(rs)
	json := p.f == JSON
	if len(rs) == 0 && (json || p.vals.compat.Has(compat.SilentEmptyMaps)) {
		return nil
	}
	if json {
		kind := "map"
		switch l.agg() {
		case types.Hist, types.Lhist:
			kind = "hist"
		case types.Avg, types.Stats:
			kind = "stats"
		case types.TSeries:
			kind = "tseries"
		}
		p.buf = append(p.buf, `{"type": "`...)
		p.buf = append(p.buf, kind...)
		p.buf = append(p.buf, `", "data": {`...)
		p.openJSONMap(&l)
	}
	for i, r := range rs {
		if i > 0 {
			if json {
				p.buf = append(p.buf, ", "...)
			} else {
				p.buf = append(p.buf, '\n')
			}
		}
		p.appendRow(&l, r, div, last)
	}
	if json {
		p.closeJSONMap(&l)
		p.buf = append(p.buf, '}')
		if k := l.agg(); p.percentiles && (k == types.Hist || k == types.Lhist) {
			p.appendRowEstimatesJSON(&l, rs)
		}
		p.buf = append(p.buf, "}\n"...)
		return p.flush()
	}
	p.buf = append(p.buf, '\n')
	if k := l.agg(); (k == types.Avg || k == types.Stats) && !p.vals.compat.Has(compat.TightAvgMaps) {
		p.buf = append(p.buf, '\n') // 0.17's blank line after an avg or stats map
	}
	return p.flush()
}

// appendRow appends one "key: value" element.
func (p *Printer) appendRow(l *MapLayout, r row, div int, lastEpoch uint64) {
	json := p.f == JSON
	if json {
		p.appendJSONKey(l, r)
	} else {
		p.buf = append(p.buf, l.Name...)
		if l.Key.Kind != types.Void {
			p.buf = append(p.buf, '[')
			p.buf = p.vals.appendKeyList(p.buf, l.Key, r.key, false)
			p.buf = append(p.buf, ']')
		}
		if k := l.agg(); k == types.Hist || k == types.Lhist || k == types.TSeries {
			p.buf = append(p.buf, ":\n"...) // the newest bpftrace's "@:" (0.17: "@: ")
		} else {
			p.buf = append(p.buf, ": "...)
		}
	}
	start := len(p.buf)
	p.appendRowValue(l, r, div, lastEpoch, json)
	if k := l.agg(); json && k != types.Stats && k != types.Hist && k != types.Lhist && k != types.TSeries {
		// One number (a tuple's appendValue quotes its own).
		p.buf = p.vals.jsonSafe(p.buf, start)
	}
}

// appendRowValue appends the value of one element.
func (p *Printer) appendRowValue(l *MapLayout, r row, div int, lastEpoch uint64, json bool) {
	d := int64(div)
	switch k := l.agg(); k {
	case types.NoAgg:
		if l.Value.Kind == types.Pointer && !json && div <= 1 {
			p.buf = p.vals.appendPointer(p.buf, uint64(r.n))
		} else if l.Value.Enum != nil && !json && div <= 1 && p.vals.compat.Has(compat.EnumNames) {
			p.buf = l.Value.Enum.AppendVariant(p.buf, r.n)
		} else if (l.Value.IsInt() || l.Value.Kind == types.Pointer) && l.Value.Kind != types.Bool {
			p.buf = appendDiv(p.buf, l.Value, r.n, div)
		} else {
			p.buf = p.vals.appendValue(p.buf, l.Value, r.raw, json)
		}
	case types.Count, types.Sum, types.Min, types.Max:
		if l.signedValue() {
			p.buf = strconv.AppendInt(p.buf, r.n/d, 10)
		} else {
			p.buf = strconv.AppendUint(p.buf, uint64(r.n)/uint64(d), 10)
		}
	case types.Avg:
		if l.signedValue() {
			p.buf = strconv.AppendInt(p.buf, r.n/d, 10)
		} else {
			p.buf = strconv.AppendUint(p.buf, uint64(r.n)/uint64(d), 10)
		}
	case types.Stats:
		// Of unsigned values (the newest bpftrace's) the average and
		// total are unsigned.
		var ab, tb [24]byte
		avg, total := strconv.AppendInt(ab[:0], r.n, 10), strconv.AppendInt(tb[:0], r.sum, 10)
		if !l.signedValue() {
			avg, total = strconv.AppendUint(ab[:0], uint64(r.n), 10), strconv.AppendUint(tb[:0], uint64(r.sum), 10)
		}
		switch {
		case json:
			p.buf = append(p.buf, `{"count": `...)
			p.buf = p.vals.appendJSONInt(p.buf, r.count)
			p.buf = append(p.buf, `, "average": `...)
			start := len(p.buf)
			p.buf = p.vals.jsonSafe(append(p.buf, avg...), start)
			p.buf = append(p.buf, `, "total": `...)
			start = len(p.buf)
			p.buf = p.vals.jsonSafe(append(p.buf, total...), start)
			p.buf = append(p.buf, '}')
		case p.vals.compat.Has(compat.StatsRecord):
			p.buf = fmt.Appendf(p.buf, "{ .count = %d, .average = %s, .total = %s }", r.count, avg, total)
		default:
			p.buf = fmt.Appendf(p.buf, "count %d, average %s, total %s", r.count, avg, total)
		}
	case types.TSeries:
		ts := p.buildTSeries(l, r.ts, lastEpoch)
		if json {
			p.buf = ts.appendJSON(p.buf)
		} else {
			p.buf = ts.appendText(p.buf)
		}
	case types.Hist, types.Lhist:
		h := buildLhist(r.bkt, l.Params)
		if k == types.Hist {
			h = buildHist(r.bkt, uint64(div), l.Params.Bits)
		}
		if json {
			p.buf = h.appendJSON(p.buf, &p.vals)
		} else {
			p.buf = h.appendText(p.buf)
			if p.percentiles {
				if es := l.estimates(r.bkt); len(es) > 0 {
					p.buf = appendEstimatesText(p.buf, es)
				}
			}
		}
	}
}

// appendRowEstimatesJSON appends the "percentiles" field of a hist
// record: the estimates of each row, keyed as the record's data is.
func (p *Printer) appendRowEstimatesJSON(l *MapLayout, rs []row) {
	p.buf = append(p.buf, `, "percentiles": {`...)
	p.openJSONMap(l)
	for i, r := range rs {
		if i > 0 {
			p.buf = append(p.buf, ", "...)
		}
		p.appendJSONKey(l, r)
		p.buf = appendEstimatesJSON(p.buf, l.estimates(r.bkt))
	}
	p.closeJSONMap(l)
	p.buf = append(p.buf, '}')
}

// openJSONMap appends a JSON record's `"@name": ` and, for a keyed map,
// the brace of its object of rows; closeJSONMap closes that object.
func (p *Printer) openJSONMap(l *MapLayout) {
	p.buf = appendJSONString(p.buf, []byte(l.Name))
	p.buf = append(p.buf, ": "...)
	if l.Key.Kind != types.Void {
		p.buf = append(p.buf, '{')
	}
}

func (p *Printer) closeJSONMap(l *MapLayout) {
	if l.Key.Kind != types.Void {
		p.buf = append(p.buf, '}')
	}
}

// appendJSONKey appends a row's `"key": ` in a keyed map's JSON object.
func (p *Printer) appendJSONKey(l *MapLayout, r row) {
	if l.Key.Kind != types.Void {
		p.vals.tmp = p.vals.appendKeyList(p.vals.tmp[:0], l.Key, r.key, true)
		p.buf = appendJSONString(p.buf, p.vals.tmp)
		p.buf = append(p.buf, ": "...)
	}
}

// appendDiv prints a plain integer value divided by div at the value's
// width and sign, as 0.17's value_to_str.
func appendDiv(dst []byte, t types.Type, n int64, div int) []byte {
	switch t.Kind {
	case types.Pointer:
		return strconv.AppendUint(dst, uint64(n)/uint64(div), 10)
	case types.Int: // at its width and sign, below
	default:
		return strconv.AppendInt(dst, n/int64(div), 10)
	}
	bits := uint(intSize(t) * 8)
	if t.Signed {
		shift := 64 - bits
		x := n << shift >> shift // the sum wraps at the value's width
		return strconv.AppendInt(dst, x/int64(div), 10)
	}
	x := uint64(n)
	if bits < 64 {
		x &= 1<<bits - 1
	}
	return strconv.AppendUint(dst, x/uint64(div), 10)
}

// Entry is one map element read from the kernel: its key bytes and its
// value bytes, one slice per CPU for per-CPU maps (else one slice).
type Entry struct {
	Key    []byte
	Values [][]byte
}
