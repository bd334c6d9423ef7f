package check

import (
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
)

// Casts to and from arrays, as the newest bpftrace (0.21 and later) has
// them: (int8[8])x sees the bytes of x as eight int8 elements, (int8[])x as
// many as x's bytes hold; (uint32)a reads an array of four bytes as one
// integer. A `let $v: T[N];` declaration is the cast of a zero at the
// type's place (see the parser's letStmt): it makes a zeroed array of any
// element type.

// arrayCast types (T[N])x and (T[])x, with x of type t. The elements are
// integers; x is an integer at most 8 bytes wide, whose bytes are widened
// with zeros to fill an array of at most 8 bytes, or a string or array of
// the array's size.
func (c *checker) arrayCast(e *ast.Cast, t types.Type) types.Type {
	if ast.DeclaredZero(e) {
		return c.declaredArray(e)
	}
	if lt, ok := c.literalSize(e.X); ok && c.cfg.Compat.Has(compat.SizedLiteralVars) {
		// An integer literal is as wide as the newest bpftrace makes it:
		// (int8[])12345 has 2 elements, (int8[8])-1 is [-1,0,0,...].
		t = lt
		c.info.Types[e.X] = lt // codegen stores the literal's bytes only
	}
	elem, ok := basicType(e.Type.Name)
	if !ok || e.Type.Ptr > 0 {
		c.errorf(castSpan(e), "Cannot cast from \"%s\" to \"%s\"", t, ast.TypeString(e.Type)).
			Hint = "arrays cast from a value hold integers: (int8[8]), (uint32[])"
		return types.Type{}
	}
	n := e.Type.ArrayN
	if n < 0 {
		if t.ByteSize()%elem.ByteSize() != 0 || t.ByteSize() == 0 {
			c.errorf(castSpan(e), "Cannot determine array size: the element size is incompatible with the cast integer size")
			return types.Type{}
		}
		n = t.ByteSize() / elem.ByteSize()
	}
	to := types.ArrayOf(elem, n)
	fits := false
	switch {
	case t.IsInt():
		size := t.ByteSize()
		if t.Kind == types.Bool {
			size = 1
		}
		fits = to.ByteSize() == size || (to.ByteSize() <= 8 && to.ByteSize() > size)
	case t.Kind == types.String, t.Kind == types.Array:
		fits = to.ByteSize() == t.ByteSize()
	}
	if !fits {
		c.errorf(castSpan(e), "Cannot cast from \"%s\" to \"%s\"", t, to)
		return types.Type{}
	}
	c.warnUnnecessary(e, t, to)
	return to
}

// warnUnnecessary warns, as the newest bpftrace does, about a cast of x,
// of type t, to the type x already has, to: a string or an array (the
// cases of integers and pointers are the cast's own). Not a declaration's
// type (let $x: string[8] = ...), nor a cast a macro's text makes.
func (c *checker) warnUnnecessary(e *ast.Cast, t, to types.Type) {
	if e.Span.Start == e.Type.Span.Start || e.Span.Origin != nil {
		return
	}
	if from, ok := c.castFrom(e.X, t); ok && from.String() == to.String() {
		c.warnf(castSpan(e), "Unnecessary cast: expression is already of type %s", to)
	}
}

// arrayPointerCast types (T[N]*)x, a pointer to an array of N T (C's
// T (*p)[N]), from an integer or another pointer: *p is the array, read
// where p points, as bpftrace reads it.
func (c *checker) arrayPointerCast(e *ast.Cast, t types.Type) types.Type {
	if !t.IsInt() && t.Kind != types.Pointer {
		c.errorf(spanOf(e), "Cannot cast from \"%s\" to \"%s\"", t, ast.TypeString(e.Type))
		return types.Type{}
	}
	elem, ok := intTypedef(e.Type.Name)
	if ok {
		for range e.Type.Ptr {
			elem = types.PointerTo(elem, types.AddrNone)
		}
	} else if elem, ok = c.namedType(&ast.TypeExpr{Span: e.Type.Span, Name: e.Type.Name, Ptr: e.Type.Ptr}); !ok {
		return types.Type{}
	}
	as := castAddrSpace(t)
	pt := types.PointerTo(types.ArrayOf(elem, e.Type.ArrayN), as)
	for i := 1; i < e.Type.ArrayPtr; i++ {
		pt = types.PointerTo(pt, as)
	}
	return pt
}

// castAddrSpace is the address space of a pointer cast from a value of
// type t: a pointer's own, kernel memory for the context (in uprobes
// too), else where the probe's addresses point (codegen decides: user
// memory in uprobes), as in bpftrace.
func castAddrSpace(t types.Type) types.AddrSpace {
	switch t.Kind {
	case types.Pointer:
		return t.AddrSpace
	case types.Context:
		return types.Kernel
	}
	return types.AddrNone
}

