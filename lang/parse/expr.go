package parse

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
)

// Binary operator precedence, C's order (higher binds tighter).
var binaryPrec = map[string]int{
	"||": 1,
	"&&": 2,
	"|":  3,
	"^":  4,
	"&":  5,
	"==": 6, "!=": 6,
	"<": 7, "<=": 7, ">": 7, ">=": 7,
	"<<": 8, ">>": 8,
	"+": 9, "-": 9,
	"*": 10, "/": 10, "%": 10,
}

// expr parses a full expression (ternary included).
func (p *parser) expr() ast.Expr {
	saved := p.noDiv
	p.noDiv = false
	defer func() { p.noDiv = saved }()
	return p.ternary()
}

// exprNoDiv parses a predicate: a top-level '/' ends it instead of dividing.
func (p *parser) exprNoDiv() ast.Expr {
	saved := p.noDiv
	p.noDiv = true
	defer func() { p.noDiv = saved }()
	return p.ternary()
}

func (p *parser) ternary() ast.Expr {
	p.enter()
	defer p.leave()
	cond := p.binary(1)
	if !p.is("?") {
		return cond
	}
	p.next()
	then := p.ternary()
	p.expect(":")
	els := p.ternary()
	return &ast.Ternary{Span: p.span(cond.Pos().Offset, els.EndPos().Offset), Cond: cond, Then: then, Else: els}
}

// binary parses operators of precedence >= minPrec (left associative).
func (p *parser) binary(minPrec int) ast.Expr {
	x := p.unary()
	for {
		t := p.cur()
		if t.kind != tPunct {
			return x
		}
		prec, ok := binaryPrec[t.text]
		if !ok || prec < minPrec || (p.noDiv && t.text == "/") {
			return x
		}
		p.next()
		p.enter()
		y := p.binary(prec + 1)
		p.leave()
		x = &ast.Binary{Span: p.span(x.Pos().Offset, y.EndPos().Offset), Op: t.text, OpPos: p.pos(t.off), X: x, Y: y}
	}
}

func (p *parser) unary() ast.Expr {
	p.enter()
	defer p.leave()
	t := p.cur()
	if t.kind == tPunct {
		switch t.text {
		case "!", "~", "-", "*", "&", "+":
			p.next()
			x := p.unary()
			if t.text == "+" {
				return x
			}
			return &ast.Unary{Span: p.span(t.off, x.EndPos().Offset), Op: t.text, X: x}
		case "++", "--":
			p.next()
			x := p.unary()
			return &ast.Unary{Span: p.span(t.off, x.EndPos().Offset), Op: t.text, X: x}
		case "(":
			if typ := p.tryCastType(); typ != nil {
				x := p.unary()
				return &ast.Cast{Span: p.span(t.off, x.EndPos().Offset), Type: typ, X: x}
			}
		}
	}
	return p.postfix(p.primary())
}

func (p *parser) postfix(x ast.Expr) ast.Expr {
	for {
		t := p.cur()
		if t.kind != tPunct {
			return x
		}
		switch t.text {
		case ".", "->":
			p.next()
			n := p.next()
			switch {
			case n.kind == tIdent:
				x = &ast.Field{Span: p.span(x.Pos().Offset, n.end()), X: x, Name: n.text, Arrow: t.text == "->"}
			case n.kind == tNumber && t.text == ".":
				idx, err := strconv.Atoi(n.text)
				if err != nil {
					p.fail(n.off, n.end(), "invalid tuple index %q", n.text)
				}
				x = &ast.TupleIndex{Span: p.span(x.Pos().Offset, n.end()), X: x, Index: idx}
			default:
				p.fail(n.off, n.end(), "syntax error, unexpected %s, expecting identifier", describe(n))
			}
		case "[":
			p.next()
			idx := p.expr()
			end := p.expect("]")
			x = &ast.Index{Span: p.span(x.Pos().Offset, end.end()), X: x, Index: idx}
		case "++", "--":
			p.next()
			x = &ast.Unary{Span: p.span(x.Pos().Offset, t.end()), Op: t.text, X: x, Postfix: true}
		default:
			return x
		}
	}
}

