package parse

import (
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gbt-dev/gbt/lang/ast"
)

// gProbe is a probe: attach points, an optional /predicate/ and a block.
type gProbe struct {
	Points []lexer.Token // tAttach tokens
	Pred   ast.Expr
	Body   *ast.Block
	Span   ast.Span
}

// softError is a positioned error found while parsing that lets parsing go
// on, as bison's semantic actions do.
type softError struct {
	span ast.Span
	msg  string
	hint string
}

// probes parses the probes, from the first one to the end of the script
// (probes are the last top-level items).
func (p *exprParser) probes() ([]*gProbe, []*ast.MapDecl) {
	var out []*gProbe
	var decls []*ast.MapDecl
	for {
		switch t := p.peek(); t.Type {
		case lexer.EOF:
			return out, decls
		case tAttach:
			out = append(out, p.probe())
		case tKeyword:
			switch t.Value {
			case "macro":
				p.macros = append(p.macros, p.macroDef())
				continue
			case "import":
				p.importError(t)
			case "let":
				decls = append(decls, p.mapDecl())
				continue
			}
			panic(exprError{&participle.UnexpectedTokenError{Unexpected: t}})
		case tPunct:
			if t.Value != ";" { // after a map declaration
				p.unexpected("probe")
			}
			p.next()
		default:
			panic(exprError{&participle.UnexpectedTokenError{Unexpected: t}})
		}
	}
}

