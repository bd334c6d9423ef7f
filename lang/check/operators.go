package check

import (
	"cmp"
	"fmt"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/types"
)

func (c *checker) unary(e *ast.Unary) types.Type {
	switch e.Op {
	case ast.OpInc, ast.OpDec:
		switch x := e.X.(type) {
		case *ast.Variable:
			t := c.expr(x)
			if t.IsValid() && !compoundOK(e.Op, t, types.I64) {
				c.errorf(spanOf(e), "The %s operator can not be used on expressions of type '%s'", e.Op, t)
			} else if v, _ := c.lookupVar(x); v != nil {
				if st, sized := c.sized(v.Type, spanOf(x)); sized {
					v.Type = st
				}
				if plainInt(&v.Type) {
					c.widened = true
				}
				given := v.Type
				if c.compoundSigned(e.Op, given, nil, types.Type{}) {
					given = types.I64 // $x-- of unsigned $x: signed, as $x = $x - 1
				}
				c.growIntVar(x, v, nil, given, true)
				c.noteVarSize(x, nil, v.Type, true)
				t = v.Type
			}
			return t
		case *ast.MapRef:
			key := c.mapKey(x)
			val := types.I64
			if m := c.info.Maps[x.Name]; m != nil && m.Value.IsValid() {
				val = m.Value
				if !compoundOK(e.Op, val, types.I64) {
					c.errorf(spanOf(e), "The %s operator can not be used on expressions of type '%s'", e.Op, aggOrType(val))
					return types.Type{}
				}
				if st, sized := c.sized(val, spanOf(x)); sized {
					m.Value, val = st, st
				}
				if plainInt(&m.Value) {
					val, c.widened = m.Value, true
				}
				if c.compoundSigned(e.Op, val, nil, types.Type{}) {
					val = types.I64 // @x-- of unsigned @x: signed
				}
			}
			c.defineMap(x, key, val)
			c.info.Types[x] = val
			return val
		}
		c.errorf(spanOf(e), "The %s operator must be applied to a map or variable", e.Op)
		return types.Type{}
	}
	t := c.expr(e.X)
	if !t.IsValid() {
		return t
	}
	switch e.Op {
	case ast.OpNot, ast.OpCompl, ast.OpSub:
		if !t.IsInt() {
			c.errorf(ast.Span{Start: e.Pos(), End: e.X.Pos()}, "The %s operator can not be used on expressions of type '%s'", e.Op, t)
			return types.Type{}
		}
		if t, ok := c.foldIntUnary(e); ok {
			return t
		}
		// -x and ~x keep x's width and sign, as in both bpftraces:
		// -(uint32)1 is 4294967295, ~(uint16)3 is 65532.
		res := types.IntOf(cmp.Or(t.Bits, 64), t.Signed)
		switch _, lit := e.X.(*ast.IntLit); {
		case e.Op == ast.OpNot:
			res = types.Boolean
		case lit && e.Op == ast.OpCompl:
			res = types.U64 // the newest bpftrace's literals are unsigned: ~10 is 2^64-11
		case lit:
			res = types.I64
		}
		if v, ok := c.info.Consts[e.X]; ok {
			switch e.Op {
			case ast.OpNot:
				c.setConst(e, b2i(v == 0))
			case ast.OpCompl:
				c.setConst(e, truncate(^v, res))
			case ast.OpSub:
				c.setConst(e, truncate(-v, res))
			}
		}
		return res
	case ast.OpMul:
		switch t.Kind {
		case types.Pointer:
			if t.Ctx {
				for _, f := range t.Elem.Fields {
					if f.Type.Kind == types.String && f.Type.Len == -1 {
						c.errorf(spanOf(e), "gbt cannot copy %s as a value: its field %s is a __data_loc string", t.Elem.Name, f.Name).
							Hint = fmt.Sprintf("read the fields one by one, e.g. str(args->%s)", f.Name)
						return types.Type{}
					}
				}
			}
			if t.Elem.Kind == types.Record {
				rec, ok := c.derefRecord(e, *t.Elem)
				if !ok {
					return types.Type{}
				}
				return rec
			}
			return *t.Elem
		case types.Int:
			return types.I64
		}
		c.errorf(spanOf(e), "The * operator can not be used on expressions of type '%s'", t)
		return types.Type{}
	case ast.OpAnd:
		if _, ok := e.X.(*ast.Variable); ok && t.ByteSize() > 0 {
			// &$x (bpftrace 0.24): the address of the variable's slot on
			// the BPF stack, read like kernel memory.
			return types.PointerTo(t, types.Kernel)
		}
		c.errorf(spanOf(e), "The & operator can only take the address of a variable").
			Hint = "store the value in a variable first: $v = ...; &$v"
		return types.Type{}
	}
	return types.Type{}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// literalLengthWarning warns, as bpftrace 0.17, when a string is compared
// with a literal longer than the string can hold.
func (c *checker) literalLengthWarning(e *ast.Binary, lt, rt types.Type) {
	lit, ok := e.Y.(*ast.StrLit)
	st := lt
	if !ok {
		lit, ok = e.X.(*ast.StrLit)
		st = rt
	}
	if !ok || st.Len == -1 || len(lit.Value) <= st.Size {
		return
	}
	if _, both := e.X.(*ast.StrLit); both {
		if _, both = e.Y.(*ast.StrLit); both {
			return
		}
	}
	c.warnf(spanOf(e), "The literal is longer than the variable string (size=%d), condition will always be false", st.Size)
}

// warnf records a warning of this pass.
func (c *checker) warnf(span ast.Span, format string, args ...any) *diag.Diagnostic {
	return c.warnings.Warnf(span, format, args...)
}

// signWarnings warns, as bpftrace 0.17 does, about integer operations whose
// result depends on signedness: operands of different signs (not when
// they are joined, compat.SignedIntJoin), and signed
// operands of / and % (BPF divides unsigned). A literal that is not
// negative counts as unsigned.
func (c *checker) signWarnings(e *ast.Binary, lt, rt types.Type, span ast.Span) {
	lsign, rsign := lt.Signed, rt.Signed
	unsignedLit := func(x ast.Expr) bool { _, ok := x.(*ast.IntLit); return ok }
	if lsign != rsign && !c.info.joinSigned { // joined, the operation is signed
		switch {
		case lsign && unsignedLit(e.X):
			lsign = false
		case rsign && unsignedLit(e.Y):
			rsign = false
		case e.Op.IsComparison():
			c.warnf(span, "comparison of integers of different signs: '%s' and '%s' can lead to undefined behavior", lt.BpftraceName(), rt.BpftraceName())
		case e.Op.Class() == ast.ClassArithmetic:
			c.warnf(span, "arithmetic on integers of different signs: '%s' and '%s' can lead to undefined behavior", lt.BpftraceName(), rt.BpftraceName())
		}
	}
	if !e.Op.DividesUnsigned() {
		return
	}
	if c.signedConstDivision(e) {
		return // folded as C divides: nothing is undefined
	}
	if (lsign && !unsignedLit(e.X) && !c.unsignedDifference(e.X)) || (rsign && !unsignedLit(e.Y) && !c.unsignedDifference(e.Y)) {
		c.warnf(span, "signed operands for '%s' can lead to undefined behavior (cast to unsigned to silence warning)", e.Op).
			WithHint("BPF divides unsigned: -7 / 2 is 9223372036854775804; cast a value known to be positive, e.g. (uint64)$x / 2")
	}
}

// binary checks e. A long chain (1+1+...+1, a || b || ...) nests to the
// left: its left spine is walked in a loop, innermost first, rather than
// by recursion, so that a 100 000-term sum costs no 100 000 stack frames
// (each megabytes of stack to grow and fault in).
func (c *checker) binary(e *ast.Binary) types.Type {
	spine := []*ast.Binary{e}
	for x, ok := e.X.(*ast.Binary); ok; x, ok = x.X.(*ast.Binary) {
		spine = append(spine, x)
	}
	first := spine[len(spine)-1].X
	lt := c.aggValue(first, c.expr(first))
	for i := len(spine) - 1; i > 0; i-- {
		lt = c.binaryWith(spine[i], lt)
		c.info.Types[spine[i]] = lt // as expr records it
	}
	return c.binaryWith(e, lt)
}

// binaryWith checks e, its left operand's type lt already known.
func (c *checker) binaryWith(e *ast.Binary, lt types.Type) types.Type {
	rt := c.aggValue(e.Y, c.expr(e.Y))
	if !lt.IsValid() || !rt.IsValid() {
		return types.Type{}
	}
	if lt.Kind == types.String || rt.Kind == types.String {
		if t, ok := c.foldStrings(e, lt, rt); ok {
			return t
		}
	}
	opSpan := c.binarySpan(e)
	switch {
	case lt.IsInt() && rt.IsInt():
		if t, ok := c.foldIntLiterals(e); ok {
			return t
		}
		c.signWarnings(e, lt, rt, opSpan)
		c.foldBinary(e)
		if e.Op.YieldsBool() {
			return types.Boolean
		}
		return types.IntOf(64, c.signedOp(e, lt, rt))
	case lt.Kind == types.String && rt.Kind == types.String:
		if e.Op == ast.OpEql || e.Op == ast.OpNeq {
			c.literalLengthWarning(e, lt, rt)
			return types.Boolean
		}
		c.errorf(opSpan, "The %s operator can not be used on expressions of types %s, %s", e.Op, lt, rt)
		return types.Type{}
	case lt.Kind == types.Buffer && rt.Kind == types.Buffer && (e.Op == ast.OpEql || e.Op == ast.OpNeq):
		return types.Boolean // length and bytes, as bpftrace compares buffers
	case lt.Kind == types.Username && rt.Kind == types.Username && (e.Op == ast.OpEql || e.Op == ast.OpNeq):
		return types.Boolean // the uids, as the newest bpftrace compares two usernames
	case (lt.Kind == types.Ksym || lt.Kind == types.Probe) && rt.Kind == lt.Kind && (e.Op == ast.OpEql || e.Op == ast.OpNeq):
		return types.Boolean // the addresses, the probes' indexes: func == func(), probe == probe()
	case lt.Kind == types.Tuple && rt.Kind == types.Tuple && (e.Op == ast.OpEql || e.Op == ast.OpNeq):
		return c.tupleCompare(e, lt, rt)
	case lt.Kind == types.Array && rt.Kind == types.Array && lt.Equal(rt) && (e.Op == ast.OpEql || e.Op == ast.OpNeq):
		return types.Boolean // element by element, as bpftrace compares arrays
	case lt.Kind == types.Buffer && rt.Kind == types.Buffer && (e.Op == ast.OpEql || e.Op == ast.OpNeq):
		return types.Boolean // equal lengths and bytes
	case lt.Kind == types.Pointer && rt.IsInt() && e.Op.MovesPointer():
		return c.pointerArith(lt, spanOf(e.X))
	case lt.IsInt() && rt.Kind == types.Pointer && e.Op == ast.OpAdd:
		return c.pointerArith(rt, spanOf(e.Y))
	case lt.Kind == types.Pointer && rt.Kind == types.Pointer && e.Op.IsComparison():
		return types.Boolean
	case (lt.Kind == types.Pointer && rt.IsInt()) || (lt.IsInt() && rt.Kind == types.Pointer):
		if e.Op.YieldsBool() {
			return types.Boolean
		}
		c.errorf(opSpan, "The %s operator can not be used on expressions of types %s, %s", e.Op, lt, rt)
		return types.Type{}
	case lt.Kind == types.String && rt.IsInt() && e.Op == ast.OpAdd && c.textParam != nil && e.X == ast.Expr(c.textParam):
		return c.paramOffset(e)
	case lt.Kind == types.Pointer || rt.Kind == types.Pointer:
		d := c.errorf(opSpan, "The %s operator can not be used on expressions of types %s, %s", e.Op, lt, rt)
		if e.Op == ast.OpSub && lt.Kind == types.Pointer && rt.Kind == types.Pointer {
			d.Hint = "to subtract addresses, cast both to integers: (uint64)a - (uint64)b"
		}
		return types.Type{}
	}
	for _, x := range [2]ast.Expr{e.X, e.Y} {
		if p, ok := x.(*ast.Positional); ok && !p.Count && c.info.Types[p].Kind == types.String && (lt.IsInt() || rt.IsInt()) {
			c.errorf(spanOf(p), "$%d used numerically but given \"%s\". Try using str($%d).", p.Index, c.cfg.Params[p.Index-1], p.Index)
			return types.Type{}
		}
	}
	c.typeMismatch(spanOf(e), e, aggOrType(lt), aggOrType(rt))
	return types.Type{}
}

// typeMismatch reports the operands of e, of types lt and rt, that its
// operator cannot combine, in the words of the release gbt follows: the
// newest bpftrace then notes each operand's type at it.
func (c *checker) typeMismatch(span ast.Span, e *ast.Binary, lt, rt string) {
	d := c.errorf(span, "%s", c.cfg.Compat.Sprintf(compat.TypeMismatch, e.Op, lt, rt))
	if c.cfg.Compat.Has(compat.NewestWords) {
		right := &diag.Diagnostic{Severity: diag.Error, Span: spanOf(e.Y), Msg: fmt.Sprintf("right (%s)", rt)}
		d.Context = &diag.Diagnostic{Severity: diag.Error, Span: spanOf(e.X), Msg: fmt.Sprintf("left (%s)", lt), Context: right}
	}
}

// paramOffset types $N + k in a text argument (str($1 + 1)), k a
// constant: as in C, a string literal plus k is the literal from its k-th
// byte. The sum stands for that literal; at or past its end, for "" (the
// newest bpftrace warns; compat.EmptyParamOffsets).
func (c *checker) paramOffset(e *ast.Binary) types.Type {
	p := e.X.(*ast.Positional)
	text := c.paramText(p)
	k, ok := c.info.Consts[e.Y]
	if !ok {
		c.errorf(spanOf(e.Y), "$%d + N: N must be a constant to offset into the string parameter %q", p.Index, text)
		return types.Type{}
	}
	switch {
	case k >= int64(len(text)) && c.cfg.Compat.Has(compat.EmptyParamOffsets):
		c.warnf(spanOf(e), "literal string will always be empty")
		return c.standFor(e, "")
	case k < 0 || k > int64(len(text)):
		c.errorf(spanOf(e), "$%d + %d is outside the string parameter %q (%d bytes)", p.Index, k, text, len(text))
		return types.Type{}
	}
	return c.standFor(e, text[k:])
}

// pointerArith returns the type of p + n and p - n, where n counts the
// elements p points at (as in C): p's type, with the size of its element
// known, and no longer the probe's context itself.
func (c *checker) pointerArith(p types.Type, span ast.Span) types.Type {
	p.Ctx = false
	p, ok := c.sized(p, span)
	if !ok {
		return types.Type{}
	}
	return p
}

// sized returns t with the size of the struct it points at known, when t
// points at a struct known only by name (a tracepoint's "struct x *"
// field): pointer arithmetic moves by that size.
func (c *checker) sized(t types.Type, span ast.Span) (types.Type, bool) {
	if e := t.Elem; t.Kind == types.Pointer && e != nil && e.Kind == types.Record && e.Size == 0 {
		rec, ok := c.fullRecord(*e, span)
		if !ok {
			return types.Type{}, false
		}
		t.Elem = &types.Type{Kind: types.Record, Name: rec.Name, Size: rec.Size}
	}
	return t, true
}

// binarySpan is where a message about binary expression e points: the
// whole expression, as the newest bpftrace has it, or its operator, as
// 0.17 has it (compat.NewestWords).
func (c *checker) binarySpan(e *ast.Binary) ast.Span {
	if c.cfg.Compat.Has(compat.NewestWords) {
		return spanOf(e)
	}
	return c.operatorSpan(e)
}

// operatorSpan is the span of a binary expression's operator token.
func (c *checker) operatorSpan(e *ast.Binary) ast.Span {
	end := e.OpPos
	end.Offset += len(e.Op.String())
	end.Col += len(e.Op.String())
	return ast.Span{Start: e.OpPos, End: end}
}

func (c *checker) foldBinary(e *ast.Binary) {
	x, ok1 := c.info.Consts[e.X]
	y, ok2 := c.info.Consts[e.Y]
	if !ok1 || !ok2 {
		return
	}
	lt, rt := c.info.Types[e.X], c.info.Types[e.Y]
	signed := c.signedOp(e, lt, rt)
	ux, uy := uint64(x), uint64(y)
	var v int64
	switch e.Op {
	case ast.OpAdd:
		v = x + y
	case ast.OpSub:
		v = x - y
	case ast.OpMul:
		v = x * y
	case ast.OpQuo, ast.OpRem:
		// bpftrace 0.17 divides unsigned, and by zero yields 0; the
		// newest folds signed constants as C does (-7 / 2 is -3).
		switch {
		case y == 0:
			v = 0
		case c.signedConstDivision(e) && e.Op == ast.OpQuo:
			v = x / y
		case c.signedConstDivision(e):
			v = x % y
		case e.Op == ast.OpQuo:
			v = int64(ux / uy)
		default:
			v = int64(ux % uy)
		}
	case ast.OpAnd:
		v = x & y
	case ast.OpOr:
		v = x | y
	case ast.OpXor:
		v = x ^ y
	case ast.OpShl:
		v = int64(ux << uy) // 0 from a shift by 64 or more, as bpftrace
	case ast.OpShr:
		v = int64(ux >> uy)
	case ast.OpEql:
		v = b2i(x == y)
	case ast.OpNeq:
		v = b2i(x != y)
	case ast.OpLss:
		v = b2i(cmpLess(x, y, signed))
	case ast.OpGtr:
		v = b2i(cmpLess(y, x, signed))
	case ast.OpLeq:
		v = b2i(!cmpLess(y, x, signed))
	case ast.OpGeq:
		v = b2i(!cmpLess(x, y, signed))
	case ast.OpLAnd:
		v = b2i(x != 0 && y != 0)
	case ast.OpLOr:
		v = b2i(x != 0 || y != 0)
	default:
		return
	}
	c.setConst(e, v)
}

// signedConstDivision reports whether e, a / or %, divides two signed
// integer literals, which the newest bpftrace folds with C's signed
// division (compat.SignedConstDivision). Other constants (a cast,
// (int32)-7 / 2) it leaves to the program, which divides unsigned, as gbt
// folds them.
func (c *checker) signedConstDivision(e *ast.Binary) bool {
	_, xc := c.info.Consts[e.X]
	_, yc := c.info.Consts[e.Y]
	return xc && yc && literalInt(e.X) && literalInt(e.Y) && e.Op.DividesUnsigned() &&
		c.cfg.Compat.Has(compat.SignedConstDivision) && c.info.Types[e.X].Signed && c.info.Types[e.Y].Signed
}

// unsignedDifference reports whether x is a subtraction of two unsigned
// values ((nsecs - @start[tid]) / 1000), signed only because the newest
// bpftrace makes every subtraction signed (compat.SignedIntJoin): it
// warns of a signed division there, in nearly every latency script; gbt
// does not.
func (c *checker) unsignedDifference(x ast.Expr) bool {
	b, ok := x.(*ast.Binary)
	unsigned := func(y ast.Expr) bool {
		t := c.info.Types[y]
		v, isConst := c.info.Consts[y]
		return !t.Signed || flexible(literalOf(y, v, isConst, t))
	}
	return ok && b.Op == ast.OpSub && c.info.joinSigned && unsigned(b.X) && unsigned(b.Y)
}

// ternaryInt is the type of a ternary whose branches are integers of
// types a and b, as the newest bpftrace types it: the smallest integer that
// holds both (signed if either is: $c ? -7 : (uint32)5 is -7, as in 0.17
// too; $c ? (int16)-1 : (uint8)5 is an int16, $c ? (uint32)x : (uint16)y
// a uint32). A literal takes the other branch's type when it fits it
// ($c ? (uint16)5 : 2 is a uint16), or the newest's literal type
// (literalType) otherwise; two of gbt's literals make an int64.
func (c *checker) ternaryInt(e *ast.Ternary, a, b types.Type) types.Type {
	then := e.Then
	if then == nil {
		then = e.Cond
	}
	at, aLit := literalType(then)
	bt, bLit := literalType(e.Else)
	switch {
	case aLit && bLit:
		return types.I64
	case aLit:
		a = literalBranch(c.info.Consts[then], at, b)
	case bLit:
		b = literalBranch(c.info.Consts[e.Else], bt, a)
	}
	a.Bits, b.Bits = cmp.Or(a.Bits, 64), cmp.Or(b.Bits, 64)
	if a.Signed == b.Signed {
		return types.IntOf(max(a.Bits, b.Bits), a.Signed)
	}
	signed, unsigned := a, b
	if !signed.Signed {
		signed, unsigned = b, a
	}
	if signed.Bits > unsigned.Bits {
		return types.IntOf(signed.Bits, true)
	}
	return types.IntOf(min(2*unsigned.Bits, 64), true)
}

// literalBranch is the type a ternary's literal branch of value v takes
// beside the other branch's type: that type when v fits it; a literal that
// is not negative beside an unsigned type is unsigned ($c ? (uint8)7 :
// 70000 is a uint32); else lt, the literal's own type.
func literalBranch(v int64, lt, other types.Type) types.Type {
	other.Bits = cmp.Or(other.Bits, 64)
	if truncate(v, other) == v {
		return types.IntOf(other.Bits, other.Signed)
	}
	if v >= 0 && !other.Signed {
		for _, bits := range []int{16, 32} {
			if v < 1<<bits {
				return types.IntOf(bits, false)
			}
		}
		return types.U64
	}
	return lt
}

func cmpLess(x, y int64, signed bool) bool {
	if signed {
		return x < y
	}
	return uint64(x) < uint64(y)
}

func (c *checker) ternary(e *ast.Ternary) types.Type {
	ct := c.expr(e.Cond)
	a := ct // a ?: b yields a when it is true
	if e.Then != nil {
		a = c.expr(e.Then)
	}
	b := c.expr(e.Else)
	if !ct.IsValid() || !a.IsValid() || !b.IsValid() {
		return types.Type{}
	}
	if !ct.IsInt() && ct.Kind != types.Pointer && !c.literalTruth(e.Cond, ct) {
		c.errorf(spanOf(e.Cond), "Invalid condition in ternary: %s", ct)
		return types.Type{}
	}
	if a.IsInt() && b.IsInt() {
		if v, ok := c.info.Consts[e.Cond]; ok && e.Then != nil {
			if x, ok := c.info.Consts[e.Then]; ok && v != 0 {
				c.setConst(e, x)
			}
			if y, ok := c.info.Consts[e.Else]; ok && v == 0 {
				c.setConst(e, y)
			}
		}
		if a.Kind == types.Bool && b.Kind == types.Bool {
			return types.Boolean
		}
		if a.Enum != nil && a.Enum == b.Enum {
			return types.EnumOf(a.Enum) // a variant of the enum either way
		}
		if a.Kind == types.Bool || b.Kind == types.Bool {
			return types.IntOf(64, a.Signed || b.Signed) // gbt's leniency: the newest refuses the mix
		}
		return c.ternaryInt(e, a, b)
	}
	if a.Kind == types.String && b.Kind == types.String {
		return widen(a, b)
	}
	if a.Kind != b.Kind || a.Kind == types.Tuple && !a.Compatible(b) {
		c.errorf(spanOf(e), "Ternary operator must return the same type: have '%s' and '%s'", a.KindWord(), b.KindWord())
		return types.Type{}
	}
	return a
}
