// Package spell suggests the nearest known name for a misspelt one.
package spell

// Nearest returns the candidate closest to name by edit distance, if it is
// close enough to be a likely typo (at most a third of the name's length,
// and at least one edit allowed), or "".
func Nearest(name string, candidates []string) string {
	best, bestD := "", len(name)/3+1
	if bestD > 3 {
		bestD = 3
	}
	for _, c := range candidates {
		if c == name {
			continue
		}
		if d := distance(name, c, bestD); d <= bestD && (best == "" || d < distance(name, best, bestD)) {
			best = c
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, giving up with
// max+1 when it must exceed max.
func distance(a, b string, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > max {
			return max + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
