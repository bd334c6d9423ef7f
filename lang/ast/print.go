package ast

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Format returns the canonical source of n: four-space indentation, one
// statement per line, parentheses only where precedence needs them.
// Comments are not kept. Parsing the result gives the same tree.
func Format(n Node) string {
	var p printer
	p.node(n)
	return p.b.String()
}

// Fprint writes the canonical source of n to w.
func Fprint(w io.Writer, n Node) error {
	_, err := io.WriteString(w, Format(n))
	return err
}

type printer struct {
	b      strings.Builder
	indent int
}

func (p *printer) printf(format string, args ...any) { fmt.Fprintf(&p.b, format, args...) }

func (p *printer) line(s string) {
	p.b.WriteString(strings.Repeat("    ", p.indent))
	p.b.WriteString(s)
	p.b.WriteByte('\n')
}

func (p *printer) node(n Node) {
	switch n := n.(type) {
	case *Program:
		p.program(n)
	case *Probe:
		p.probe(n)
	case *Block:
		p.block(n)
	case Stmt:
		p.stmt(n)
	case Expr:
		p.b.WriteString(ExprString(n))
	default:
		p.printf("%T", n)
	}
}

func (p *printer) program(prog *Program) {
	sep := false
	if prog.Shebang != "" {
		p.printf("#!%s\n", prog.Shebang)
	}
	for _, inc := range prog.Includes {
		if inc.System {
			p.printf("#include <%s>\n", inc.Path)
		} else {
			p.printf("#include \"%s\"\n", inc.Path)
		}
		sep = true
	}
	for _, m := range prog.Macros {
		p.printf("#define %s %s\n", m.Name, m.Value)
		sep = true
	}
	for _, d := range prog.CDefs {
		if sep {
			p.b.WriteByte('\n')
		}
		p.cdef(d)
		sep = true
	}
	if prog.Config != nil {
		if sep {
			p.b.WriteByte('\n')
		}
		p.line("config = {")
		p.indent++
		for _, it := range prog.Config.Items {
			p.line(it.Key + " = " + ExprString(it.Value) + ";")
		}
		p.indent--
		p.line("}")
		sep = true
	}
	for i, imp := range prog.Imports {
		if sep && i == 0 {
			p.b.WriteByte('\n')
		}
		p.line("import " + strconv.Quote(imp.Path) + ";")
		sep = true
	}
	for i, d := range prog.MapDecls {
		if sep && i == 0 {
			p.b.WriteByte('\n')
		}
		p.line(fmt.Sprintf("let %s = %s(%d);", d.Name, d.Kind, d.MaxEntries))
		sep = true
	}
	for _, m := range prog.MacroDefs {
		if sep {
			p.b.WriteByte('\n')
		}
		p.macroDef(m)
		sep = true
	}
	for _, pr := range prog.Probes {
		if sep {
			p.b.WriteByte('\n')
		}
		p.probe(pr)
		sep = true
	}
}

// cdefHead is a definition's keyword and name: "struct x", or "enum" for
// an anonymous enum.
func cdefHead(d *CDef) string {
	if d.Name == "" {
		return d.Kind
	}
	return d.Kind + " " + d.Name
}

func (p *printer) cdef(d *CDef) {
	if len(d.Fields) == 0 {
		// Not a simple member list (nested types, function pointers...):
		// keep the body as written.
		p.printf("%s {%s}%s;\n", cdefHead(d), d.Body, attrs(d))
		return
	}
	p.printf("%s {\n", cdefHead(d))
	p.indent++
	for _, f := range d.Fields {
		if d.Kind == "enum" {
			if f.Value != nil {
				p.line(f.Name + " = " + ExprString(f.Value) + ",")
			} else {
				p.line(f.Name + ",")
			}
			continue
		}
		s := TypeString(f.Type)
		if !strings.HasSuffix(s, "*") {
			s += " "
		}
		s += f.Name
		if f.ArrayN > 0 {
			s += fmt.Sprintf("[%d]", f.ArrayN)
		}
		if f.Bits > 0 {
			s += fmt.Sprintf(" : %d", f.Bits)
		}
		p.line(s + ";")
	}
	p.indent--
	p.line("}" + attrs(d) + ";")
}

// attrs is a definition's attributes as printed after its closing brace.
func attrs(d *CDef) string {
	if d.Attrs == "" {
		return ""
	}
	return " " + d.Attrs
}

func (p *printer) probe(pr *Probe) {
	names := make([]string, len(pr.Points))
	for i, ap := range pr.Points {
		names[i] = ap.Raw
	}
	head := strings.Join(names, ", ")
	if pr.Predicate != nil {
		pred := ExprString(pr.Predicate)
		if strings.HasPrefix(pred, "*") {
			pred = " " + pred // "/*" would open a comment
		}
		head += " /" + pred + "/"
	}
	p.b.WriteString(strings.Repeat("    ", p.indent))
	p.b.WriteString(head + " ")
	p.blockBody(pr.Body)
	p.b.WriteByte('\n')
}

