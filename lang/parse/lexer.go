package parse

import (
	"io"
	"sort"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// The scanner is hand-written and context dependent, and plugs into
// participle as a lexer.Definition.
//
// participle's regexp lexer runs each rule's regexp against the remaining
// input for every token (12 ms for a 300-line script, seconds for a 1 MB
// line); this scanner is one linear pass over the bytes.
//
// bpftrace's lexer is context dependent too: an attach point such as
// `uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc` or
// `t:syscalls:sys_enter_{open,openat}` is one token at the top level but would
// be many tokens inside a block. The scanner therefore tracks where it is (top
// level, probe header, predicate, block, config block) and emits:
//   - tAttach for a whole attach point,
//   - tPredEnd for the '/' that closes a predicate (a '/' followed by '{';
//     bison resolves `/ a / b /` the same way: division, then the end),
//   - tCBody for the verbatim `{...}` body of a top-level C definition.
//
// The scanner also bounds nesting before participle sees the tokens (see
// MaxDepth), so that hostile input cannot drive the recursive parser deep.

// Token types. participle literals ("if", "+") match by value; named types
// (Ident, Int, ...) match by type.
const (
	tIdent lexer.TokenType = iota + 1
	tKeyword
	tTypeWord
	tInt
	tChar
	tString
	tVar
	tParam
	tMap
	tPunct
	tAttach
	tInclude
	tShebang
	tPredEnd
	tCBody
	tBad // a lexical error; its text is in scanner.bad
)

var symbols = map[string]lexer.TokenType{
	"EOF":     lexer.EOF,
	"Ident":   tIdent,
	"Keyword": tKeyword,
	"Type":    tTypeWord,
	"Int":     tInt,
	"Char":    tChar,
	"String":  tString,
	"Var":     tVar,
	"Param":   tParam,
	"Map":     tMap,
	"Punct":   tPunct,
	"Attach":  tAttach,
	"Include": tInclude,
	"Shebang": tShebang,
	"PredEnd": tPredEnd,
	"CBody":   tCBody,
	"Bad":     tBad,
}

// tokenNames are the names used in "unexpected X" messages, as bison names
// the same tokens in bpftrace's messages.
var tokenNames = map[lexer.TokenType]string{
	lexer.EOF: "end of file",
	tIdent:    "identifier",
	tTypeWord: "type",
	tInt:      "integer",
	tChar:     "integer",
	tString:   "string",
	tVar:      "variable",
	tParam:    "positional parameter",
	tMap:      "map",
	tAttach:   "attach point",
	tInclude:  "preprocessor directive",
	tShebang:  "shebang",
	tPredEnd:  "end predicate",
	tCBody:    "struct definition",
}

var keywords = map[string]bool{
	"if": true, "else": true, "unroll": true, "while": true, "for": true,
	"break": true, "continue": true, "return": true, "sizeof": true, "offsetof": true,
	"struct": true, "union": true, "enum": true, "config": true, "let": true,
}

// typeWords start a type in a cast or sizeof: `(uint32)x`, `(unsigned long)x`.
var typeWords = map[string]bool{
	"int8": true, "int16": true, "int32": true, "int64": true,
	"uint8": true, "uint16": true, "uint32": true, "uint64": true,
	"int": true, "char": true, "short": true, "long": true, "unsigned": true, "signed": true,
	"void": true, "bool": true, "_Bool": true, "u8": true, "u16": true, "u32": true, "u64": true,
	"s8": true, "s16": true, "s32": true, "s64": true, "size_t": true, "pid_t": true,
	"string": true, "inet": true, "buffer": true, "const": true, "volatile": true,
}

// punctLen returns the length of the operator or punctuation at the start
// of src (the longest of `<<=`, `->`, `+`, ...), or 0 if there is none.
func punctLen(src string) int {
	c := src[0]
	var c1 byte
	if len(src) > 1 {
		c1 = src[1]
	}
	switch c {
	case '<', '>':
		if c1 == c {
			if len(src) > 2 && src[2] == '=' {
				return 3 // <<= >>=
			}
			return 2 // << >>
		}
		if c1 == '=' {
			return 2 // <= >=
		}
		return 1
	case '+', '&', '|':
		if c1 == c || c1 == '=' {
			return 2 // ++ && || += &= |=
		}
		return 1
	case '-':
		if c1 == '-' || c1 == '=' || c1 == '>' {
			return 2 // -- -= ->
		}
		return 1
	case '=', '!', '*', '/', '%', '^':
		if c1 == '=' {
			return 2 // == != *= /= %= ^=
		}
		return 1
	case '~', '?', ':', ';', ',', '.', '(', ')', '{', '}', '[', ']':
		return 1
	}
	return 0
}

// definition is the participle lexer.Definition for gbt scripts.
type definition struct{}

func (definition) Symbols() map[string]lexer.TokenType { return symbols }

func (d definition) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return d.LexString(filename, string(b))
}

