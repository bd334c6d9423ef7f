package parse

import (
	"errors"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
)

// syntaxError converts a participle error into one diagnostic in the
// newest bpftrace's wording ("syntax: expected ';'"; see syntaxMessage),
// pointing at the whole offending token, with a hint for common slips.
func (s *scanner) syntaxError(diags *diag.List, err error) {
	var perr participle.Error
	if !errors.As(err, &perr) {
		diags.Errorf(s.span(0, min(1, len(s.src))), "%v", err)
		return
	}
	i := s.tokenAt(perr.Position().Offset)
	tok := s.toks[i]
	sp := s.span(tok.Pos.Offset, tokEnd(tok))
	if tok.Type == tBad {
		d := diags.Errorf(sp, "%s", s.bad)
		if s.bad == "nesting too deep" {
			d.WithHint("gbt accepts nesting up to %d levels", MaxDepth)
		}
		return
	}
	var ae *assignError
	if errors.As(err, &ae) {
		diags.Errorf(ae.span, "%s", ae.Message()).WithHint("%s", ae.hint())
		return
	}
	var ee *elseError
	if errors.As(err, &ee) {
		diags.Errorf(ee.span, "%s", ee.Message()).
			WithHint("a plain else { ... } must be the last clause of an if")
		return
	}
	var ute *participle.UnexpectedTokenError
	if !errors.As(err, &ute) {
		diags.Errorf(sp, "%s", perr.Message())
		return
	}
	expect := ute.Expect
	if expect == "" {
		expect = expectation(ute.Message())
	}
	if expect == "" && s.atTopLevel(i) {
		expect = "probe"
	}
	diags.Errorf(sp, "%s", syntaxMessage(describe(tok), expect)).Hint = s.hint(i, expect)
}

// syntaxMessage words a syntax error as the newest bpftrace does: what
// was expected ("syntax: expected ';'", punctuation quoted, the first of
// several), or what came when nothing in particular was ("syntax:
// unexpected else"). (bpftrace 0.17's bison said "syntax error,
// unexpected ;, expecting ] or ,".)
func syntaxMessage(unexpected, expect string) string {
	if expect == "" {
		return "syntax: unexpected " + unexpected
	}
	first, _, _ := strings.Cut(expect, " or ")
	switch {
	case first == "end predicate":
		return "syntax: expected '/' to close predicate"
	case strings.IndexFunc(first, unicode.IsLetter) < 0:
		return "syntax: expected '" + first + "'"
	}
	return "syntax: expected " + first
}

// tokenAt returns the index of the token starting at offset (or the last
// token before it).
func (s *scanner) tokenAt(off int) int {
	i := sort.Search(len(s.toks), func(i int) bool { return s.toks[i].Pos.Offset > off })
	return max(i-1, 0)
}

var expectedRE = regexp.MustCompile(`\(expected (.*)\)$`)

// expectation turns participle's expected-production text into bison's
// style: `"(" GExpr` becomes "(", `PredEnd` "end predicate".
func expectation(msg string) string {
	m := expectedRE.FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	words := strings.Fields(m[1])
	if len(words) == 0 {
		return ""
	}
	w := words[0]
	if strings.HasPrefix(w, `"`) {
		return strings.Trim(w, `"`)
	}
	return expectNames[strings.ToLower(strings.Trim(w, "<>()"))]
}

// expectNames name grammar productions and token types in messages.
var expectNames = map[string]string{
	"predend": "end predicate",
	"attach":  "probe",
	"gattach": "probe",
	"ident":   "identifier",
	"var":     "variable",
	"gtok":    "variable",
	"map":     "map",
	"int":     "integer",
	"cbody":   "{",
	"gblock":  "{",
	"gprobe":  "probe",
	"gexpr":   "expression",
}

// hint suggests a fix for the syntax error at token i.
func (s *scanner) hint(i int, expect string) string {
	tok := s.toks[i]
	switch {
	case tok.Type == lexer.EOF:
		open := 0
		for _, t := range s.toks {
			if t.Type == tPunct && t.Value == "{" {
				open++
			} else if t.Type == tPunct && t.Value == "}" {
				open--
			}
		}
		if open > 0 {
			return "a block is not closed: add the missing }"
		}
	case tok.Type == tPunct && ast.LookupOp(tok.Value) == ast.OpAssign && (s.inPredicate(i) || expect == ")"):
		return "to compare, use ==; = assigns"
	case expect == "probe":
		return "a probe starts with its kind, e.g. tracepoint:syscalls:sys_enter_openat or BEGIN"
	case tok.Type == tKeyword && tok.Value == "else":
		return "else must follow the block of an if"
	case expect == "; or }" && startsExpr(tok):
		return "statements are separated by ;"
	case expect == "{" && tok.Type == tPunct && ast.LookupOp(tok.Value) != ast.OpInvalid:
		return "a condition without parentheses is one operand: write if ($a < $b) { ... }"
	case expect == "{" && (tok.Type == tIdent || tok.Type == tVar || tok.Type == tMap):
		return "a probe's statements go in a block: PROBE { ... }"
	case expect == ".":
		return "a for loop goes over a map or a range: for ($kv : @m) { ... } or for ($i : 0..10) { ... }"
	case expect == "end predicate" && tok.Type == tPunct && tok.Value == "{":
		return "close the predicate with /: PROBE /cond/ { ... }"
	}
	return ""
}

// inPredicate reports whether token i is inside a probe's /predicate/.
func (s *scanner) inPredicate(i int) bool {
	for j := i - 1; j >= 0; j-- {
		t := s.toks[j]
		switch {
		case t.Type == tPunct && t.Value == "/" && j > 0 && s.toks[j-1].Type == tAttach:
			return true
		case t.Type == tPunct && (t.Value == "{" || t.Value == "}" || t.Value == ";"):
			return false
		}
	}
	return false
}

// atTopLevel reports whether token i is where a new top-level item (a
// probe, #include, struct or config) would start.
func (s *scanner) atTopLevel(i int) bool {
	depth := 0
	for _, t := range s.toks[:i] {
		if t.Type == tPunct && t.Value == "{" {
			depth++
		} else if t.Type == tPunct && t.Value == "}" {
			depth--
		}
	}
	if depth != 0 {
		return false
	}
	if i == 0 {
		return true
	}
	switch prev := s.toks[i-1]; prev.Type {
	case tInclude, tCBody, tShebang:
		return true
	case tPunct:
		return prev.Value == "}" || prev.Value == ";"
	}
	return false
}
