package parse

import (
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
)

// predefined are the names a script's #ifdef sees as defined: gbt reads
// the kernel's BTF, so scripts take their BTF branches, as bpftrace's do
// on kernels with BTF.
var predefined = map[string]bool{"BPFTRACE_HAVE_BTF": true, "__x86_64__": true}

// preprocess runs the conditional part of the C preprocessor that bpftrace
// scripts use: #ifdef, #ifndef, #if 0/1, #else, #endif, #define and
// #undef. Lines of inactive branches and the directives themselves become
// spaces, so every offset, line and column stays as written; #include
// lines stay for the parser. It returns the #define lines of active
// branches.
func preprocess(file, src string) (string, []*ast.Macro, *ast.Span, string) {
	if !strings.Contains(src, "#") {
		return src, nil, nil, ""
	}
	defined := map[string]bool{}
	for k := range predefined {
		defined[k] = true
	}
	type cond struct {
		active, taken bool // this branch is active; some branch was taken
		parent        bool // the enclosing region is active
		line          int  // offset of the directive, for errors
	}
	var stack []cond
	active := true
	out := []byte(src)
	var macros []*ast.Macro
	blank := func(from, to int) {
		for i := from; i < to; i++ {
			if out[i] != '\n' {
				out[i] = ' '
			}
		}
	}
	lines := lineStarts(src)
	s := &scanner{file: file, src: src, lineStarts: lines}
	for li, start := range lines {
		end := len(src)
		if li+1 < len(lines) {
			end = lines[li+1] - 1
		}
		line := src[start:end]
		trimmed := strings.TrimSpace(line)
		directive, rest := "", ""
		if strings.HasPrefix(trimmed, "#") && !strings.HasPrefix(trimmed, "#!") {
			fields := strings.Fields(strings.TrimSpace(trimmed[1:]))
			if len(fields) > 0 {
				directive = fields[0]
				rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(trimmed[1:]), directive))
			}
		}
		span := s.span(start, end)
		switch directive {
		case "ifdef", "ifndef", "if":
			var on bool
			switch directive {
			case "ifdef":
				on = defined[firstWord(rest)]
			case "ifndef":
				on = !defined[firstWord(rest)]
			default:
				v, ok := ppCondition(rest, defined)
				if !ok {
					return "", nil, &span, "unsupported #if condition: gbt evaluates 0, 1, defined(NAME) and !defined(NAME)"
				}
				on = v
			}
			stack = append(stack, cond{active: active && on, taken: on, parent: active, line: start})
			active = active && on
			blank(start, end)
		case "elif":
			return "", nil, &span, "#elif is not supported by gbt yet"
		case "else":
			if len(stack) == 0 {
				return "", nil, &span, "#else without #if"
			}
			top := &stack[len(stack)-1]
			top.active = top.parent && !top.taken
			top.taken = true
			active = top.active
			blank(start, end)
		case "endif":
			if len(stack) == 0 {
				return "", nil, &span, "#endif without #if"
			}
			active = stack[len(stack)-1].parent
			stack = stack[:len(stack)-1]
			blank(start, end)
		case "define", "undef":
			if active {
				name := firstWord(rest)
				if directive == "undef" {
					delete(defined, name)
				} else if name != "" {
					defined[name] = true
					value := defineValue(strings.TrimPrefix(rest, name))
					macros = append(macros, &ast.Macro{Span: span, Name: name, Value: value})
				}
			}
			blank(start, end)
		default:
			if !active {
				blank(start, end)
			}
		}
	}
	if len(stack) > 0 {
		sp := s.span(stack[len(stack)-1].line, stack[len(stack)-1].line+1)
		return "", nil, &sp, "#if without #endif"
	}
	return string(out), macros, nil, ""
}

// defineValue is a #define's value less its comments: `/* ... */` ones
// anywhere on the line (tcpconnect.bt's `#define AF_INET 2 /* IPv4 */`)
// and a trailing `//` one.
func defineValue(s string) string {
	for {
		i := strings.Index(s, "/*")
		if i < 0 {
			break
		}
		j := strings.Index(s[i+2:], "*/")
		if j < 0 {
			s = s[:i]
			break
		}
		s = s[:i] + " " + s[i+2+j+2:]
	}
	if i := strings.Index(s, "//"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// ppCondition evaluates the #if conditions scripts use.
func ppCondition(s string, defined map[string]bool) (bool, bool) {
	s = strings.TrimSpace(s)
	switch s {
	case "0":
		return false, true
	case "1":
		return true, true
	}
	neg := strings.HasPrefix(s, "!")
	s = strings.TrimSpace(strings.TrimPrefix(s, "!"))
	if strings.HasPrefix(s, "defined") {
		name := strings.Trim(strings.TrimSpace(strings.TrimPrefix(s, "defined")), "() ")
		return defined[name] != neg, name != ""
	}
	return false, false
}