func (definition) LexString(filename, src string) (lexer.Lexer, error) {
	s := scan(filename, src)
	return &sliceLexer{toks: s.toks}, nil
}

// sliceLexer replays scanned tokens to participle, then an EOF right after
// the last one (when they do not end with EOF already).
type sliceLexer struct {
	toks []lexer.Token
	i    int
}

func (l *sliceLexer) Next() (lexer.Token, error) {
	if l.i < len(l.toks) {
		t := l.toks[l.i]
		l.i++
		return t, nil
	}
	if len(l.toks) == 0 { // the script starts with a macro or a map declaration
		return lexer.EOFToken(lexer.Position{Line: 1, Column: 1}), nil
	}
	last := l.toks[len(l.toks)-1]
	pos := last.Pos
	pos.Offset += len(last.Value)
	pos.Column += len(last.Value)
	return lexer.EOFToken(pos), nil
}

// lexState is where the scanner is in the script's structure.
type lexState uint8

const (
	stTop    lexState = iota // between top-level items: expecting a probe, #include, struct, config
	stAttach                 // after ',' in a probe header: expecting an attach point
	stHeader                 // after an attach point: expecting ',', '/' or '{'
	stPred                   // inside /predicate/
	stBlock                  // inside a probe body or config block (depth > 0)
	stMacro                  // after `macro`: name and parameters, up to the body's '{'
	stDecl                   // in a map declaration `let @m = hash(N)`, up to its ')'
)

// comment is a comment's byte range.
type comment struct{ off, end int }

// scanner holds the result of scanning one script.
type scanner struct {
	file       string
	src        string
	lineStarts []int
	toks       []lexer.Token
	firstProbe int // index in toks of the first probe's first attach point (or of EOF)
	comments   []comment
	bad        string // message of the tBad token, if any

	state   lexState
	depth   int // bracket nesting: ( [ {
	braces  int // brace depth inside a probe body or config block
	opRun   int // consecutive operator tokens (prefix operators, casts)
	ternary int // '?' since the last statement boundary
	line    int // 1-based line of the last emitted token
}

// scan splits src into tokens ending with EOF (or with one tBad token
// followed by EOF at the first lexical error).
func scan(file, src string) *scanner {
	s := &scanner{file: file, src: src, lineStarts: lineStarts(src), line: 1, firstProbe: -1}
	s.toks = make([]lexer.Token, 0, len(src)/3+2) // scripts have ~0.3 tokens a byte
	s.run(0)
	return s
}

// scanRange scans parent.src[from:to] as the inside of a block, with
// positions in the parent's source.
func scanRange(parent *scanner, from, to int) *scanner {
	s := &scanner{file: parent.file, src: parent.src[:to], lineStarts: parent.lineStarts, state: stBlock, firstProbe: -1}
	s.line = parent.position(from).Line
	s.run(from)
	return s
}