// mapDecl parses a map declaration (bpftrace 0.23):
// `let @name = kind(max_entries);`.
func (p *exprParser) mapDecl() *ast.MapDecl {
	start := p.next() // let
	name := p.peek()
	if name.Type != tMap {
		p.failAt(name, "expected '@' in map declaration")
	}
	p.next()
	p.expect("=")
	kind := p.peek()
	if kind.Type != tIdent {
		p.failAt(kind, "expected map type name")
	}
	p.next()
	p.expect("(")
	n := p.peek()
	v, err := strconv.ParseUint(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
	if n.Type != tInt || err != nil {
		p.failAt(n, "expected positive integer for map declaration max entries")
	}
	p.next()
	end := p.expect(")")
	if is(p.peek(), ";") {
		end = p.next()
	}
	return &ast.MapDecl{Span: ast.Span{Start: startPos(start), End: endPos(end)}, Name: name.Value,
		NameSpan: tokSpan(name), Kind: kind.Value, MaxEntries: v}
}

// probe parses attach points, an optional /predicate/ and the block.
func (p *exprParser) probe() *gProbe {
	first := p.next()
	g := &gProbe{Points: []lexer.Token{first}}
	for is(p.peek(), ",") {
		p.next()
		if p.peek().Type != tAttach {
			p.unexpected("probe")
		}
		g.Points = append(g.Points, p.next())
	}
	if t := p.peek(); t.Type == tPunct && t.Value == "/" {
		p.next()
		g.Pred = p.expr()
		if p.peek().Type != tPredEnd {
			p.unexpected("end predicate")
		}
		p.next()
	}
	if !is(p.peek(), "{") {
		p.unexpected("{")
	}
	g.Body = p.block()
	g.Span = ast.Span{Start: startPos(first), End: g.Body.End}
	return g
}

// block parses `{ statement* }`.
func (p *exprParser) block() *ast.Block {
	open := p.expect("{")
	b := &ast.Block{}
	for {
		t := p.peek()
		if t.Type == tPunct && t.Value == "}" {
			p.next()
			b.Span = ast.Span{Start: startPos(open), End: endPos(t)}
			return b
		}
		if st := p.stmt(); st != nil {
			b.Stmts = append(b.Stmts, st)
		}
	}
}

// stmt parses one statement; an empty one (`;`) is nil. Compound
// statements need no ';'; simple ones end at ';' or before the block's '}'.
func (p *exprParser) stmt() ast.Stmt {
	t := p.peek()
	switch {
	case t.Type == tPunct && t.Value == ";":
		p.next()
		return nil
	case t.Type == tPunct && t.Value == "{":
		b := p.block()
		return &ast.BlockStmt{Span: b.Span, Body: b}
	case t.Type == tKeyword:
		switch t.Value {
		case "if":
			return p.ifStmt()
		case "unroll":
			p.next()
			count := p.condition()
			body := p.block()
			return &ast.UnrollStmt{Span: ast.Span{Start: startPos(t), End: body.End}, Count: count, Body: body}
		case "while":
			p.next()
			cond := p.condition()
			body := p.block()
			return &ast.WhileStmt{Span: ast.Span{Start: startPos(t), End: body.End}, Cond: cond, Body: body}
		case "for":
			return p.forStmt()
		case "let":
			st := p.letStmt()
			if end := p.peek(); is(end, ";") {
				p.next()
			} else if !is(end, "}") {
				p.unexpected("; or }")
			}
			return st
		}
	}
	jump := t.Type == tKeyword && (t.Value == "break" || t.Value == "continue" || t.Value == "return")
	if !jump && !startsExpr(t) {
		p.unexpected("}")
	}
	st := p.simple()
	switch end := p.peek(); {
	case is(end, ";"):
		p.next()
	case is(end, "}"):
	default:
		p.unexpected("; or }")
	}
	return st
}

// condition parses the condition of if, while and unroll: `( expr )`, or,
// as bpftrace 0.24 and later allow, a unary expression without
// parentheses (`if $x {`, `while !@done {`), which cannot swallow the
// block's '{'.
func (p *exprParser) condition() ast.Expr {
	if !is(p.peek(), "(") {
		if !startsExpr(p.peek()) || is(p.peek(), "{") {
			p.unexpected("(")
		}
		return p.unary()
	}
	p.expect("(")
	x := p.expr()
	p.expect(")")
	return x
}

// ifStmt parses an if with its else-if chain and final else. Each else-if
// is an IfStmt in the Else of the one before, spanning from its "if" to the
// end of the whole statement.
func (p *exprParser) ifStmt() *ast.IfStmt {
	start := p.next() // if
	top := &ast.IfStmt{Cond: p.condition(), Then: p.block()}
	top.Span = ast.Span{Start: startPos(start), End: top.Then.End}
	chain := []*ast.IfStmt{top}
	cur := top
	for {
		e := p.peek()
		if e.Type != tKeyword || e.Value != "else" {
			break
		}
		p.next()
		if cur == nil {
			panic(exprError{&elseError{pos: e.Pos, span: tokSpan(e)}})
		}
		if n := p.peek(); n.Type == tKeyword && n.Value == "if" {
			p.next()
			next := &ast.IfStmt{Span: ast.Span{Start: startPos(n)}, Cond: p.condition(), Then: p.block()}
			cur.Else = next
			cur = next
			chain = append(chain, next)
			continue
		}
		b := p.block()
		cur.Else = &ast.BlockStmt{Span: b.Span, Body: b}
		cur = nil
		top.Span.End = b.End
	}
	if cur != nil {
		top.Span.End = cur.Then.End
	}
	for _, st := range chain[1:] {
		st.Span.End = top.Span.End
	}
	return top
}

// forStmt parses `for ($var : @map) { ... }` and `for ($i : a..b)`, with
// or without the parentheses (bpftrace 0.24). A range's bounds are
// primary expressions, as bpftrace parses them: `(1+1)..(2*4)`.
func (p *exprParser) forStmt() ast.Stmt {
	start := p.next() // for
	paren := p.accept("(")
	v := p.loopName()
	p.expect(":")
	var m lexer.Token
	var from, to ast.Expr
	if t := p.peek(); t.Type == tMap && !p.rangeAhead() {
		m = p.next()
	} else {
		if !startsExpr(t) {
			p.unexpected("map")
		}
		from = p.primary()
		p.expect(".")
		p.expect(".")
		if !startsExpr(p.peek()) {
			p.unexpected("expression")
		}
		to = p.primary()
	}
	if paren {
		p.expect(")")
	}
	body := p.block()
	if v.Type != tVar {
		p.soft = append(p.soft, softError{span: tokSpan(v), msg: "syntax: expected variable in for loop"})
	}
	fs := &ast.ForStmt{Span: ast.Span{Start: startPos(start), End: body.End}, Body: body,
		Var: &ast.Variable{Span: tokSpan(v), Name: v.Value}, From: from, To: to}
	if from == nil {
		fs.Map = &ast.MapRef{Span: tokSpan(m), Name: m.Value}
	}
	return fs
}

// rangeAhead reports whether the @map at the parser's position starts a
// range bound (`@m[5]..10`, `@x..3`) rather than naming the map to loop
// over.
func (p *exprParser) rangeAhead() bool {
	n := p.toks[p.i+1]
	return !is(n, ")") && !is(n, "{")
}

// letStmt parses a declaration (bpftrace 0.22): `let $x;`, `let $x = v;`,
// `let $x: type;` or `let $x: type = v;`. gbt's variables live as long as
// their probe, so a declaration is the assignment it amounts to: of v
// (cast to the type, if one is given), or of a zero, as a declaration
// without a value starts its variable at 0. `let $x;` is marked Decl: its
// zero is of the type of the first value assigned to $x.
func (p *exprParser) letStmt() ast.Stmt {
	start := p.next() // let
	t := p.peek()
	if t.Type != tVar {
		p.unexpected("variable")
	}
	p.next()
	v := &ast.Variable{Span: tokSpan(t), Name: t.Value}
	var typ *ast.TypeExpr
	if p.accept(":") {
		if !isTypeStart(p.peek()) && p.peek().Type != tIdent {
			p.unexpected("type")
		}
		typ = p.typeName()
	}
	var rhs ast.Expr
	decl := false
	if n := p.peek(); n.Type == tPunct && n.Value == "=" {
		p.next()
		rhs = p.expr()
	} else {
		// The zero stands where the declaration names what it is.
		sp := v.Span
		if typ != nil {
			sp = typ.Span
		}
		rhs = &ast.IntLit{Span: sp, Raw: "0"}
		decl = typ == nil
	}
	if typ != nil {
		rhs = &ast.Cast{Span: ast.Span{Start: typ.Pos(), End: rhs.EndPos()}, Type: typ, X: rhs}
	}
	return &ast.AssignStmt{Span: ast.Span{Start: startPos(start), End: rhs.EndPos()}, LHS: v, Op: ast.OpAssign, RHS: rhs, Decl: decl, Let: true}
}

// loopName takes the $var or @map of a for loop (either kind; the wrong
// one is a soft error).
func (p *exprParser) loopName() lexer.Token {
	t := p.peek()
	if t.Type != tVar && t.Type != tMap {
		p.unexpected("variable")
	}
	return p.next()
}

// elseError is an else after the final else of an if.
type elseError struct {
	pos  lexer.Position
	span ast.Span
}

func (e *elseError) Error() string            { return e.Message() }
func (e *elseError) Message() string          { return "syntax: unexpected else" }
func (e *elseError) Position() lexer.Position { return e.pos }

// simple parses an expression statement, an assignment or a jump.
func (p *exprParser) simple() ast.Stmt {
	t := p.peek()
	if t.Type == tKeyword && (t.Value == "break" || t.Value == "continue" || t.Value == "return") {
		p.next()
		js := &ast.JumpStmt{Span: tokSpan(t), Keyword: t.Value}
		if t.Value == "return" && startsExpr(p.peek()) {
			js.Value = p.ternary()
			js.Span.End = js.Value.EndPos()
		}
		return js
	}
	x := p.ternary()
	opTok := p.peek()
	op := ast.LookupOp(opTok.Value)
	if opTok.Type != tPunct || !op.IsAssign() {
		return &ast.ExprStmt{Span: ast.Span{Start: x.Pos(), End: x.EndPos()}, X: x}
	}
	if id, ok := x.(*ast.Ident); ok && id.Name == "_" && op == ast.OpAssign {
		// `_ = v` (bpftrace 0.24) evaluates v and discards its value.
		p.next()
		rhs := p.expr()
		return &ast.ExprStmt{Span: ast.Span{Start: x.Pos(), End: rhs.EndPos()}, X: rhs}
	}
	switch x.(type) {
	case *ast.Variable, *ast.MapRef:
	case *ast.TupleIndex, *ast.Field:
		p.next()
		rhs := p.expr() // the newest bpftrace points at the whole assignment
		panic(exprError{&assignError{pos: t.Pos, span: ast.Span{Start: x.Pos(), End: rhs.EndPos()}, immutable: true}})
	default:
		panic(exprError{&assignError{pos: t.Pos, span: ast.Span{Start: x.Pos(), End: x.EndPos()}}})
	}
	p.next()
	rhs := p.expr()
	return &ast.AssignStmt{Span: ast.Span{Start: x.Pos(), End: rhs.EndPos()}, LHS: x, Op: op, RHS: rhs}
}

// assignError is an assignment to something that is not a variable or
// map: immutable when it is a tuple's element or a field ($t.0 = 5).
type assignError struct {
	pos       lexer.Position
	span      ast.Span
	immutable bool
}

func (e *assignError) Error() string { return e.Message() }
func (e *assignError) Message() string {
	if e.immutable { // the newest bpftrace's words
		return "syntax: Tuples and records are immutable once created. Consider creating a new value and assigning it instead."
	}
	return "syntax: only a $variable or an @map can be assigned to"
}

// hint is the HINT line under the error.
func (e *assignError) hint() string {
	if e.immutable {
		return "build the whole value again: $t = (5, $t.1)"
	}
	return "compare with ==; assign with $var = expr or @map[key] = expr"
}
func (e *assignError) Position() lexer.Position { return e.pos }
