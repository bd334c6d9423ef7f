package parse

import (
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gbt-dev/gbt/lang/ast"
)

// gExpr is an expression inside the participle part of the grammar (config
// values, enumerator values). Expressions are parsed by hand with
// precedence climbing (C precedence and associativity) straight into ast
// nodes, which is both simpler than one grammar struct per precedence level
// and an order of magnitude faster than participle's reflective descent. The
// scanner has already bounded nesting, so the recursion here is shallow.
type gExpr struct {
	X ast.Expr
}

// Parse implements participle.Parseable: it hands the remaining tokens to
// the hand-written parser and advances lex past the ones it used. Only the
// few tokens before the first probe ever go through participle, so the copy
// is small.
func (e *gExpr) Parse(lex *lexer.PeekingLexer) error {
	if !startsExpr(*lex.Peek()) {
		return participle.NextMatch
	}
	cp := lex.Checkpoint
	var rest []lexer.Token
	for {
		t := lex.Next()
		rest = append(rest, *t)
		if t.EOF() {
			break
		}
	}
	lex.Checkpoint = cp
	p := exprParser{toks: rest}
	err := p.run(func() { e.X = p.ternary() })
	for range p.i {
		lex.Next()
	}
	return err
}

// run runs a hand-written production, turning the syntax error it panics
// with (exprError) into the error participle would have returned, so that
// both parts of the parser report errors the same way.
func (p *exprParser) run(parse func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(exprError)
			if !ok {
				panic(r)
			}
			err = b.err
		}
	}()
	parse()
	return nil
}

// exprError carries a syntax error out of the recursive descent.
type exprError struct{ err error }

// exprParser is the hand-written recursive descent over scanned tokens
// (which end with EOF).
type exprParser struct {
	toks   []lexer.Token
	i      int             // next token
	soft   []softError     // errors that let parsing go on
	macros []*ast.MacroDef // macro definitions, in order
}

func (p *exprParser) peek() lexer.Token { return p.toks[p.i] }

// next consumes a token; EOF is never consumed.
func (p *exprParser) next() lexer.Token {
	t := p.toks[p.i]
	if t.Type != lexer.EOF {
		p.i++
	}
	return t
}

// is reports whether t is the punctuation or keyword s.
func is(t lexer.Token, s string) bool {
	return (t.Type == tPunct || t.Type == tKeyword || t.Type == tIdent) && t.Value == s
}

func (p *exprParser) accept(s string) bool {
	if is(p.peek(), s) {
		p.next()
		return true
	}
	return false
}

func (p *exprParser) unexpected(expect string) {
	panic(exprError{&participle.UnexpectedTokenError{Unexpected: p.peek(), Expect: expect}})
}

func (p *exprParser) failAt(t lexer.Token, format string, args ...any) {
	panic(exprError{participle.Errorf(t.Pos, format, args...)})
}

func (p *exprParser) expect(s string) lexer.Token {
	if !is(p.peek(), s) {
		p.unexpected(s)
	}
	return p.next()
}

func startPos(t lexer.Token) ast.Pos {
	return ast.Pos{Offset: t.Pos.Offset, Line: t.Pos.Line, Col: t.Pos.Column}
}

// endPos is the position after t (expression tokens never span lines).
func endPos(t lexer.Token) ast.Pos {
	return ast.Pos{Offset: t.Pos.Offset + len(t.Value), Line: t.Pos.Line, Col: t.Pos.Column + len(t.Value)}
}

func tokSpan(t lexer.Token) ast.Span { return ast.Span{Start: startPos(t), End: endPos(t)} }

func joinSpan(from ast.Pos, to ast.Node) ast.Span { return ast.Span{Start: from, End: to.EndPos()} }

// startsExpr reports whether t can begin an expression.
// identCastOperand reports whether t, after `(name)`, makes it a cast:
// t starts an operand that no binary operator could take instead (not
// `*`, `-`, `&`... : `(pid) * 2` stays a product).
func identCastOperand(t lexer.Token) bool {
	switch t.Type {
	case tInt, tChar, tString, tVar, tParam, tMap, tIdent:
		return true
	case tPunct:
		return t.Value == "("
	}
	return false
}

