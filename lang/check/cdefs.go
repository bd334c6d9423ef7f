package check

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// A script's C definitions (`struct A { int x[4]; }`) are laid out here as
// a C compiler lays them out on x86-64 and arm64, into the same records
// BTF gives (see runtime/btfconv): named struct members are known by name
// and size and resolved again by name where a script reaches into them;
// anonymous ones carry their fields. A script record hides the kernel's
// record of the same name, as in bpftrace.

// maxCDefDepth bounds the nesting of anonymous structs in a definition.
const maxCDefDepth = 16

// cdefs registers the records and enumerators of prog's C definitions, in
// order: a definition may use the ones before it.
func (c *checker) cdefs(defs []*ast.CDef) {
	c.records = map[string]types.Type{}
	for _, d := range defs {
		if d.Kind == "enum" {
			c.cdef(d)
			continue
		}
		name := d.Kind + " " + d.Name
		p := &cParser{c: c, toks: cTokens(d.Body)}
		p.packed, p.aligned = cAttributes(d.Attrs)
		if _, err := c.structRecord(name); err == nil {
			// A redefinition of a kernel type: as in bpftrace, the
			// kernel's types do not complete it.
			p.scriptOnly = true
		}
		rec, err := p.record(name, d.Kind == "union", 0)
		if err == nil && p.i < len(p.toks) {
			err = fmt.Errorf("unexpected '%s'", p.toks[p.i])
		}
		if err != nil {
			c.cdefError(d, name, err)
			continue
		}
		c.records[name] = rec
	}
}

// memberError is a mistake in one member of a C definition, in gbt's words
// and in clang's, which bpftrace prints for it.
type memberError struct {
	typ   string // the member's type as written: "struct thread_info"
	msg   string // gbt's words
	clang string // clang's words
	hint  string // how to fix it, or ""
}

func (e *memberError) Error() string { return e.msg }

// cdefError reports err, which laying out definition d (the record name)
// met: at the member it names when it is a memberError, with clang's words
// for it.
func (c *checker) cdefError(d *ast.CDef, name string, err error) {
	var me *memberError
	if !errors.As(err, &me) {
		c.errorf(d.Span, "cannot lay out %s: %v", name, err)
		return
	}
	span := d.Span
	for _, f := range d.Fields {
		if f.Type != nil && f.Type.Name == me.typ {
			span = f.Span
			break
		}
	}
	dg := c.errorf(span, "cannot lay out %s: %v", name, err)
	dg.C, dg.Hint = me.clang, me.hint
}

// cTokens splits a C member list into identifiers, numbers and
// punctuation; comments are skipped.
func cTokens(src string) []string {
	var toks []string
	for i := 0; i < len(src); {
		ch := src[i]
		switch {
		case isCSpace(ch):
			i++
		case strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return append(toks, "/*")
			}
			i += end + 4
		case isCWord(ch):
			j := i
			for j < len(src) && isCWord(src[j]) {
				j++
			}
			toks = append(toks, src[i:j])
			i = j
		default:
			toks = append(toks, src[i:i+1])
			i++
		}
	}
	return toks
}