func lineStarts(src string) []int {
	starts := make([]int, 1, len(src)/32+1)
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// position converts a byte offset to a participle position (1-based line,
// 1-based byte column; a tab is one column).
func (s *scanner) position(off int) lexer.Position {
	line := sort.SearchInts(s.lineStarts, off+1) // first start > off
	return lexer.Position{Filename: s.file, Offset: off, Line: line, Column: off - s.lineStarts[line-1] + 1}
}

func (s *scanner) emit(typ lexer.TokenType, from, to int) {
	// Tokens come in source order: advance the line cursor instead of searching.
	for s.line < len(s.lineStarts) && s.lineStarts[s.line] <= from {
		s.line++
	}
	pos := lexer.Position{Filename: s.file, Offset: from, Line: s.line, Column: from - s.lineStarts[s.line-1] + 1}
	s.toks = append(s.toks, lexer.Token{Type: typ, Value: s.src[from:to], Pos: pos})
}

// fail emits a tBad token covering [from, to) and stops scanning.
func (s *scanner) fail(from, to int, msg string) {
	s.bad = msg
	s.emit(tBad, from, to)
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// skipSpace skips white space and comments from i, recording comments when
// record is set, and returns the next offset (or -1 after an unterminated
// comment, which has been reported).
func (s *scanner) skipSpace(i int, record bool) int {
	src := s.src
	for i < len(src) {
		c := src[i]
		switch {
		case isSpace(c):
			i++
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			start := i
			for i < len(src) && src[i] != '\n' {
				i++
			}
			if record {
				s.comments = append(s.comments, comment{start, i})
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := indexFrom(src, "*/", i+2)
			if end < 0 {
				if record {
					s.fail(i, i+2, "unterminated comment")
				}
				return -1
			}
			if record {
				s.comments = append(s.comments, comment{i, end + 2})
			}
			i = end + 2
		default:
			return i
		}
	}
	return i
}

func (s *scanner) run(i int) {
	src := s.src
	if i == 0 && len(src) >= 2 && src[0] == '#' && src[1] == '!' {
		for i < len(src) && src[i] != '\n' {
			i++
		}
		s.emit(tShebang, 0, i)
	}
	for {
		if i = s.skipSpace(i, true); i < 0 {
			break
		}
		if i >= len(src) {
			break
		}
		var ok bool
		if i, ok = s.next(i); !ok {
			break
		}
	}
	if s.firstProbe < 0 {
		s.firstProbe = len(s.toks)
	}
	s.toks = append(s.toks, lexer.EOFToken(s.position(len(src))))
}

// next scans one token at i and returns the offset after it, or false after
// a lexical error.
func (s *scanner) next(i int) (int, bool) {
	src := s.src
	c := src[i]
	switch s.state {
	case stTop:
		switch {
		case c == '#':
			end := i
			for end < len(src) && src[end] != '\n' {
				end++
			}
			s.emit(tInclude, i, end)
			return end, true
		case isIdentStart(c):
			word := identEnd(src, i)
			switch src[i:word] {
			case "config":
				if j := s.skipSpace(word, false); j >= 0 && j < len(src) && src[j] == '=' {
					s.emit(tKeyword, i, word)
					s.state = stBlock // the block that follows is scanned as a body
					return word, true
				}
			case "struct", "union", "enum":
				if end, ok := s.cdef(i, word); ok || end < 0 {
					return end, ok
				}
			case "macro", "import":
				if end, ok := s.topKeyword(i, word); ok || end < 0 {
					return end, ok
				}
			case "let":
				// A map declaration: the hand-written part parses it, so it
				// ends participle's part as a probe does.
				if j := s.skipSpace(word, false); j >= 0 && j < len(src) && src[j] == '@' {
					if s.firstProbe < 0 {
						s.firstProbe = len(s.toks)
					}
					s.emit(tKeyword, i, word)
					s.state = stDecl
					return word, true
				}
			}
			if s.firstProbe < 0 {
				s.firstProbe = len(s.toks)
			}
			return s.attach(i), true
		case isParamStart(src, i):
			if s.firstProbe < 0 {
				s.firstProbe = len(s.toks)
			}
			return s.attach(i), true
		}
	case stAttach:
		if isIdentStart(c) || isParamStart(src, i) {
			return s.attach(i), true
		}
	case stHeader:
		switch c {
		case ',':
			s.emit(tPunct, i, i+1)
			s.state = stAttach
			return i + 1, true
		case '/':
			s.emit(tPunct, i, i+1)
			s.state = stPred
			return i + 1, true
		}
	case stDecl:
		end, ok := s.token(i)
		if ok && c == ')' && s.depth == 0 {
			s.state = stTop
		}
		return end, ok
	case stPred:
		if c == '/' {
			if j := s.skipSpace(i+1, false); j >= 0 && j < len(src) && src[j] == '{' {
				s.emit(tPredEnd, i, i+1)
				s.state = stHeader
				return i + 1, true
			}
		}
	}
	return s.token(i)
}

// attach scans an attach point at i.
func (s *scanner) attach(i int) int {
	end := scanAttachPoint(s.src, i)
	s.emit(tAttach, i, end)
	s.state = stHeader
	return end
}

// cdef scans `struct name {...}` at the top level: keyword, name and the
// verbatim body; an enum may have no name (`enum { A, B }`). It returns
// ok=false with end=i when the text is not a definition, and end=-1 after
// an error.
func (s *scanner) cdef(i, word int) (int, bool) {
	src := s.src
	j := s.skipSpace(word, false)
	anonymous := src[i:word] == "enum" && j >= 0 && j < len(src) && src[j] == '{'
	if !anonymous && (j < 0 || j >= len(src) || !isIdentStart(src[j])) {
		return i, false
	}
	nameEnd, k := j, j
	if !anonymous {
		nameEnd = identEnd(src, j)
		k = s.skipSpace(nameEnd, false)
	}
	if k < 0 || k >= len(src) || src[k] != '{' {
		return i, false
	}
	depth := 0
	end := -1
	for m := k; m < len(src); m++ {
		if src[m] == '{' {
			depth++
		} else if src[m] == '}' {
			depth--
			if depth == 0 {
				end = m + 1
				break
			}
		}
	}
	s.emit(tKeyword, i, word)
	if !anonymous {
		s.emit(tIdent, j, nameEnd)
	}
	if end < 0 {
		s.fail(k, k+1, "unterminated "+src[i:word]+" definition: missing }")
		return -1, false
	}
	end = s.attributes(end)
	s.emit(tCBody, k, end)
	return end, true
}

// attributes returns the end of the `__attribute__((...))` lists that
// follow a definition's body at i (i itself when none does): they belong
// to the body token.
func (s *scanner) attributes(i int) int {
	const kw = "__attribute__"
	for {
		j := s.skipSpace(i, false)
		if j < 0 || !strings.HasPrefix(s.src[j:], kw) {
			return i
		}
		k := s.skipSpace(j+len(kw), false)
		if k < 0 || k >= len(s.src) || s.src[k] != '(' {
			return i
		}
		depth := 0
		m := k
		for ; m < len(s.src); m++ {
			if s.src[m] == '(' {
				depth++
			} else if s.src[m] == ')' {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		if m >= len(s.src) {
			return i
		}
		i = m + 1
	}
}

func identEnd(src string, i int) int {
	for i < len(src) && isIdentChar(src[i]) {
		i++
	}
	return i
}

// token scans one ordinary token at i.
func (s *scanner) token(i int) (int, bool) {
	src := s.src
	c := src[i]
	start := i
	var typ lexer.TokenType
	switch {
	case c == '"' || c == '\'':
		end, closed := scanQuoted(src, i, c)
		if !closed && c == '"' {
			end, closed = scanMultiline(src, end)
		}
		if !closed {
			what := "string"
			if c == '\'' {
				what = "character literal"
			}
			s.fail(i, end, "unterminated "+what)
			return 0, false
		}
		i = end
		typ = tString
		if c == '\'' {
			typ = tChar
		}
	case isDigit(c):
		i++
		for i < len(src) && isIdentChar(src[i]) {
			i++ // digits, hex digits, '_', suffixes and exponents; validated when lowering
		}
		typ = tInt
	case c == '$':
		i++
		switch {
		case i < len(src) && src[i] == '#':
			i++
			typ = tParam
		case i < len(src) && isDigit(src[i]):
			for i < len(src) && isDigit(src[i]) {
				i++
			}
			typ = tParam
		case i < len(src) && isIdentStart(src[i]):
			i = identEnd(src, i)
			typ = tVar
		default:
			s.fail(start, i, "invalid variable name: expected $name, $N or $#")
			return 0, false
		}
	case c == '@':
		i = identEnd(src, i+1)
		typ = tMap
	case isIdentStart(c):
		i = identEnd(src, i)
		switch w := src[start:i]; {
		case keywords[w] && w != "config":
			typ = tKeyword
		case typeWords[w]:
			typ = tTypeWord
		default:
			typ = tIdent
		}
	default:
		if n := punctLen(src[i:]); n > 0 {
			i += n
			typ = tPunct
		}
		if typ == 0 {
			end := i + 1
			if c >= 0x80 { // keep a UTF-8 sequence whole in the message
				for end < len(src) && src[end]&0xc0 == 0x80 {
					end++
				}
			}
			s.fail(i, end, "invalid character "+quoteChar(src[i:end]))
			return 0, false
		}
	}
	if !s.nest(typ, src[start:i], start, i) {
		return 0, false
	}
	s.emit(typ, start, i)
	return i, true
}

// nest tracks nesting and reports input nested deeper than MaxDepth.
func (s *scanner) nest(typ lexer.TokenType, text string, from, to int) bool {
	if typ != tPunct {
		if typ != tTypeWord && typ != tKeyword {
			s.opRun = 0 // an operand ends a run of prefix operators and casts
		} else {
			s.opRun++
		}
		return true
	}
	switch text {
	case "(", "[", "{":
		s.depth++
		s.opRun++
		if text == "{" {
			s.ternary = 0
			s.braces++
		}
	case ")", "]", "}":
		s.depth--
		if text == "}" {
			s.ternary = 0
			s.opRun = 0
			s.braces--
			if s.braces <= 0 && s.state == stBlock {
				s.braces = 0
				s.state = stTop
			}
		}
	case ";", ",":
		s.opRun = 0
		if text == ";" {
			s.ternary = 0
		}
	case "?":
		s.ternary++
		s.opRun++
	default:
		s.opRun++
	}
	if (s.state == stHeader || s.state == stMacro) && text == "{" {
		s.state = stBlock
	}
	if s.depth > MaxDepth || s.opRun > MaxDepth || s.ternary > MaxDepth {
		s.fail(from, to, "nesting too deep")
		return false
	}
	return true
}

// scanAttachPoint returns the end offset of the attach point starting at
// start: a run of non-space characters, ending before ',' or '{' (except a
// `{a,b}` alternation inside the name) and before a '/' that is not part of a
// path (paths follow ':' or another path character). Quoted parts
// (`uprobe:"/a b/c":f`) are kept whole.
func scanAttachPoint(src string, start int) int {
	i := start
	inPath := false
	for i < len(src) {
		c := src[i]
		switch {
		case isSpace(c) || c == ',' || c == ';':
			return i
		case c == '{':
			if j := alternationEnd(src, i); j > 0 {
				i = j
				continue
			}
			return i
		case c == '/':
			if i+1 < len(src) && (src[i+1] == '/' || src[i+1] == '*') {
				return i // a comment
			}
			if i > start && (src[i-1] == ':' || inPath || midPath(src, start, i)) {
				inPath = true
				i++
				continue
			}
			return i
		case c == ':':
			inPath = false
		case c == '"':
			end, closed := scanQuoted(src, i, '"')
			if !closed {
				return i
			}
			i = end
			continue
		case c == '(' || c == ')' || c == '}' || c == '\'':
			return i
		}
		i++
	}
	return i
}

// midPath reports whether the '/' at i lies inside a path segment that
// another ':' follows, as in `uprobe:./bin/x:f` or `u:bin/x:f`: the segment
// from the previous ':' to the next one holds only path characters. bpftrace
// lexes such a segment as one path whatever it holds; gbt keeps a '/' in the
// last segment (`t:a:b/pid == 1/`) for the predicate.
func midPath(src string, start, i int) bool {
	colon := strings.LastIndexByte(src[start:i], ':')
	if colon < 0 {
		return false
	}
	for j := start + colon + 1; j < i; j++ {
		if !isPathChar(src[j]) {
			return false
		}
	}
	for j := i + 1; j < len(src); j++ {
		switch c := src[j]; {
		case c == ':':
			return true
		case !isPathChar(c):
			return false
		}
	}
	return false
}

// isPathChar reports whether c may appear in an unquoted path of an attach
// point: bpftrace's [_\-./a-zA-Z0-9#*], '+' (file names such as
// libstdc++.so) and '@' (a source file: uprobe:BIN@FILE.c:LINE).
func isPathChar(c byte) bool {
	return isIdentChar(c) || strings.IndexByte("_-./#*+@", c) >= 0
}

// isParamStart reports whether a positional parameter ($1) starts at i:
// at the start of an attach point it stands for the whole point.
func isParamStart(src string, i int) bool {
	return src[i] == '$' && i+1 < len(src) && isDigit(src[i+1])
}

// alternationEnd returns the offset after a `{a,b}` group starting at i, or
// 0 if the brace starts a block instead.
func alternationEnd(src string, i int) int {
	comma := false
	for j := i + 1; j < len(src); j++ {
		c := src[j]
		switch {
		case c == '}':
			if comma {
				return j + 1
			}
			return 0
		case c == ',':
			comma = true
		case c == '_' || c == '*' || c == '.' || c == '-' || c == '?' || isIdentChar(c):
		default:
			return 0
		}
	}
	return 0
}

func indexFrom(s, sub string, from int) int {
	if i := strings.Index(s[from:], sub); i >= 0 {
		return from + i
	}
	return -1
}

func quoteChar(s string) string {
	if len(s) == 1 && (s[0] < 0x20 || s[0] >= 0x7f) {
		return "'\\x" + string("0123456789abcdef"[s[0]>>4]) + string("0123456789abcdef"[s[0]&15]) + "'"
	}
	return "'" + s + "'"
}