func startsExpr(t lexer.Token) bool {
	switch t.Type {
	case tInt, tChar, tString, tVar, tParam, tMap, tIdent:
		return true
	case tKeyword:
		return t.Value == "sizeof" || t.Value == "offsetof" || t.Value == "if"
	case tPunct:
		return t.Value == "(" || t.Value == "{" || ast.LookupOp(t.Value).IsPrefix()
	}
	return false
}

// ifExpr parses an if with a value (bpftrace 0.24): `if (c) { a } else
// { b }`, where else may be another if. It is the ternary c ? {a} : {b} of
// the two block expressions.
func (p *exprParser) ifExpr() ast.Expr {
	start := p.next() // if
	cond := p.condition()
	then := p.valueBlock()
	if e := p.peek(); e.Type != tKeyword || e.Value != "else" {
		p.unexpected("else")
	}
	p.next()
	var els ast.Expr
	if n := p.peek(); n.Type == tKeyword && n.Value == "if" {
		els = p.ifExpr()
	} else {
		els = p.valueBlock()
	}
	return &ast.Ternary{Span: joinSpan(startPos(start), els), Cond: cond, Then: then, Else: els}
}

// lastIfValue parses an if that ends a block expression and has a value
// in every branch (`{ if (c) { a } else { b } }`) as that value; ok is
// false, with nothing consumed, for any other if, which is a statement.
func (p *exprParser) lastIfValue() (x ast.Expr, ok bool) {
	if t := p.peek(); t.Type != tKeyword || t.Value != "if" {
		return nil, false
	}
	save, soft := p.i, len(p.soft)
	defer func() {
		if r := recover(); r != nil {
			if _, isErr := r.(exprError); !isErr {
				panic(r)
			}
			x, ok = nil, false
		}
		if !ok {
			p.i, p.soft = save, p.soft[:soft]
		}
	}()
	x = p.ifExpr()
	return x, is(p.peek(), "}") && hasValue(x)
}

// hasValue reports whether every branch of an if expression yields a
// value.
func hasValue(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.Ternary:
		return hasValue(x.Then) && hasValue(x.Else)
	case *ast.BlockExpr:
		return x.Value != nil
	}
	return true
}

func (p *exprParser) ternary() ast.Expr {
	cond := p.binary(1)
	if !is(p.peek(), "?") {
		return cond
	}
	p.next()
	var then ast.Expr // nil in `a ?: b`: a's value when it is true
	if !is(p.peek(), ":") {
		then = p.ternary()
	}
	p.expect(":")
	els := p.ternary()
	return &ast.Ternary{Span: joinSpan(cond.Pos(), els), Cond: cond, Then: then, Else: els}
}

// binary parses operators of precedence >= minPrec: equal precedence loops
// (left associativity), higher precedence recurses for the right operand,
// so recursion depth is bounded by the number of precedence levels.
func (p *exprParser) binary(minPrec int) ast.Expr {
	x := p.unary()
	for {
		t := p.peek()
		if t.Type != tPunct { // a predicate's closing '/' is a tPredEnd
			return x
		}
		op := ast.LookupOp(t.Value)
		prec := op.Precedence() // 0 for anything but a binary operator
		if prec == 0 || prec < minPrec {
			return x
		}
		p.next()
		if !startsExpr(p.peek()) {
			p.unexpected("expression")
		}
		y := p.binary(prec + 1)
		x = &ast.Binary{Span: joinSpan(x.Pos(), y), Op: op, OpPos: startPos(t), X: x, Y: y}
	}
}

func (p *exprParser) unary() ast.Expr {
	t := p.peek()
	if t.Type == tPunct {
		if op := ast.LookupOp(t.Value); op.IsPrefix() {
			p.next()
			if !startsExpr(p.peek()) {
				p.unexpected("expression")
			}
			x := p.unary()
			if op == ast.OpAdd {
				return x
			}
			return &ast.Unary{Span: joinSpan(startPos(t), x), Op: op, X: x}
		}
		switch t.Value {
		case "(":
			if typ := p.castType(); typ != nil {
				if !startsExpr(p.peek()) {
					p.unexpected("expression")
				}
				x := p.unary()
				return &ast.Cast{Span: joinSpan(startPos(t), x), Type: typ, X: x}
			}
		}
	}
	// A parenthesized operand: bpftrace 0.17's positions of the fields
	// it reaches start at its '(' (ast.Field.Open).
	var open ast.Pos
	if t := p.peek(); t.Type == tPunct && t.Value == "(" {
		open = startPos(t)
	}
	x := p.primary()
	if x.Pos() == open { // a tuple or record: its span has the '('
		open = ast.Pos{}
	}
	return p.postfix(x, open)
}