func (p *parser) primary() ast.Expr {
	t := p.cur()
	switch t.kind {
	case tNumber:
		p.next()
		v, err := parseInt(t.text)
		if err != nil {
			p.fail(t.off, t.end(), "invalid integer %q: %v", t.text, err)
		}
		return &ast.IntLit{Span: p.span(t.off, t.end()), Raw: t.text, Value: v}
	case tChar:
		p.next()
		s, err := unquote(t.text[1 : len(t.text)-1])
		if err != nil || len(s) != 1 {
			p.fail(t.off, t.end(), "invalid character literal %s", t.text)
		}
		return &ast.IntLit{Span: p.span(t.off, t.end()), Raw: t.text, Value: uint64(s[0])}
	case tString:
		p.next()
		s, err := unquote(t.text[1 : len(t.text)-1])
		if err != nil {
			p.fail(t.off, t.end(), "invalid string literal: %v", err)
		}
		return &ast.StrLit{Span: p.span(t.off, t.end()), Raw: t.text, Value: s}
	case tVar:
		p.next()
		sp := p.span(t.off, t.end())
		name := t.text[1:]
		if name == "#" {
			return &ast.Positional{Span: sp, Count: true}
		}
		if name[0] >= '0' && name[0] <= '9' {
			n, err := strconv.Atoi(name)
			if err != nil || n == 0 {
				p.fail(t.off, t.end(), "invalid positional parameter %s", t.text)
			}
			return &ast.Positional{Span: sp, Index: n}
		}
		return &ast.Variable{Span: sp, Name: t.text}
	case tMap:
		p.next()
		m := &ast.MapRef{Span: p.span(t.off, t.end()), Name: t.text}
		if p.is("[") {
			p.next()
			if p.is("]") {
				c := p.cur()
				p.fail(c.off, c.end(), "syntax error, unexpected ], expecting map key")
			}
			for {
				m.Keys = append(m.Keys, p.expr())
				if !p.accept(",") {
					break
				}
			}
			end := p.expect("]")
			m.Span = p.span(t.off, end.end())
		}
		return m
	case tIdent:
		switch t.text {
		case "true", "false":
			p.next()
			return &ast.BoolLit{Span: p.span(t.off, t.end()), Value: t.text == "true"}
		case "sizeof":
			return p.sizeof()
		case "offsetof":
			return p.offsetof()
		}
		if isKeyword(t.text) {
			p.unexpected("expression")
		}
		p.next()
		if p.is("(") {
			return p.call(t)
		}
		return &ast.Ident{Span: p.span(t.off, t.end()), Name: t.text}
	case tPunct:
		if t.text == "(" {
			p.next()
			first := p.expr()
			if p.is(")") {
				p.next()
				return first // parentheses are not kept: the printer adds what precedence needs
			}
			tup := &ast.Tuple{Elems: []ast.Expr{first}}
			for p.accept(",") {
				tup.Elems = append(tup.Elems, p.expr())
			}
			end := p.expect(")")
			tup.Span = p.span(t.off, end.end())
			return tup
		}
	}
	p.unexpected("")
	return nil
}

func (p *parser) call(name token) ast.Expr {
	p.expect("(")
	c := &ast.Call{Name: name.text, NameEnd: p.pos(name.end())}
	if !p.is(")") {
		for {
			c.Args = append(c.Args, p.expr())
			if !p.accept(",") {
				break
			}
		}
	}
	end := p.expect(")")
	c.Span = p.span(name.off, end.end())
	return c
}

func (p *parser) sizeof() ast.Expr {
	kw := p.next()
	p.expect("(")
	s := &ast.Sizeof{}
	if isTypeStart(p.cur(), p.peek(1)) {
		s.Type = p.typeName(false)
	} else {
		s.X = p.expr()
	}
	end := p.expect(")")
	s.Span = p.span(kw.off, end.end())
	return s
}

func (p *parser) offsetof() ast.Expr {
	kw := p.next()
	p.expect("(")
	o := &ast.Offsetof{Type: p.typeName(false)}
	p.expect(",")
	for {
		f := p.next()
		if f.kind != tIdent {
			p.fail(f.off, f.end(), "syntax error, unexpected %s, expecting field name", describe(f))
		}
		o.Field = append(o.Field, f.text)
		if !p.accept(".") {
			break
		}
	}
	end := p.expect(")")
	o.Span = p.span(kw.off, end.end())
	return o
}

// Type names that may start a cast. Other identifiers in parentheses are
// expressions.
var baseTypes = map[string]bool{
	"int8": true, "int16": true, "int32": true, "int64": true,
	"uint8": true, "uint16": true, "uint32": true, "uint64": true,
	"int": true, "char": true, "short": true, "long": true, "unsigned": true, "signed": true,
	"void": true, "bool": true, "_Bool": true, "u8": true, "u16": true, "u32": true, "u64": true,
	"s8": true, "s16": true, "s32": true, "s64": true, "size_t": true, "pid_t": true,
	"string": true, "inet": true, "buffer": true, "const": true, "volatile": true,
}

