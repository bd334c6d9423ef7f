package parse

import (
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
)

// SearchPattern checks a probe search pattern (gbt -l PATTERN) as bpftrace
// lexes one: a character that can start no token of an attach point
// (a backslash, a backquote, a control character, a '$' that starts no
// positional parameter, a byte outside ASCII) is an "invalid character",
// positioned in the pattern as file "stdin". Double-quoted parts are kept
// whole.
func SearchPattern(pattern string) diag.List {
	var diags diag.List
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c == '"' {
			end, closed := scanQuoted(pattern, i, '"')
			if closed {
				i = end - 1
				continue
			}
		}
		if !invalidInSearch(pattern, i) {
			continue
		}
		end := i + 1
		if c >= 0x80 { // keep a UTF-8 sequence whole in the message
			for end < len(pattern) && pattern[end]&0xc0 == 0x80 {
				end++
			}
		}
		span := ast.Span{Start: ast.Pos{Offset: i, Line: 1, Col: i + 1}, End: ast.Pos{Offset: end, Line: 1, Col: end + 1}}
		diags.Errorf(span, "invalid character %s", quoteChar(pattern[i:end])).
			WithHint("a probe pattern is KIND:TARGET:NAME with * and ? wildcards, as in tracepoint:syscalls:sys_enter_*")
		break
	}
	return diags
}

// invalidInSearch reports whether the byte at i of a search pattern
// starts no token.
func invalidInSearch(pattern string, i int) bool {
	switch c := pattern[i]; {
	case c == '\\' || c == '`' || c < 0x20 || c >= 0x7f:
		return true
	case c == '$':
		return i+1 == len(pattern) || !(isIdentChar(pattern[i+1]) || pattern[i+1] == '#')
	}
	return false
}