// postfix parses the field accesses, indexes and postfix operators after
// x; open is the '(' of a parenthesized x, or zero.
func (p *exprParser) postfix(x ast.Expr, open ast.Pos) ast.Expr {
	for {
		t := p.peek()
		if t.Type != tPunct {
			return x
		}
		switch t.Value {
		case ".", "->":
			p.next()
			n := p.peek()
			switch {
			case n.Type == tIdent || n.Type == tTypeWord || n.Type == tKeyword:
				p.next()
				x = &ast.Field{Span: ast.Span{Start: x.Pos(), End: endPos(n)}, X: x, Name: n.Value, Arrow: t.Value == "->", Open: open}
			case n.Type == tInt && t.Value == ".":
				p.next()
				idx, err := strconv.Atoi(n.Value)
				if err != nil {
					p.failAt(n, "invalid tuple index %s", n.Value)
				}
				x = &ast.TupleIndex{Span: ast.Span{Start: x.Pos(), End: endPos(n)}, X: x, Index: idx}
			default:
				p.unexpected("identifier")
			}
		case "[":
			p.next()
			idx := p.expr()
			end := p.expect("]")
			x = &ast.Index{Span: ast.Span{Start: x.Pos(), End: endPos(end)}, X: x, Index: idx}
		default:
			op := ast.LookupOp(t.Value)
			if !op.IsPostfix() {
				return x
			}
			p.next()
			x = &ast.Unary{Span: ast.Span{Start: x.Pos(), End: endPos(t)}, Op: op, X: x, Postfix: true}
		}
	}
}

// expr parses a full expression (an operand, a key, an argument).
func (p *exprParser) expr() ast.Expr {
	if !startsExpr(p.peek()) {
		p.unexpected("expression")
	}
	return p.ternary()
}

func (p *exprParser) primary() ast.Expr {
	t := p.peek()
	sp := tokSpan(t)
	switch t.Type {
	case tInt:
		p.next()
		v, err := parseInt(t.Value)
		if err != nil {
			p.failAt(t, "invalid integer %q: %v", t.Value, err)
		}
		return &ast.IntLit{Span: sp, Raw: t.Value, Value: v}
	case tChar:
		p.next()
		s, err := unquote(t.Value[1 : len(t.Value)-1])
		if err != nil || len(s) != 1 {
			p.failAt(t, "invalid character literal %s", t.Value)
		}
		return &ast.IntLit{Span: sp, Raw: t.Value, Value: uint64(s[0])}
	case tString:
		p.next()
		s, err := unquote(t.Value[1 : len(t.Value)-1])
		if err != nil {
			p.failAt(t, "invalid string literal: %v", err)
		}
		return &ast.StrLit{Span: sp, Raw: t.Value, Value: s}
	case tVar:
		p.next()
		return &ast.Variable{Span: sp, Name: t.Value}
	case tParam:
		p.next()
		if t.Value == "$#" {
			return &ast.Positional{Span: sp, Count: true}
		}
		n, err := strconv.Atoi(t.Value[1:])
		if err != nil || n == 0 {
			p.failAt(t, "param %s is out of integer range [1, %d]", t.Value, int64(1<<63-1))
		}
		return &ast.Positional{Span: sp, Index: n}
	case tMap:
		p.next()
		m := &ast.MapRef{Span: sp, Name: t.Value}
		if is(p.peek(), "[") {
			p.next()
			if is(p.peek(), "]") {
				p.unexpected("map key")
			}
			for {
				m.Keys = append(m.Keys, p.expr())
				if !p.accept(",") {
					break
				}
			}
			end := p.expect("]")
			m.Span.End = endPos(end)
		}
		return m
	case tKeyword:
		switch t.Value {
		case "sizeof":
			return p.sizeof()
		case "offsetof":
			return p.offsetof()
		case "if":
			return p.ifExpr()
		}
	case tIdent:
		p.next()
		switch t.Value {
		case "true", "false":
			return &ast.BoolLit{Span: sp, Value: t.Value == "true"}
		}
		if !is(p.peek(), "(") {
			return &ast.Ident{Span: sp, Name: t.Value}
		}
		p.next()
		c := &ast.Call{Name: t.Value, NameEnd: endPos(t)}
		if !is(p.peek(), ")") {
			for {
				c.Args = append(c.Args, p.callArg())
				if !p.accept(",") {
					break
				}
			}
		}
		end := p.expect(")")
		c.Span = ast.Span{Start: startPos(t), End: endPos(end)}
		return c
	case tPunct:
		if t.Value == "{" {
			return p.valueBlock()
		}
		if t.Value == "(" {
			p.next()
			if p.recordAhead() {
				return p.record(t)
			}
			first := p.expr()
			if is(p.peek(), ")") {
				p.next()
				return first // parentheses are not kept: the printer adds what precedence needs
			}
			if !is(p.peek(), ",") {
				p.unexpected(") or ,")
			}
			tup := &ast.Tuple{Elems: []ast.Expr{first}}
			for p.accept(",") {
				tup.Elems = append(tup.Elems, p.expr())
			}
			end := p.expect(")")
			tup.Span = ast.Span{Start: startPos(t), End: endPos(end)}
			return tup
		}
	}
	p.unexpected("expression")
	return nil
}

