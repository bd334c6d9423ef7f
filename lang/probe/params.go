package probe

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
)

// Resolve returns ap as the kinds read it, as bpftrace 0.17's attach point
// lexer gives it to them: each positional parameter ($1, $2, ...) outside
// quotes is replaced by its value in params, and quotes are removed, with
// the backslash escapes inside them (uprobe:"/a b/c":f names /a b/c). A
// value is not split at colons: it stays within its part. ap itself is
// returned when it has neither.
//
// A parameter the command line does not give is an error at the parameter
// (bpftrace 0.17 substitutes "" and fails later, at whatever the empty part
// makes invalid).
//
// A parameter that is the whole attach point (`$1 { ... }` run with
// i:ms:1) is the attach point, split at its colons, as bpftrace 0.26 has
// it.
func Resolve(ap *ast.AttachPoint, params []string) (*ast.AttachPoint, error) {
	if !strings.ContainsAny(ap.Raw, `$"`) {
		return ap, nil
	}
	out := *ap
	if len(ap.Parts) == 0 && wholeParam(ap.Raw) {
		v, err := param(ap, ap.Raw, 0, params)
		if err != nil {
			return nil, err
		}
		out.Raw = v
		out.Provider, out.Parts = ast.SplitAttach(v)
		return &out, nil
	}
	out.Parts = make([]string, len(ap.Parts))
	// Parts are the colon-separated pieces of Raw, in order: each starts
	// one byte after the end of the one before.
	off := 0
	var err error
	if out.Provider, err = resolvePart(ap, ap.Provider, off, params); err != nil {
		return nil, err
	}
	off += len(ap.Provider) + 1
	for i, p := range ap.Parts {
		if out.Parts[i], err = resolvePart(ap, p, off, params); err != nil {
			return nil, err
		}
		off += len(p) + 1
	}
	out.Raw = out.Provider
	if len(out.Parts) > 0 {
		out.Raw += ":" + strings.Join(out.Parts, ":")
	}
	return &out, nil
}

// resolvePart resolves one part of ap, which starts at byte off of ap.Raw.
func resolvePart(ap *ast.AttachPoint, part string, off int, params []string) (string, error) {
	if !strings.ContainsAny(part, `$"`) {
		return part, nil
	}
	var b strings.Builder
	quoted := false
	for i := 0; i < len(part); i++ {
		c := part[i]
		switch {
		case c == '"':
			quoted = !quoted
		case quoted && c == '\\' && i+1 < len(part):
			i++
			b.WriteByte(part[i])
		case !quoted && c == '$' && i+1 < len(part) && (isDigit(part[i+1]) || part[i+1] == '#'):
			// As in bpftrace 0.17, the index runs to the end of the part
			// or to a quote.
			j := i + 1
			for j < len(part) && part[j] != '"' {
				j++
			}
			v, err := param(ap, part[i:j], off+i, params)
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// param returns the value of the positional parameter text ("$1"), which
// starts at byte off of ap.Raw.
func param(ap *ast.AttachPoint, text string, off int, params []string) (string, error) {
	span := subSpan(ap.Span, off, off+len(text))
	digits := text[1:]
	n := 0
	for n < len(digits) && isDigit(digits[n]) {
		n++
	}
	switch {
	case n == 0:
		return "", &Error{Span: span, Msg: "Not a positional parameter: " + text,
			Hint: "an attach point takes $1, $2, ...; $# is the number of parameters, only in expressions"}
	case n < len(digits):
		return "", &Error{Span: span, Msg: fmt.Sprintf("Found trailing text '%s' in positional parameter index. Try quoting the trailing text.", digits[n:]),
			Hint: fmt.Sprintf(`quote the text after the parameter: %s"%s"`, text[:n+1], digits[n:])}
	}
	i, err := strconv.Atoi(digits)
	if err != nil || i == 0 {
		return "", &Error{Span: span, Msg: fmt.Sprintf("param %s is out of integer range [1, %d]", text, math.MaxInt64)}
	}
	if i > len(params) {
		var got string
		switch len(params) {
		case 0:
			got = "no parameters"
		case 1:
			got = "1 parameter"
		default:
			got = strconv.Itoa(len(params)) + " parameters"
		}
		return "", &Error{Span: span, Msg: fmt.Sprintf("Positional parameter %s is not provided", text),
			Hint: "the program got " + got + "; give them after it: gbt -e 'PROGRAM' ARG... or gbt FILE ARG..."}
	}
	return params[i-1], nil
}

// subSpan is the span of bytes [from, to) of an attach point at span,
// which lies on one line.
func subSpan(span ast.Span, from, to int) ast.Span {
	at := func(i int) ast.Pos {
		p := span.Start
		p.Offset += i
		p.Col += i
		return p
	}
	return ast.Span{Start: at(from), End: at(to)}
}

// wholeParam reports whether raw is one positional parameter ("$1") and
// nothing else.
func wholeParam(raw string) bool {
	if len(raw) < 2 || raw[0] != '$' {
		return false
	}
	for i := 1; i < len(raw); i++ {
		if !isDigit(raw[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
