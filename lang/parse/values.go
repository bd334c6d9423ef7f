package parse

import (
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gbt-dev/gbt/lang/ast"
)

// recordAhead reports whether the tokens after a '(' start a record
// literal: a name, then '='.
func (p *exprParser) recordAhead() bool {
	t, n := p.peek(), p.toks[p.i+1]
	return (t.Type == tIdent || t.Type == tTypeWord) && n.Type == tPunct && n.Value == "="
}

// record parses the fields of a record literal after its '(':
// `name = value, ...)`.
func (p *exprParser) record(open lexer.Token) ast.Expr {
	r := &ast.Record{}
	seen := map[string]bool{}
	for {
		name := p.peek()
		if name.Type != tIdent && name.Type != tTypeWord {
			p.unexpected("field name")
		}
		p.next()
		p.expect("=")
		if seen[name.Value] {
			p.failAt(name, "duplicate field name %s in record", name.Value)
		}
		seen[name.Value] = true
		r.Fields = append(r.Fields, ast.RecordField{Name: name.Value, NameSpan: tokSpan(name), Value: p.expr()})
		if !p.accept(",") {
			break
		}
	}
	end := p.expect(")")
	r.Span = ast.Span{Start: startPos(open), End: endPos(end)}
	return r
}