func isTypeStart(t, next token) bool {
	if t.kind != tIdent {
		return false
	}
	switch t.text {
	case "struct", "union", "enum":
		return next.kind == tIdent
	}
	return baseTypes[t.text]
}

// tryCastType parses `(type)` at the current '(' when it is a cast and
// returns nil (consuming nothing) otherwise.
func (p *parser) tryCastType() *ast.TypeExpr {
	if !isTypeStart(p.peek(1), p.peek(2)) {
		return nil
	}
	p.next() // (
	typ := p.typeName(false)
	if p.accept("[") {
		n := p.next()
		v, err := parseInt(n.text)
		if n.kind != tNumber || err != nil || v == 0 || v > 1<<16 {
			p.fail(n.off, n.end(), "array length must be a positive integer")
		}
		typ.ArrayN = int(v)
		p.expect("]")
	}
	end := p.expect(")")
	typ.Span = p.span(typ.Pos().Offset, end.off)
	return typ
}

// typeName parses a C type name with pointer stars: `unsigned long`,
// `struct task_struct *`, `const char *`. In a struct member (member=true)
// the trailing identifier is the member name and is not consumed.
func (p *parser) typeName(member bool) *ast.TypeExpr {
	start := p.cur()
	var words []string
	for {
		t := p.cur()
		if t.kind != tIdent {
			break
		}
		if t.text == "struct" || t.text == "union" || t.text == "enum" {
			p.next()
			n := p.next()
			if n.kind != tIdent {
				p.fail(n.off, n.end(), "syntax error, unexpected %s, expecting %s name", describe(n), t.text)
			}
			words = append(words, t.text+" "+n.text)
			continue
		}
		// In a member declaration the last identifier before ; [ or : is the name.
		if member && len(words) > 0 && !baseTypes[t.text] {
			nx := p.peek(1)
			if nx.text == ";" || nx.text == "[" || nx.text == ":" {
				break
			}
		}
		if len(words) > 0 && !baseTypes[t.text] && !member {
			break
		}
		p.next()
		words = append(words, t.text)
	}
	if len(words) == 0 {
		p.fail(start.off, start.end(), "syntax error, unexpected %s, expecting type name", describe(start))
	}
	typ := &ast.TypeExpr{Name: strings.Join(words, " ")}
	end := p.toks[p.i-1].end()
	for p.is("*") {
		end = p.next().end()
		typ.Ptr++
	}
	typ.Span = p.span(start.off, end)
	return typ
}

// parseInt parses bpftrace integer literals: decimal, 0x hex, 0 octal,
// digit separators '_', u/l suffixes and the 1e6 scientific form.
func parseInt(s string) (uint64, error) {
	s = strings.TrimRight(s, "uUlL")
	s = strings.ReplaceAll(s, "_", "")
	if s == "" {
		return 0, fmt.Errorf("empty literal")
	}
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		if i := strings.IndexAny(s, "eE"); i > 0 {
			mant, err := strconv.ParseUint(s[:i], 10, 64)
			if err != nil {
				return 0, err
			}
			exp, err := strconv.Atoi(s[i+1:])
			if err != nil || exp > 19 {
				return 0, fmt.Errorf("exponent out of range")
			}
			v := float64(mant) * math.Pow10(exp)
			if v > math.MaxUint64 {
				return 0, fmt.Errorf("value out of range")
			}
			return mant * pow10(exp), nil
		}
	}
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok {
			return 0, ne.Err
		}
		return 0, err
	}
	return v, nil
}

func pow10(n int) uint64 {
	v := uint64(1)
	for ; n > 0; n-- {
		v *= 10
	}
	return v
}

// unquote decodes the C escapes of a string or char literal body.
func unquote(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			return "", fmt.Errorf("trailing backslash")
		}
		switch e := s[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'e':
			b.WriteByte(0x1b)
		case '\\', '"', '\'', '?':
			b.WriteByte(e)
		case 'x':
			j := i + 1
			for j < len(s) && j < i+3 && isHex(s[j]) {
				j++
			}
			if j == i+1 {
				return "", fmt.Errorf(`\x needs hex digits`)
			}
			v, _ := strconv.ParseUint(s[i+1:j], 16, 8)
			b.WriteByte(byte(v))
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i:j], 8, 16)
			if v > 255 {
				return "", fmt.Errorf("octal escape out of range")
			}
			b.WriteByte(byte(v))
			i = j - 1
		default:
			return "", fmt.Errorf(`unknown escape sequence \%c`, e)
		}
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}