// blockBody prints "{", the statements indented, and "}" without a newline.
func (p *printer) blockBody(b *Block) {
	if len(b.Stmts) == 0 {
		p.b.WriteString("{\n")
		p.b.WriteString(strings.Repeat("    ", p.indent) + "}")
		return
	}
	p.b.WriteString("{\n")
	p.indent++
	for _, s := range b.Stmts {
		p.stmt(s)
	}
	p.indent--
	p.b.WriteString(strings.Repeat("    ", p.indent) + "}")
}

func (p *printer) block(b *Block) {
	p.b.WriteString(strings.Repeat("    ", p.indent))
	p.blockBody(b)
	p.b.WriteByte('\n')
}

func (p *printer) stmt(s Stmt) {
	ind := strings.Repeat("    ", p.indent)
	switch s := s.(type) {
	case *ExprStmt:
		x := ExprString(s.X)
		if strings.HasPrefix(x, "{") {
			x = "_ = " + x // a block expression, not a block statement
		}
		p.line(x + ";")
	case *AssignStmt:
		if s.Decl {
			p.line("let " + ExprString(s.LHS) + ";")
			break
		}
		let := ""
		if s.Let {
			let = "let "
			if c, ok := s.RHS.(*Cast); ok && DeclaredZero(c) {
				// let $v: T; which the parser makes a cast of a zero at
				// the type's place: (A[1])0 would not parse back.
				p.line(let + ExprString(s.LHS) + ": " + TypeString(c.Type) + ";")
				break
			}
		}
		p.line(let + ExprString(s.LHS) + " " + s.Op.String() + " " + ExprString(s.RHS) + ";")
	case *IfStmt:
		p.b.WriteString(ind)
		p.ifChain(s)
		p.b.WriteByte('\n')
	case *UnrollStmt:
		p.b.WriteString(ind + "unroll (" + ExprString(s.Count) + ") ")
		p.blockBody(s.Body)
		p.b.WriteByte('\n')
	case *WhileStmt:
		p.b.WriteString(ind + "while (" + ExprString(s.Cond) + ") ")
		p.blockBody(s.Body)
		p.b.WriteByte('\n')
	case *ForStmt:
		if s.Map == nil {
			p.b.WriteString(ind + "for (" + s.Var.Name + " : " + rangeBound(s.From) + ".." + rangeBound(s.To) + ") ")
		} else {
			p.b.WriteString(ind + "for (" + s.Var.Name + " : " + s.Map.Name + ") ")
		}
		p.blockBody(s.Body)
		p.b.WriteByte('\n')
	case *JumpStmt:
		if s.Value != nil {
			p.line(s.Keyword + " " + ExprString(s.Value) + ";")
		} else {
			p.line(s.Keyword + ";")
		}
	case *BlockStmt:
		p.block(s.Body)
	case *valueStmt:
		p.line(ExprString(s.X))
	default:
		p.line(fmt.Sprintf("/* %T */", s))
	}
}

func (p *printer) ifChain(s *IfStmt) {
	p.b.WriteString("if (" + ExprString(s.Cond) + ") ")
	p.blockBody(s.Then)
	switch e := s.Else.(type) {
	case *IfStmt:
		p.b.WriteString(" else ")
		p.ifChain(e)
	case *BlockStmt:
		p.b.WriteString(" else ")
		p.blockBody(e.Body)
	}
}

// Precedence levels for printing (higher binds tighter).
const (
	precTernary = 1
	precPrefix  = 13
	precPostfix = 14
	precAtom    = 15
)

// binPrec is the printing precedence of a binary operator: its parsing
// precedence, above the ternary's.
func binPrec(op Op) int { return precTernary + op.Precedence() }

func exprPrec(e Expr) int {
	switch e := e.(type) {
	case *Ternary:
		return precTernary
	case *Binary:
		return binPrec(e.Op)
	case *Unary:
		if e.Postfix {
			return precPostfix
		}
		return precPrefix
	case *Cast:
		return precPrefix
	case *Field, *TupleIndex, *Index:
		return precPostfix
	}
	return precAtom
}

