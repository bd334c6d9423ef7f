package format

import "strings"

// A buffer is formatted output under construction: lines of segments,
// each plain text or a comment, as bpftrace's printer builds them. Widths
// are unsigned, as bpftrace's are, so that a width that runs below zero
// wraps to a very large one exactly where bpftrace's does.
type buffer struct {
	lines []line
}

type segment struct {
	text    string
	comment bool
}

type line struct {
	segs []segment
}

func newBuffer() *buffer { return &buffer{lines: []line{{}}} }

func (b *buffer) last() *line { return &b.lines[len(b.lines)-1] }

// reify renders a line: a comment that ends its line is `// text`, one
// inside a line is `/* text */`.
func (l *line) reify() string {
	var sb strings.Builder
	allSpace := true
	for i, s := range l.segs {
		if !s.comment {
			sb.WriteString(s.text)
			allSpace = allSpace && strings.TrimSpace(s.text) == ""
			continue
		}
		if !allSpace {
			sb.WriteByte(' ')
		}
		switch {
		case i < len(l.segs)-1:
			// A line comment's trailing blanks are not its text.
			sb.WriteString("/* " + strings.TrimRight(s.text, " \t") + " */")
		case s.text == "":
			sb.WriteString("//")
		default:
			sb.WriteString("// " + s.text)
		}
	}
	return sb.String()
}

func (l *line) columns() uint { return uint(len(l.reify())) }

// text adds s to the current line.
func (b *buffer) text(s string) *buffer {
	b.last().segs = append(b.last().segs, segment{text: s})
	return b
}

// lineBreak starts a new line.
func (b *buffer) lineBreak() *buffer {
	b.lines = append(b.lines, line{})
	return b
}

// numLines is the number of lines, not counting an empty last one.
func (b *buffer) numLines() int {
	if len(b.last().segs) == 0 {
		return len(b.lines) - 1
	}
	return len(b.lines)
}

// width is the width of the widest line.
func (b *buffer) width() uint {
	var w uint
	for i := range b.lines {
		w = max(w, b.lines[i].columns())
	}
	return w
}

// appendBuf adds o: from the current column (continuation lines aligned
// to it when align is set), or, with indent, on new lines indented by
// indent and followed by a new line.
func (b *buffer) appendBuf(o *buffer, indent uint, align bool) *buffer {
	if o.numLines() == 0 {
		return b
	}
	col := b.last().columns()
	if indent > 0 {
		b.lines = append(b.lines, line{})
		col = indent
	}
	for i, l := range o.lines {
		if align && col != 0 && len(b.last().segs) == 0 {
			b.last().segs = append(b.last().segs, segment{text: strings.Repeat(" ", int(col))})
		}
		b.last().segs = append(b.last().segs, l.segs...)
		if indent > 0 || i < len(o.lines)-1 {
			b.lines = append(b.lines, line{})
		}
	}
	return b
}

// add appends o at the current column, aligned.
func (b *buffer) add(o *buffer) *buffer { return b.appendBuf(o, 0, true) }

// indented appends o on its own lines, indented by two spaces.
func (b *buffer) indented(o *buffer) *buffer { return b.appendBuf(o, indentWidth, true) }

// blockMeta adds comments as whole lines and blank lines for the vertical
// space, at least minVspace of them.
func (b *buffer) blockMeta(md *metadata, minVspace int) *buffer {
	for range minVspace {
		b.lines = append(b.lines, line{})
	}
	total := 0
	for _, e := range md.entries {
		if !e.isComment {
			for range e.vspace {
				if total >= minVspace {
					b.lines = append(b.lines, line{})
				}
				total++
			}
			continue
		}
		b.last().segs = append(b.last().segs, segment{text: e.comment, comment: true})
		b.lines = append(b.lines, line{})
	}
	return b
}

// inlineMeta adds comments on the current line and drops vertical space.
func (b *buffer) inlineMeta(md *metadata) *buffer {
	for _, e := range md.entries {
		if e.isComment {
			b.last().segs = append(b.last().segs, segment{text: e.comment, comment: true})
		}
	}
	return b
}

// String renders the buffer, each line without trailing spaces.
func (b *buffer) String() string {
	var sb strings.Builder
	for i := range b.numLines() {
		sb.WriteString(strings.TrimRight(b.lines[i].reify(), " \t\n\r\v\f"))
		sb.WriteByte('\n')
	}
	return sb.String()
}
