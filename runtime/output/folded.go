package output

import (
	"slices"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/lang/types"
)

// The folded-stack format (-f folded) is what FlameGraph's stackcollapse
// scripts write and flamegraph.pl, speedscope and pprof read: one line per
// distinct stack, "root;...;leaf count", the outermost frame first. A map
// keyed by kstack or ustack prints in it; the key's other elements (comm,
// pid, ...) become the stack's first frames, in key order, as
// stackcollapse-bpftrace.pl makes them; then the user stack, then the
// kernel stack on top of it. Frames are function names without their
// offsets, so that samples in one function add up; stacks equal after
// that are merged, and lines are sorted. The count is the value the map
// is sorted by (a count, sum or integer; an average; a histogram's total).
// Everything else (printf and the like, maps without a stack key or with
// values that are not numbers) is written as text to the printer's aside
// writer (SetAside), so that the folded stream stays clean.

// FoldedStack is one line of the folded-stack format: its frames, the
// outermost first, and its count.
type FoldedStack struct {
	Frames []string
	Count  int64
}

// UnknownFrame stands for a stack that could not be taken, when nothing
// else is known of a sample (as perf names what it cannot resolve).
const UnknownFrame = "[unknown]"

// HasStack reports whether a map's key is a kstack or ustack, alone or
// as an element of a tuple.
func (l *MapLayout) HasStack() bool {
	if l.Key.Kind == types.Stack {
		return true
	}
	if l.Key.Kind == types.Tuple {
		for _, e := range l.Key.Elems {
			if e.Kind == types.Stack {
				return true
			}
		}
	}
	return false
}

// Foldable reports whether a map prints in the folded-stack format: it
// has a stack key and number values (not a tseries, whose value is a
// series).
func (l *MapLayout) Foldable() bool {
	if !l.HasStack() {
		return false
	}
	switch l.agg() {
	case types.TSeries:
		return false
	case types.NoAgg:
		return l.Value.IsInt()
	}
	return true
}

// Folded returns the stacks of a Foldable map (nothing for another),
// merged and sorted by their frames. Elements whose count is not
// positive are left out.
func (p *Printer) Folded(l MapLayout, es []Entry) ([]FoldedStack, error) {
	return p.folded(l, es, 0, 1)
}

// folded is Folded keeping the top entries by value (top > 0) and
// dividing counts by div, as print(@m, top, div).
func (p *Printer) folded(l MapLayout, es []Entry, top, div int) ([]FoldedStack, error) {
	if !l.Foldable() {
		return nil, nil
	}
	if div <= 0 {
		div = 1
	}
	rs, err := l.sortedRows(es)
	if err != nil {
		return nil, err
	}
	if top > 0 && len(rs) > top {
		rs = rs[len(rs)-top:]
	}
	signed := l.signedValue()
	index := map[string]int{}
	var out []FoldedStack
	for _, r := range rs {
		n := r.n / int64(div)
		if !signed && r.n < 0 { // above the largest int64
			continue
		}
		if n <= 0 {
			continue
		}
		frames := p.foldKey(l.Key, r.key)
		line := strings.Join(frames, ";")
		if i, ok := index[line]; ok {
			out[i].Count += n
			continue
		}
		index[line] = len(out)
		out = append(out, FoldedStack{Frames: frames, Count: n})
	}
	slices.SortFunc(out, func(a, b FoldedStack) int { return slices.Compare(a.Frames, b.Frames) })
	return out, nil
}

// foldKey turns a key into frames: its elements other than stacks, in key
// order, then the user stacks, then the kernel stacks, each outermost
// frame first.
func (p *Printer) foldKey(t types.Type, b []byte) []string {
	elems, offs := []types.Type{t}, []int{0}
	if t.Kind == types.Tuple {
		elems, offs = t.Elems, t.TupleOffsets()
	}
	var lead, user, kernel []string
	for i, e := range elems {
		kb := field(b, offs[i], e.ByteSize())
		if e.Kind != types.Stack {
			lead = append(lead, foldName(string(p.vals.appendKey(nil, e, kb, textKeyIndent))))
			continue
		}
		if p.vals.stacks == nil {
			continue
		}
		frames, ok := p.vals.stacks.Stack(e, uword(kb, 8))
		if !ok {
			continue
		}
		dst := &kernel
		if e.UserStack() {
			dst = &user
		}
		for j := len(frames) - 1; j >= 0; j-- {
			*dst = append(*dst, frameName(frames[j]))
		}
	}
	out := append(append(lead, user...), kernel...)
	if len(user)+len(kernel) == 0 {
		out = append(out, UnknownFrame)
	}
	return out
}

// frameName is a frame's function: its symbol without the offset
// ("vfs_read+12" is "vfs_read"; perf mode's "f+3 (/bin/x)" is
// "f (/bin/x)"; show_debug_info's "f+12@/src/a.c:7" is "f"), or its
// address when it has no symbol.
func frameName(f Frame) string {
	s := f.Sym
	if s == "" {
		return "0x" + strconv.FormatUint(f.Addr, 16)
	}
	// show_debug_info's "f+3@/src/a.c:7" and "[inlined] g@/src/a.c:9"
	// are f and g (a symbol version, "f@GLIBC_2.2.5", has no colon).
	s = strings.TrimPrefix(s, "[inlined] ")
	if i := strings.LastIndexByte(s, '@'); i > 0 && strings.Contains(s[i:], ":") {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '+'); i > 0 {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j > i+1 && (j == len(s) || s[j] == ' ') {
			s = s[:i] + s[j:]
		}
	}
	return foldName(s)
}

// foldName keeps a frame on its line and in one piece: ';' (the frame
// separator) becomes ':', line breaks become spaces.
func foldName(s string) string {
	if !strings.ContainsAny(s, ";\n\r") {
		return s
	}
	return strings.NewReplacer(";", ":", "\n", " ", "\r", " ").Replace(s)
}

// printFolded writes a Foldable map's stacks, one line each.
func (p *Printer) printFolded(l MapLayout, es []Entry, top, div int) error {
	stacks, err := p.folded(l, es, top, div)
	if err != nil {
		return err
	}
	for _, s := range stacks {
		p.buf = AppendFolded(p.buf, s)
	}
	return p.flush()
}

// AppendFolded appends s as a line of the folded-stack format.
func AppendFolded(dst []byte, s FoldedStack) []byte {
	for i, f := range s.Frames {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, f...)
	}
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, s.Count, 10)
	return append(dst, '\n')
}
