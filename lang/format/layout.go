package format

import (
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
)

// An entry is one piece of layout bpftrace's formatter keeps: a comment
// line (its text without the delimiters) or vertical space (a line break
// the source has where a statement did not end), at a byte offset.
type entry struct {
	off       int
	isComment bool
	comment   string
	vspace    int
}

// metadata is bpftrace's MetadataIndex: the layout entries not yet
// printed, in source order. before takes them from the front.
type metadata struct {
	entries []entry
}

// before removes and returns the entries at or before offset off.
func (m *metadata) before(off int) *metadata {
	n := 0
	for n < len(m.entries) && m.entries[n].off <= off {
		n++
	}
	r := &metadata{entries: m.entries[:n:n]}
	m.entries = m.entries[n:]
	return r
}

// cstmt is a C preprocessor line or C definition before the script's
// probes, printed as written.
type cstmt struct {
	off  int
	text string
}

// layout scans a script's source for what bpftrace's parser records
// while it skips layout: comments and vertical space; and its leading C
// part: the #! line and the C statements.
type layout struct {
	src     string
	pos     int
	md      metadata
	header  string
	cstmts  []cstmt
	prefix  int // end of the leading C part
	justCmt bool
}

func isHspace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdent(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func (l *layout) at(i int) byte {
	if i < 0 || i >= len(l.src) {
		return 0
	}
	return l.src[i]
}

func (l *layout) peek() byte { return l.at(l.pos) }

func (l *layout) end() bool { return l.pos >= len(l.src) }

// scanLayout reads the source of prog as bpftrace's parser does.
func scanLayout(prog *ast.Program) *layout {
	l := &layout{src: prog.Text}
	l.consume()
	if strings.HasPrefix(l.src[l.pos:], "#!") {
		start := l.pos
		l.toEOL()
		if l.peek() == '\n' {
			l.pos++
		}
		l.header = l.src[start:l.pos]
		l.consume()
	}
	for !l.end() {
		if l.peek() == '#' && l.at(l.pos+1) != '!' {
			start := l.pos
			l.toEOL()
			l.cstmts = append(l.cstmts, cstmt{start, strings.TrimRight(l.src[start:l.pos], " \t\r\n\v\f")})
			if l.peek() == '\n' {
				l.pos++
			}
			l.consume()
			continue
		}
		if end, ok := cdefEnd(prog, l.pos); ok {
			text := strings.TrimRight(l.src[l.pos:end], " \t\r\n\v\f;")
			l.cstmts = append(l.cstmts, cstmt{l.pos, text + ";"})
			l.pos = end
			l.consume()
			continue
		}
		switch l.keyword() {
		case "struct", "union", "enum":
			// A definition in a branch the preprocessor left out.
			if l.looksLikeCDef() {
				l.cdef()
				l.consume()
				continue
			}
		}
		break
	}
	l.prefix = l.pos
	l.rest(prog.Comments)
	return l
}

// cdefEnd returns the end of the C definition the parser read at off,
// if it read one there.
func cdefEnd(prog *ast.Program, off int) (int, bool) {
	for _, d := range prog.CDefs {
		if d.Pos().Offset == off {
			return d.EndPos().Offset, true
		}
	}
	return 0, false
}

func (l *layout) toEOL() {
	for !l.end() && l.peek() != '\n' {
		l.pos++
	}
}

func (l *layout) keyword() string {
	e := l.pos
	for e < len(l.src) && isIdent(l.src[e]) {
		e++
	}
	return l.src[l.pos:e]
}

// skip returns the offset after the layout at p.
func (l *layout) skip(p int) int {
	for p < len(l.src) {
		switch c := l.src[p]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f':
			p++
		case c == '/' && l.at(p+1) == '/':
			for p < len(l.src) && l.src[p] != '\n' {
				p++
			}
		case c == '/' && l.at(p+1) == '*':
			if e := strings.Index(l.src[p+2:], "*/"); e >= 0 {
				p += e + 4
			} else {
				p = len(l.src)
			}
		default:
			return p
		}
	}
	return p
}

func (l *layout) identEnd(p int) int {
	for p < len(l.src) && isIdent(l.src[p]) {
		p++
	}
	return p
}

// balanced returns the offset after the group opened at p.
func (l *layout) balanced(p int, open, closing byte) int {
	depth := 0
	for ; p < len(l.src); p++ {
		switch l.src[p] {
		case open:
			depth++
		case closing:
			depth--
			if depth == 0 {
				return p + 1
			}
		}
	}
	return p
}

// looksLikeCDef tells a C definition (`struct x {`) from an attach point
// (`struct:probe`), as bpftrace does.
func (l *layout) looksLikeCDef() bool {
	p := l.skip(l.identEnd(l.skip(l.pos)))
	for p < len(l.src) {
		switch c := l.src[p]; {
		case c == '{':
			return true
		case isIdentStart(c):
			p = l.skip(l.identEnd(p))
		case c == '(' || c == '[':
			closing := byte(')')
			if c == '[' {
				closing = ']'
			}
			after := l.balanced(p, c, closing)
			if after == p || l.at(after-1) != closing {
				return false
			}
			p = l.skip(after)
		default:
			return false
		}
	}
	return false
}