// ExprString returns the canonical source of an expression.
func ExprString(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

// wrap writes e, parenthesized when its precedence is below min.
func wrap(b *strings.Builder, e Expr, min int) {
	if exprPrec(e) < min {
		b.WriteByte('(')
		writeExpr(b, e)
		b.WriteByte(')')
		return
	}
	writeExpr(b, e)
}

func writeList(b *strings.Builder, es []Expr) {
	for i, e := range es {
		if i > 0 {
			b.WriteString(", ")
		}
		writeExpr(b, e)
	}
}

func writeExpr(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case *BlockExpr:
		writeBlockExpr(b, e)
	case *IntLit:
		b.WriteString(e.Raw)
	case *StrLit:
		b.WriteString(quote(e.Value))
	case *BoolLit:
		b.WriteString(strconv.FormatBool(e.Value))
	case *Ident:
		b.WriteString(e.Name)
	case *Variable:
		b.WriteString(e.Name)
	case *Positional:
		if e.Count {
			b.WriteString("$#")
		} else {
			fmt.Fprintf(b, "$%d", e.Index)
		}
	case *MapRef:
		b.WriteString(e.Name)
		if e.Keys != nil {
			b.WriteByte('[')
			writeList(b, e.Keys)
			b.WriteByte(']')
		}
	case *Call:
		b.WriteString(e.Name)
		b.WriteByte('(')
		writeList(b, e.Args)
		b.WriteByte(')')
	case *Unary:
		if e.Postfix {
			wrap(b, e.X, precPostfix)
			b.WriteString(e.Op.String())
			return
		}
		op := e.Op.String()
		b.WriteString(op)
		// Keep "- -x" and "&&x"-like sequences from gluing into other tokens.
		last := op[len(op)-1]
		if inner, ok := e.X.(*Unary); ok && !inner.Postfix && inner.Op.String()[0] == last && (last == '-' || last == '+' || last == '&') {
			b.WriteByte(' ')
		}
		wrap(b, e.X, precPrefix)
	case *Binary:
		p := binPrec(e.Op)
		wrap(b, e.X, p)
		b.WriteString(" " + e.Op.String() + " ")
		wrap(b, e.Y, p+1)
	case *Ternary:
		wrap(b, e.Cond, precTernary+1)
		if e.Then == nil { // a ?: b
			b.WriteString(" ?: ")
			wrap(b, e.Else, precTernary)
			return
		}
		b.WriteString(" ? ")
		wrap(b, e.Then, precTernary)
		b.WriteString(" : ")
		wrap(b, e.Else, precTernary)
	case *Record:
		writeRecord(b, e)
	case *Cast:
		b.WriteString("(" + TypeString(e.Type) + ")")
		wrap(b, e.X, precPrefix)
	case *Field:
		wrap(b, e.X, precPostfix)
		if e.Arrow {
			b.WriteString("->")
		} else {
			b.WriteByte('.')
		}
		b.WriteString(e.Name)
	case *TupleIndex:
		wrap(b, e.X, precPostfix)
		fmt.Fprintf(b, ".%d", e.Index)
	case *Index:
		wrap(b, e.X, precPostfix)
		b.WriteByte('[')
		writeExpr(b, e.Index)
		b.WriteByte(']')
	case *Tuple:
		b.WriteByte('(')
		writeList(b, e.Elems)
		b.WriteByte(')')
	case *Sizeof:
		b.WriteString("sizeof(")
		if e.Type != nil {
			b.WriteString(TypeString(e.Type))
		} else {
			writeExpr(b, e.X)
		}
		b.WriteByte(')')
	case *Offsetof:
		b.WriteString("offsetof(" + TypeString(e.Type) + ", " + strings.Join(e.Field, ".") + ")")
	case *TypeArg:
		b.WriteString(typeArgString(e))
	default:
		fmt.Fprintf(b, "/* %T */", e)
	}
}

// TypeString renders a type expression: "struct task_struct *", "uint8[4]".
func TypeString(t *TypeExpr) string {
	s := t.Name
	if t.Of != nil {
		s = "typeof(" + ExprString(t.Of) + ")"
	}
	if t.Ptr > 0 {
		s += " " + strings.Repeat("*", t.Ptr)
	}
	switch {
	case t.ArrayN > 0:
		s += fmt.Sprintf("[%d]", t.ArrayN) + strings.Repeat("*", t.ArrayPtr)
	case t.ArrayN < 0:
		s += "[]"
	}
	return s
}

// DeclaredZero reports whether c is the zero a `let $v: T;` declaration
// is given: the parser places it at the type's span.
func DeclaredZero(c *Cast) bool {
	lit, ok := c.X.(*IntLit)
	return ok && lit.Value == 0 && lit.Span == c.Type.Span
}

// quote renders a string literal with C escapes.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		default:
			if c < 0x20 || c >= 0x7f {
				fmt.Fprintf(&b, `\x%02x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// rangeBound prints a bound of a for range, which bpftrace parses as a
// primary expression: anything but a literal, a variable or a call is
// parenthesized.
func rangeBound(e Expr) string {
	switch e.(type) {
	case *IntLit, *Variable, *Call, *Positional:
		return ExprString(e)
	}
	return "(" + ExprString(e) + ")"
}
