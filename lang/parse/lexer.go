package parse

// The scanner splits a script into tokens in one pass over the bytes.
//
// It is hand-written rather than participle's regexp lexer: that lexer runs
// each rule's regexp against the whole remaining input for every token, and
// Go's backtracking matcher clears state proportional to that input, so a
// 300-line script took 12 ms to lex (and a 1 MB line seconds). This scanner
// takes ~0.1 ms for the same script and is linear in the input.
//
// Attach points (`uprobe:/bin/bash:readline`, `t:syscalls:sys_enter_*`) are
// not tokens: the parser reads them from the source text at the offset of
// the probe's first token and skips the tokens they cover.

// tokKind classifies tokens for the parser.
type tokKind uint8

const (
	tEOF tokKind = iota
	tComment
	tOpenComment
	tInclude
	tString
	tOpenString
	tChar
	tNumber
	tVar
	tMap
	tIdent
	tPunct
	tBad
)

// token is one lexed token with its byte range.
type token struct {
	kind tokKind
	text string
	off  int // byte offset of the first byte
}

func (t token) end() int { return t.off + len(t.text) }

// Multi-byte operators, longest first.
var puncts = []string{
	"<<=", ">>=",
	"++", "--", "->", "&&", "||", "==", "!=", "<=", ">=", "<<", ">>",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
}

const singlePunct = "-+*/%&|^!~<>=?:;,.(){}[]"

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// tokenize returns the tokens of src without white space, ending with an
// EOF token, and the comments separately.
func tokenize(src string) (toks, comments []token) {
	toks = make([]token, 0, len(src)/4+1)
	i := 0
	for i < len(src) {
		c := src[i]
		start := i
		kind := tBad
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			comments = append(comments, token{kind: tComment, text: src[start:i], off: start})
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := indexFrom(src, "*/", i+2)
			if end < 0 {
				i += 2
				kind = tOpenComment
				break
			}
			i = end + 2
			comments = append(comments, token{kind: tComment, text: src[start:i], off: start})
			continue
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			kind = tInclude
		case c == '"':
			var closed bool
			i, closed = scanQuoted(src, i, '"')
			kind = tString
			if !closed {
				kind = tOpenString
			}
		case c == '\'':
			var closed bool
			i, closed = scanQuoted(src, i, '\'')
			kind = tChar
			if !closed {
				kind = tBad
			}
		case isDigit(c):
			i++
			if c == '0' && i < len(src) && (src[i] == 'x' || src[i] == 'X') {
				i++
			}
			for i < len(src) && (isIdentChar(src[i])) {
				i++ // digits, hex digits, '_', suffixes and exponents; validated by parseInt
			}
			kind = tNumber
		case c == '$':
			i++
			kind = tVar
			switch {
			case i < len(src) && src[i] == '#':
				i++
			case i < len(src) && isDigit(src[i]):
				for i < len(src) && isDigit(src[i]) {
					i++
				}
			case i < len(src) && isIdentStart(src[i]):
				for i < len(src) && isIdentChar(src[i]) {
					i++
				}
			default:
				kind = tBad
			}
		case c == '@':
			i++
			for i < len(src) && isIdentChar(src[i]) {
				i++
			}
			kind = tMap
		case isIdentStart(c):
			for i < len(src) && isIdentChar(src[i]) {
				i++
			}
			kind = tIdent
		default:
			for _, p := range puncts {
				if len(src)-i >= len(p) && src[i:i+len(p)] == p {
					i += len(p)
					kind = tPunct
					break
				}
			}
			if kind != tPunct {
				i++
				for j := 0; j < len(singlePunct); j++ {
					if singlePunct[j] == c {
						kind = tPunct
						break
					}
				}
			}
		}
		toks = append(toks, token{kind: kind, text: src[start:i], off: start})
	}
	toks = append(toks, token{kind: tEOF, off: len(src)})
	return toks, comments
}

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

func indexFrom(s, sub string, from int) int {
	for i := from; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
