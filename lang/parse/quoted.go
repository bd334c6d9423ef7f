package parse

// scanQuoted returns the offset after the closing quote of a literal
// starting at i, or the end of the line (or input) if it is not closed.
func scanQuoted(src string, i int, quote byte) (int, bool) {
	for i++; i < len(src); i++ {
		switch src[i] {
		case '\\':
			if i+1 < len(src) && src[i+1] != '\n' {
				i++
			}
		case quote:
			return i + 1, true
		case '\n':
			return i, false
		}
	}
	return len(src), false
}

// scanMultiline continues a string literal that reached the end of a line
// at end: bpftrace 0.17, and the newest after its preprocessor (#define),
// keep a newline inside a string. If the literal never closes, the offset
// returned is the end of its first line, so the error underlines that.
func scanMultiline(src string, end int) (int, bool) {
	for next := end; next < len(src) && src[next] == '\n'; {
		var closed bool
		if next, closed = scanQuoted(src, next, '"'); closed {
			return next, true
		}
	}
	return end, false
}
