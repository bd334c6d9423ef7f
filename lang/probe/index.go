package probe

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// TracepointIndex is a tracepoint list sorted for wildcard expansion.
// It is immutable and so safe for concurrent use.
type TracepointIndex struct {
	names []string // "tracepoint:category:name", sorted
}

const tracepointPrefix = "tracepoint:"

// NewTracepointIndex indexes a list of "category:name" tracepoints.
func NewTracepointIndex(tracepoints []string) *TracepointIndex {
	sorted := slices.Clone(tracepoints)
	slices.Sort(sorted)
	size := 0
	for _, tp := range sorted {
		size += len(tracepointPrefix) + len(tp)
	}
	// One string holds every name; each name is a slice of it.
	var b strings.Builder
	b.Grow(size)
	for _, tp := range sorted {
		b.WriteString(tracepointPrefix)
		b.WriteString(tp)
	}
	all := b.String()
	names := make([]string, len(sorted))
	for i, tp := range sorted {
		n := len(tracepointPrefix) + len(tp)
		names[i], all = all[:n], all[n:]
	}
	return &TracepointIndex{names: names}
}

// A run is the names x.names[lo:hi] of an index x.
type run struct{ lo, hi int }

// match returns, in order, the runs of names whose category matches the
// pattern cat and whose event matches the pattern ev. It keeps them in
// buf's storage while they fit.
func (x *TracepointIndex) match(cat, ev string, buf []run) []run {
	runs := buf[:0]
	evGlobs := compileAlternatives(ev)
	if hasWildcard(cat) {
		catGlobs := compileAlternatives(cat)
		return x.scan(runs, 0, len(x.names), func(name string) bool {
			c, e, ok := strings.Cut(name[len(tracepointPrefix):], ":")
			return ok && catGlobs.match(c) && evGlobs.match(e)
		})
	}
	lo, hi, n := x.category(cat)
	// The names of one category sort as their events do, so the events
	// equal to a literal, or starting with a prefix, are a run too.
	for _, g := range evGlobs {
		if g.shape != globLiteral && g.shape != globPrefix {
			return x.scan(runs[:0], lo, hi, func(name string) bool { return evGlobs.match(name[n:]) })
		}
		events := x.names[lo:hi]
		i := sort.Search(len(events), func(i int) bool { return events[i][n:] >= g.pat })
		j := i + sort.Search(len(events)-i, func(k int) bool {
			e := events[i+k][n:]
			if g.shape == globLiteral {
				return e != g.pat
			}
			return !strings.HasPrefix(e, g.pat)
		})
		if i < j {
			runs = append(runs, run{lo + i, lo + j})
		}
	}
	// Alternatives may overlap ({open,open*}) and come in any order.
	slices.SortFunc(runs, func(a, b run) int { return cmp.Compare(a.lo, b.lo) })
	merged := runs[:0]
	for _, r := range runs {
		if k := len(merged) - 1; k >= 0 && r.lo <= merged[k].hi {
			merged[k].hi = max(merged[k].hi, r.hi)
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// scan appends to runs the runs of names in x.names[lo:hi] that match.
func (x *TracepointIndex) scan(runs []run, lo, hi int, match func(name string) bool) []run {
	for i := lo; i < hi; i++ {
		switch k := len(runs) - 1; {
		case !match(x.names[i]):
		case k >= 0 && runs[k].hi == i:
			runs[k].hi++
		default:
			runs = append(runs, run{i, i + 1})
		}
	}
	return runs
}

// category returns the range of x.names that category cat has, and the
// length of their common prefix "tracepoint:cat:".
func (x *TracepointIndex) category(cat string) (lo, hi, prefixLen int) {
	// Names with a common prefix are adjacent in sorted order.
	prefix := tracepointPrefix + cat + ":"
	lo, _ = slices.BinarySearch(x.names, prefix)
	rest := x.names[lo:]
	n := sort.Search(len(rest), func(i int) bool { return !strings.HasPrefix(rest[i], prefix) })
	return lo, lo + n, len(prefix)
}

// IndexCache keeps the TracepointIndex of an Env's tracepoint list, for an
// Env to implement TracepointIndex with. The zero value is ready to use; it is
// safe for concurrent use.
type IndexCache struct {
	mu    sync.Mutex
	index *TracepointIndex
}

// Index returns the index of the list list returns, built on first use.
func (c *IndexCache) Index(list func() ([]string, error)) (*TracepointIndex, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.index == nil {
		tps, err := list()
		if err != nil {
			return nil, err
		}
		c.index = NewTracepointIndex(tps)
	}
	return c.index, nil
}