// stringCast types (string[N])x (the newest bpftrace's): x is a string of
// at most N bytes, made an N-byte string; `let $s: string[N];` declares an
// empty one.
func (c *checker) stringCast(e *ast.Cast, t types.Type) types.Type {
	to := ast.TypeString(e.Type)
	if e.Type.Ptr == 0 && e.Type.ArrayN > 0 {
		if ast.DeclaredZero(e) {
			return types.StringOf(e.Type.ArrayN)
		}
		if t.Kind == types.String && t.ByteSize() <= e.Type.ArrayN {
			to := types.StringOf(e.Type.ArrayN)
			c.warnUnnecessary(e, t, to)
			return to
		}
		to = types.StringOf(e.Type.ArrayN).String()
	}
	c.errorf(castSpan(e), "Cannot cast from \"%s\" to \"%s\"", t, to)
	return types.Type{}
}

// literalSize is the type the newest bpftrace gives x when x is an
// integer literal, or an operator on literals: the smallest signed
// integer holding it, a uint64 past math.MaxInt64.
func (c *checker) literalSize(x ast.Expr) (types.Type, bool) {
	v, ok := c.info.Consts[x]
	if !ok || !literalInt(x) || c.info.Types[x].Kind != types.Int {
		return types.Type{}, false
	}
	if t := c.info.Types[x]; !t.Signed && t.Bits == 64 && v < 0 {
		return types.U64, true
	}
	return types.IntOf(signedBits(v), true), true
}

// declaredArray types the zeroed array of `let $v: T[N];`: T is an
// integer, a pointer or a struct.
func (c *checker) declaredArray(e *ast.Cast) types.Type {
	if e.Type.ArrayN < 0 {
		c.errorf(spanOf(e.Type), "Could not determine size of the array")
		return types.Type{}
	}
	elem, ok := c.namedType(&ast.TypeExpr{Span: e.Type.Span, Name: e.Type.Name, Ptr: e.Type.Ptr})
	if !ok {
		return types.Type{}
	}
	to := types.ArrayOf(elem, e.Type.ArrayN)
	if to.ByteSize() > maxValueRecord {
		c.errorf(spanOf(e.Type), "%s is %d bytes: gbt keeps arrays of up to %d bytes in variables", to, to.ByteSize(), maxValueRecord)
		return types.Type{}
	}
	return to
}

// namedType resolves a type written in a script: an integer, a struct or
// union (whole, to be held as a value), or a pointer to either.
func (c *checker) namedType(te *ast.TypeExpr) (types.Type, bool) {
	t, ok := basicType(te.Name)
	if !ok {
		rec, found := c.namedRecord(te.Name, spanOf(te))
		if !found {
			return types.Type{}, false
		}
		if te.Ptr > 0 {
			t = types.Type{Kind: types.Record, Name: te.Name, Size: rec.Size}
		} else if t, ok = c.valueRecord(rec, spanOf(te)); !ok {
			return types.Type{}, false
		}
	}
	for i := 0; i < te.Ptr; i++ {
		t = types.PointerTo(t, types.AddrNone)
	}
	return t, true
}

// arrayToInt reports whether an array of type t may be cast to the
// integer type to: it must be as wide.
func arrayToInt(t, to types.Type) bool {
	return t.Kind == types.Array && t.ByteSize() == to.ByteSize()
}

// tupleIndex types t[i] of a tuple t (bpftrace 0.24): i must be constant,
// and t[i] stands for t.i, which codegen compiles in its place.
func (c *checker) tupleIndex(e *ast.Index, t types.Type) types.Type {
	v, ok := c.info.Consts[e.Index]
	if !ok {
		c.errorf(spanOf(e.Index), "The array index operator [] takes a constant index on a tuple").
			Hint = "a tuple's elements have types of their own: index it with a literal, t[1] or t.1"
		return types.Type{}
	}
	if v < 0 || v >= int64(len(t.Elems)) {
		c.errorf(spanOf(e), "Invalid tuple index: %d. Found %d elements in tuple.", v, len(t.Elems))
		return types.Type{}
	}
	if c.info.Expansions == nil {
		c.info.Expansions = map[ast.Expr]ast.Expr{}
	}
	x, ok := c.info.Expansions[e]
	if !ok {
		x = &ast.TupleIndex{Span: e.Span, X: e.X, Index: int(v)}
		c.info.Expansions[e] = x
	}
	return c.expr(x)
}