func (p *exprParser) sizeof() ast.Expr {
	kw := p.next()
	p.expect("(")
	s := &ast.Sizeof{}
	if isTypeStart(p.peek()) || p.typeofAhead() {
		s.Type = p.typeName()
	} else {
		s.X = p.expr()
	}
	end := p.expect(")")
	s.Span = ast.Span{Start: startPos(kw), End: endPos(end)}
	return s
}

func (p *exprParser) offsetof() ast.Expr {
	kw := p.next()
	p.expect("(")
	var o *ast.Offsetof
	switch t := p.peek(); {
	case isTypeStart(t):
		o = &ast.Offsetof{Type: p.typeName()}
	case t.Type == tIdent:
		// A struct named without its keyword, offsetof(qspinlock, tail),
		// as the newest bpftrace takes it; the checker resolves it.
		p.next()
		o = &ast.Offsetof{Type: &ast.TypeExpr{Span: tokSpan(t), Name: t.Value}}
	default:
		p.unexpected("type")
	}
	p.expect(",")
	for {
		f := p.peek()
		if f.Type != tIdent && f.Type != tTypeWord && f.Type != tKeyword {
			p.unexpected("field name")
		}
		p.next()
		o.Field = append(o.Field, f.Value)
		if !p.accept(".") {
			break
		}
	}
	end := p.expect(")")
	o.Span = ast.Span{Start: startPos(kw), End: endPos(end)}
	return o
}

func isTypeStart(t lexer.Token) bool {
	return t.Type == tTypeWord || (t.Type == tKeyword && (t.Value == "struct" || t.Value == "union" || t.Value == "enum"))
}

// castType parses `(type)` at the current '(' when it is a cast, and
// returns nil, consuming nothing, otherwise.
func (p *exprParser) castType() *ast.TypeExpr {
	cp := p.i
	p.next() // (
	if t := p.peek(); t.Type == tIdent && p.i+2 < len(p.toks) && is(p.toks[p.i+1], ")") && identCastOperand(p.toks[p.i+2]) {
		// (uint64_t)x: a name in parentheses before an operand is a type,
		// as the newest bpftrace reads it; the checker resolves it.
		p.next()
		p.next() // )
		return &ast.TypeExpr{Span: tokSpan(t), Name: t.Value}
	}
	if p.typeofAhead() || p.namedPointerAhead() {
		typ := p.typeName()
		p.expect(")")
		return typ
	}
	if !isTypeStart(p.peek()) {
		p.i = cp
		return nil
	}
	typ := p.typeName()
	p.expect(")")
	return typ
}

