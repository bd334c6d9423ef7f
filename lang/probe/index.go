package probe

import (
	"slices"
	"sort"
	"strings"
)

// IndexEnv is an Env that keeps an index of its tracepoint list, built
// once with NewTracepointIndex, so that expanding a wildcard neither scans
// every tracepoint nor sorts what matched.
type IndexEnv interface {
	Env
	// TracepointIndex returns the index of the list Tracepoints returns.
	TracepointIndex() (*TracepointIndex, error)
}

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

// category returns the names of the tracepoints of category cat and the
// length of their common prefix "tracepoint:cat:".
func (x *TracepointIndex) category(cat string) ([]string, int) {
	// Names with a common prefix are adjacent in sorted order.
	prefix := tracepointPrefix + cat + ":"
	lo, _ := slices.BinarySearch(x.names, prefix)
	rest := x.names[lo:]
	n := sort.Search(len(rest), func(i int) bool { return !strings.HasPrefix(rest[i], prefix) })
	return rest[:n], len(prefix)
}