func isCSpace(ch byte) bool { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' }

func isCWord(ch byte) bool {
	return ch == '_' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9'
}

// cParser reads the member list of one definition.
type cParser struct {
	c    *checker
	toks []string
	i    int
	char bool // the last specifier was C's char: its arrays are strings
	void bool // the last specifier was void: only pointers to it are members
	// scriptOnly: by-value struct members must be the script's own structs
	// (the definition redefines a kernel type).
	scriptOnly bool
	// packed and aligned are the definition's __attribute__((packed)) and
	// __attribute__((aligned(N))) (0: none); they lay out its own record.
	packed  bool
	aligned int
}

func (p *cParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *cParser) next() string {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

func (p *cParser) expect(t string) error {
	if got := p.next(); got != t {
		if got == "" {
			got = "end of definition"
		}
		return fmt.Errorf("expected '%s', found '%s'", t, got)
	}
	return nil
}

// layout accumulates the members of a record and their offsets.
type layout struct {
	rec     types.Type
	union   bool
	packed  bool // __attribute__((packed)): members at alignment 1
	aligned int  // __attribute__((aligned(N))), 0 for none
	bit     int  // next free bit (structs)
	size    int  // bytes (unions: the largest member)
	align   int
}

func (l *layout) add(f types.Field, bits, align int) {
	a := max(align, 1)
	if l.packed {
		a = 1
	}
	l.align = max(l.align, a)
	if l.union {
		f.Offset = 0
		l.size = max(l.size, f.Type.ByteSize())
		l.rec.Fields = append(l.rec.Fields, f)
		return
	}
	if bits > 0 {
		unit := 8 * f.Type.ByteSize()
		if l.bit/unit != (l.bit+bits-1)/unit {
			l.bit = alignUp(l.bit, unit)
		}
		f.Offset, f.BitOff, f.BitWidth = l.bit/8, l.bit%8, bits
		l.bit += bits
	} else {
		l.bit = alignUp(l.bit, 8*a)
		f.Offset = l.bit / 8
		l.bit += 8 * f.Type.ByteSize()
	}
	l.rec.Fields = append(l.rec.Fields, f)
}

func (l *layout) done() types.Type {
	size := l.size
	if !l.union {
		size = (l.bit + 7) / 8
	}
	l.rec.Size = alignUp(size, max(l.align, l.aligned, 1))
	return l.rec
}

// cAttributes reads what a definition's attributes say of its layout:
// packed, and aligned(N) (0 when absent or not a number).
func cAttributes(attrs string) (packed bool, aligned int) {
	toks := cTokens(attrs)
	for i, t := range toks {
		switch t {
		case "packed", "__packed__":
			packed = true
		case "aligned", "__aligned__":
			if i+2 < len(toks) && toks[i+1] == "(" {
				if n, err := strconv.Atoi(toks[i+2]); err == nil && n > 0 {
					aligned = n
				}
			}
		}
	}
	return packed, aligned
}

// record reads members up to the end of the tokens or a closing '}'.
func (p *cParser) record(name string, union bool, depth int) (types.Type, error) {
	if depth > maxCDefDepth {
		return types.Type{}, fmt.Errorf("anonymous structs nested too deep")
	}
	l := &layout{rec: types.Type{Kind: types.Record, Name: name}, union: union}
	if depth == 0 {
		l.packed, l.aligned = p.packed, p.aligned
	}
	for p.peek() != "" && p.peek() != "}" {
		if p.peek() == ";" {
			p.next()
			continue
		}
		base, anon, err := p.specifier(depth)
		if err != nil {
			return types.Type{}, err
		}
		if anon && (p.peek() == ";" || p.peek() == "}") {
			// An anonymous struct member: its members belong to the record.
			l.add(types.Field{Type: base}, 0, p.alignOf(base))
			n := len(l.rec.Fields) - 1
			off := l.rec.Fields[n].Offset
			l.rec.Fields = l.rec.Fields[:n]
			for _, f := range base.Fields {
				f.Offset += off
				l.rec.Fields = append(l.rec.Fields, f)
			}
			continue
		}
		for {
			f, bits, err := p.declarator(base)
			if err != nil {
				return types.Type{}, err
			}
			for _, g := range l.rec.Fields {
				if g.Name == f.Name {
					return types.Type{}, fmt.Errorf("duplicate member '%s'", f.Name)
				}
			}
			l.add(f, bits, p.alignOf(f.Type))
			if p.peek() != "," {
				break
			}
			p.next()
		}
		// bpftrace (through clang) takes a missing ';' before '}'.
		if p.peek() == "}" || p.peek() == "" {
			continue
		}
		if err := p.expect(";"); err != nil {
			return types.Type{}, err
		}
	}
	if len(l.rec.Fields) == 0 {
		return types.Type{}, fmt.Errorf("%s has no members", name)
	}
	return l.done(), nil
}

// specifier reads a member's type before its declarators: C integer words,
// a script or kernel struct or union by name, an anonymous struct or union
// body (anon), or an enum.
func (p *cParser) specifier(depth int) (t types.Type, anon bool, err error) {
	var words []string
	p.char, p.void = false, false
	for {
		switch w := p.peek(); w {
		case "const", "volatile":
			p.next()
			continue
		case "struct", "union":
			p.next()
			tag := ""
			if isIdent(p.peek()) {
				tag = p.next()
			}
			if p.peek() == "{" {
				p.next()
				name := w + " " + tag
				if tag == "" {
					name = w + " <anonymous>"
				}
				rec, err := p.record(name, w == "union", depth+1)
				if err != nil {
					return types.Type{}, false, err
				}
				if err := p.expect("}"); err != nil {
					return types.Type{}, false, err
				}
				if tag != "" {
					p.c.records[name] = rec
					return types.Type{Kind: types.Record, Name: name, Size: rec.Size}, false, nil
				}
				return rec, true, nil
			}
			if tag == "" {
				return types.Type{}, false, fmt.Errorf("expected a name or '{' after '%s'", w)
			}
			return p.named(w + " " + tag), false, nil
		case "enum":
			p.next()
			if isIdent(p.peek()) {
				p.next()
			}
			if p.peek() == "{" {
				for p.peek() != "}" && p.peek() != "" {
					p.next()
				}
				if err := p.expect("}"); err != nil {
					return types.Type{}, false, err
				}
			}
			return types.U32, false, nil
		}
		if !isIdent(p.peek()) {
			break
		}
		words = append(words, p.next())
		// A typedef name or the last integer word: the declarator follows
		// unless another integer word does.
		if !isIntWord(words[len(words)-1]) {
			break
		}
		if !isIntWord(p.peek()) {
			break
		}
	}
	if len(words) == 1 && words[0] == "void" {
		p.void = true
		return types.U8, false, nil // only pointers to it are members
	}
	if len(words) == 0 {
		return types.Type{}, false, fmt.Errorf("expected a type, found '%s'", p.peek())
	}
	name := strings.Join(words, " ")
	p.char = strings.HasSuffix(name, "char") && !strings.HasPrefix(name, "unsigned")
	if t, ok := basicType(strings.TrimSuffix(name, " int")); ok {
		return t, false, nil
	}
	if t, ok := basicType(name); ok {
		return t, false, nil
	}
	if t, ok := basicType(strings.TrimSuffix(strings.TrimPrefix(name, "__"), "_t")); ok {
		return t, false, nil
	}
	if n, ok := floatSizes[name]; ok {
		return types.NoneOf(n), false, nil
	}
	return types.Type{}, false, &memberError{typ: name,
		msg:   fmt.Sprintf("unknown type '%s'", name),
		clang: fmt.Sprintf("unknown type name '%s'", name)}
}

// named is a struct member of a struct known by name: by its size where a
// script or the kernel defines it, and its fields resolved again by name.
func (p *cParser) named(name string) types.Type {
	t := types.Type{Kind: types.Record, Name: name}
	if rec, ok := p.c.records[name]; ok {
		t.Size = rec.Size
	} else if p.scriptOnly {
		return t
	} else if rec, err := p.c.structRecord(name); err == nil {
		t.Size = rec.Size
	}
	return t
}

// alignOf is t's alignment; a struct known by name aligns as its fields do.
func (p *cParser) alignOf(t types.Type) int {
	switch {
	case t.Kind == types.Array:
		return p.alignOf(*t.Elem)
	case t.Kind == types.Record && len(t.Fields) == 0:
		if rec, ok := p.c.records[t.Name]; ok {
			return rec.Align()
		}
		if rec, err := p.c.structRecord(t.Name); err == nil {
			return rec.Align()
		}
	}
	return t.Align()
}

// declarator reads `*name[N][M] : bits` for a member of type base.
func (p *cParser) declarator(base types.Type) (types.Field, int, error) {
	t := base
	for p.peek() == "*" {
		p.next()
		t = types.PointerTo(t, types.AddrNone)
		for p.peek() == "const" || p.peek() == "volatile" {
			p.next()
		}
	}
	if p.void && t.Kind != types.Pointer {
		return types.Field{}, 0, fmt.Errorf("a member cannot be void")
	}
	name := p.next()
	if !isIdent(name) {
		return types.Field{}, 0, fmt.Errorf("expected a member name, found '%s'", name)
	}
	if t.Kind == types.Record && t.Size == 0 && len(t.Fields) == 0 {
		e := &memberError{typ: t.Name,
			msg:   fmt.Sprintf("member '%s' has incomplete type '%s'", name, t.Name),
			clang: fmt.Sprintf("field has incomplete type '%s'", t.Name),
			hint:  fmt.Sprintf("define %s in the script before this definition", t.Name)}
		if p.scriptOnly {
			e.hint += ": a script definition that redefines a kernel type takes only the script's types by value"
		}
		return types.Field{}, 0, e
	}
	var dims []int
	for p.peek() == "[" {
		p.next()
		if len(dims) == 0 && p.peek() == "]" {
			dims = append(dims, 0) // a flexible array member: data[]
			p.next()
			continue
		}
		n, err := strconv.ParseUint(p.next(), 0, 32)
		// The first length may be 0: GNU C's flexible array member, data[0].
		if err != nil || (n == 0 && len(dims) > 0) || n > 1<<16 {
			return types.Field{}, 0, fmt.Errorf("member '%s': array length must be a positive integer", name)
		}
		dims = append(dims, int(n))
		if err := p.expect("]"); err != nil {
			return types.Field{}, 0, err
		}
	}
	for i := len(dims) - 1; i >= 0; i-- {
		if i == len(dims)-1 && p.char && t.Kind == types.Int && dims[i] > 0 {
			t = types.StringOf(dims[i]) // bpftrace reads char arrays as strings
			t.CharArray = true
			continue
		}
		t = types.ArrayOf(t, dims[i])
	}
	if t.ByteSize() > 1<<20 {
		return types.Field{}, 0, fmt.Errorf("member '%s' is too large", name)
	}
	bits := 0
	if p.peek() == ":" {
		p.next()
		n, err := strconv.ParseUint(p.next(), 0, 8)
		if err != nil || n == 0 || t.Kind != types.Int || int(n) > t.Bits {
			return types.Field{}, 0, fmt.Errorf("member '%s': invalid bit-field width", name)
		}
		bits = int(n)
		t.Signed = false // bpftrace reads bit-fields as unsigned
	}
	return types.Field{Name: name, Type: t}, bits, nil
}

func isIdent(w string) bool {
	return w != "" && (w[0] == '_' || w[0] >= 'a' && w[0] <= 'z' || w[0] >= 'A' && w[0] <= 'Z')
}

// isIntWord reports whether w is one of the words of a C integer type name.
func isIntWord(w string) bool {
	switch w {
	case "unsigned", "signed", "char", "short", "int", "long", "_Bool", "bool":
		return true
	}
	return false
}

func alignUp(n, a int) int {
	if a <= 1 {
		return n
	}
	return (n + a - 1) / a * a
}

// floatSizes are the sizes of C's floating-point types: members of these
// types take their room in a struct and print null, as bpftrace's none
// type; gbt reads no floating-point value.
var floatSizes = map[string]int{"float": 4, "double": 8}