// callArg parses an argument of a call: an expression, or a type,
// typeof(struct Foo) or a bare one (uint16, struct Foo *) as the newest
// bpftrace takes it, which a macro's type parameter takes.
func (p *exprParser) callArg() ast.Expr {
	if p.typeofAhead() {
		typ := p.typeofType()
		return &ast.TypeArg{Span: typ.Span, Type: typ}
	}
	if isTypeStart(p.peek()) {
		cp := p.i
		typ := p.typeName()
		if n := p.peek(); is(n, ",") || is(n, ")") {
			return &ast.TypeArg{Span: typ.Span, Type: typ}
		}
		p.i = cp // a cast's type, (uint8)x, or another expression
	}
	return p.expr()
}

// typeofAhead reports whether typeof(...) comes next.
func (p *exprParser) typeofAhead() bool {
	t := p.peek()
	return t.Type == tIdent && t.Value == "typeof" && p.i+1 < len(p.toks) && is(p.toks[p.i+1], "(")
}

// namedPointerAhead reports whether `name *...)` comes next: a pointer to
// a typedef in a cast, (size_t *)p, which no expression can be.
func (p *exprParser) namedPointerAhead() bool {
	if p.peek().Type != tIdent {
		return false
	}
	j := p.i + 1
	for j < len(p.toks) && is(p.toks[j], "*") {
		j++
	}
	return j > p.i+1 && j < len(p.toks) && is(p.toks[j], ")")
}

// typeofType parses typeof(type) (bpftrace 0.22), the type itself, or
// typeof(expression), the expression's type, with pointer stars after it:
// typeof(size_t)*. A name alone is a type (a macro's expression parameter
// becomes the expression passed when the macro is expanded).
func (p *exprParser) typeofType() *ast.TypeExpr {
	start := p.next() // typeof
	p.expect("(")
	var typ *ast.TypeExpr
	if t := p.peek(); isTypeStart(t) || t.Type == tIdent && p.i+1 < len(p.toks) && isTypeEnd(p.toks[p.i+1]) {
		typ = p.typeName()
	} else {
		typ = &ast.TypeExpr{Of: p.expr()}
	}
	last := p.expect(")")
	for is(p.peek(), "*") {
		last = p.next()
		typ.Ptr++
	}
	typ.Span = ast.Span{Start: startPos(start), End: endPos(last)}
	return typ
}

// isTypeEnd reports whether t may follow a type's name: ')', '*' or '['.
func isTypeEnd(t lexer.Token) bool {
	return is(t, ")") || is(t, "*") || is(t, "[")
}

// typeName parses a type: `unsigned long`, `struct task_struct *`,
// `int8[4]`, a typedef name (`size_t *`), `typeof(size_t)`, a pointer to
// an array (`int32[4]*`).
func (p *exprParser) typeName() *ast.TypeExpr {
	if p.typeofAhead() {
		return p.typeofType()
	}
	start := p.peek()
	var words []string
	last := start
	if start.Type == tIdent {
		last = p.next()
		words = append(words, start.Value)
	} else if start.Type == tKeyword {
		p.next()
		n := p.peek()
		if n.Type != tIdent && n.Type != tTypeWord {
			p.unexpected(start.Value + " name")
		}
		last = p.next()
		words = append(words, start.Value, n.Value)
	} else {
		for p.peek().Type == tTypeWord {
			last = p.next()
			words = append(words, last.Value)
		}
	}
	typ := &ast.TypeExpr{Name: strings.Join(words, " ")}
	for is(p.peek(), "*") {
		last = p.next()
		typ.Ptr++
	}
	if is(p.peek(), "[") {
		p.next()
		typ.ArrayN = -1 // (int8[])x: as many elements as x's bytes hold
		if n := p.peek(); !is(n, "]") {
			v, err := parseInt(n.Value)
			if n.Type != tInt || err != nil || v == 0 || v > 1<<16 {
				p.unexpected("array length")
			}
			p.next()
			typ.ArrayN = int(v)
		}
		last = p.expect("]")
		for typ.ArrayN > 0 && is(p.peek(), "*") {
			last = p.next()
			typ.ArrayPtr++ // uint32[4]*: a pointer to the array
		}
	}
	typ.Span = ast.Span{Start: startPos(start), End: endPos(last)}
	return typ
}