// cdef reads a C definition up to its closing brace and attributes; its
// text is kept as written, with a ';' after it.
func (l *layout) cdef() {
	start := l.pos
	var def strings.Builder
	for !l.end() && l.peek() != '{' {
		def.WriteByte(l.peek())
		l.pos++
	}
	depth := 0
	for !l.end() {
		c := l.peek()
		if c == '/' && l.at(l.pos+1) == '/' {
			s := l.pos
			l.toEOL()
			def.WriteString(l.src[s:l.pos])
			continue
		}
		// An unterminated /* is no comment here, as gbt's parser reads it.
		if e := strings.Index(l.src[min(l.pos+2, len(l.src)):], "*/"); c == '/' && l.at(l.pos+1) == '*' && e >= 0 {
			next := l.pos + 2 + e + 2
			def.WriteString(l.src[l.pos:next])
			l.pos = next
			continue
		}
		switch c {
		case '{':
			depth++
		case '}':
			depth--
		}
		def.WriteByte(c)
		l.pos++
		if depth == 0 {
			break
		}
	}
	text := strings.TrimRight(def.String(), " \t\r\n\v\f")
	for strings.HasPrefix(l.src[l.pos:], "__attribute__") {
		attr := l.pos
		l.pos += len("__attribute__")
		l.consume()
		if l.peek() != '(' || l.at(l.pos+1) != '(' {
			break
		}
		l.pos = l.balanced(l.pos, '(', ')')
		text += l.src[attr:l.pos]
	}
	if text != "" && !strings.HasSuffix(text, ";") {
		text += ";"
	}
	l.consume()
	if l.peek() == ';' {
		l.pos++
	}
	l.cstmts = append(l.cstmts, cstmt{start, text})
}

// consume skips layout at the current offset, recording comments and
// vertical space: a line break counts unless it ends a comment or follows
// ';', '{' or '}'.
func (l *layout) consume() {
	l.justCmt = false
	for !l.end() {
		switch c := l.peek(); {
		case isHspace(c):
			l.pos++
		case c == '\n':
			l.newline()
		case c == '/' && l.at(l.pos+1) == '/':
			l.lineComment()
		case c == '/' && l.at(l.pos+1) == '*':
			l.blockComment()
		default:
			return
		}
	}
}

func (l *layout) newline() {
	suppress := l.justCmt
	if !suppress {
		p := l.pos - 1
		for p >= 0 && isHspace(l.src[p]) {
			p--
		}
		prev := l.at(p)
		suppress = prev == ';' || prev == '{' || prev == '}'
	}
	if !suppress {
		l.md.entries = append(l.md.entries, entry{off: l.pos, vspace: 1})
	}
	l.pos++
	l.justCmt = false
}

func (l *layout) addComment(from, to int) {
	l.md.entries = append(l.md.entries, entry{off: from, isComment: true, comment: l.src[from:to]})
}

func (l *layout) lineComment() {
	l.pos += 2
	if l.peek() == ' ' {
		l.pos++
	}
	start := l.pos
	l.toEOL()
	l.addComment(start, l.pos)
	l.justCmt = true
}

// blockComment records each line of a /* */ comment, without the
// leading stars of its continuation lines.
func (l *layout) blockComment() {
	l.pos += 2
	if l.peek() == ' ' {
		l.pos++
	}
	for !l.end() {
		start := l.pos
		for !l.end() && l.peek() != '\n' && (l.peek() != '*' || l.at(l.pos+1) != '/') {
			l.pos++
		}
		if l.pos != start {
			// Unlike bpftrace, drop the spaces before a closing "*/": a
			// comment printed inside a line, `/* text */`, then reads back
			// as the same text, and formatting stays idempotent.
			end := l.pos
			for end > start && isHspace(l.src[end-1]) && l.peek() == '*' {
				end--
			}
			l.addComment(start, end)
		}
		if l.peek() == '*' && l.at(l.pos+1) == '/' {
			l.pos += 2
			break
		}
		if l.end() {
			break
		}
		l.pos++
		for !l.end() && isHspace(l.peek()) {
			l.pos++
		}
		if l.peek() == '*' && l.at(l.pos+1) == '/' {
			continue
		}
		stars := false
		for l.peek() == '*' {
			stars = true
			l.pos++
		}
		if stars && l.peek() == ' ' {
			l.pos++
		}
		if c := l.peek(); c == '\n' || (c == '*' && l.at(l.pos+1) == '/') {
			l.addComment(l.pos, l.pos)
		}
	}
	l.justCmt = true
}

// rest records the layout after the leading C part: the comments the
// parser found, and the line breaks outside them.
func (l *layout) rest(comments []*ast.Comment) {
	ci := 0
	l.pos = l.prefix
	l.justCmt = false
	for !l.end() {
		for ci < len(comments) && comments[ci].Pos().Offset < l.pos {
			ci++
		}
		if ci < len(comments) && comments[ci].Pos().Offset == l.pos {
			if l.at(l.pos+1) == '*' {
				l.blockComment()
			} else {
				l.lineComment()
			}
			continue
		}
		switch c := l.peek(); {
		case c == '\n':
			l.newline()
		case isHspace(c):
			l.pos++
		default:
			l.justCmt = false
			l.pos++
		}
	}
}
