package check

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/internal/spell"
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

func (c *checker) expr(e ast.Expr) types.Type {
	t := c.expr1(e)
	c.info.Types[e] = t
	return t
}

func (c *checker) setConst(e ast.Expr, v int64) { c.info.Consts[e] = v }

func (c *checker) expr1(e ast.Expr) types.Type {
	switch e := e.(type) {
	case *ast.IntLit:
		if e.Value > math.MaxInt64 {
			c.setConst(e, int64(e.Value))
			return types.U64
		}
		c.setConst(e, int64(e.Value))
		return types.I64
	case *ast.BoolLit:
		c.setConst(e, b2i(e.Value))
		return types.Boolean
	case *ast.StrLit:
		// A literal may hold NULs ("Hello\0"): its bytes are kept, and
		// string uses stop at the first NUL as in C.
		return types.StringOf(len(e.Value) + 1)
	case *ast.Positional:
		return c.positional(e)
	case *ast.Variable:
		v, ok := c.lookupVar(e)
		if !ok {
			c.errorf(spanOf(e), "Undefined or undeclared variable: %s", e.Name)
			return types.Type{}
		}
		return v.Type
	case *ast.Ident:
		return c.ident(e)
	case *ast.MapRef:
		return c.mapRead(e, false)
	case *ast.Call:
		return c.call1(e, false) // expr records the type
	case *ast.Unary:
		return c.unary(e)
	case *ast.Binary:
		return c.binary(e)
	case *ast.Ternary:
		return c.ternary(e)
	case *ast.Cast:
		return c.cast(e)
	case *ast.Field:
		return c.field(e)
	case *ast.TupleIndex:
		t := c.expr(e.X)
		if !t.IsValid() {
			return t
		}
		if t.Kind != types.Tuple {
			c.errorf(spanOf(e), "Can not access index %d on expression of type '%s'", e.Index, t)
			return types.Type{}
		}
		if e.Index >= len(t.Elems) {
			c.errorf(spanOf(e), "Invalid tuple index: %d. Found %d elements in tuple.", e.Index, len(t.Elems))
			return types.Type{}
		}
		return t.Elems[e.Index]
	case *ast.Index:
		return c.index(e)
	case *ast.Tuple:
		elems := make([]types.Type, len(e.Elems))
		for i, x := range e.Elems {
			t := c.aggValue(x, c.expr(x))
			if !t.IsValid() {
				return t
			}
			t = c.sizedLiteral(x, t)
			if t.Kind == types.Agg || t.Kind == types.Void {
				c.errorf(spanOf(x), "%s can not be part of a tuple", aggOrType(t))
				return types.Type{}
			}
			elems[i] = t
		}
		return types.TupleOf(elems...)
	case *ast.BlockExpr:
		return c.blockExpr(e, blockValue)
	case *ast.Record:
		return c.record(e)
	case *ast.Sizeof:
		if id, ok := e.X.(*ast.Ident); ok {
			if t, isType := c.sizeofName(e, id); isType {
				return t
			}
		}
		if e.X != nil {
			n, ok := c.exprSize(e.X)
			if !ok {
				return types.Type{}
			}
			c.setConst(e, int64(n))
			return types.U64
		}
		n, ok := c.typeSize(e, e.Type)
		if !ok {
			return types.Type{}
		}
		c.setConst(e, int64(n))
		return types.U64
	case *ast.TypeArg:
		c.errorf(spanOf(e), "When used as a call argument, `typeof` builtin only valid for macro calls that are expecting a type parameter")
		return types.Type{}
	case *ast.Offsetof:
		rec, ok := c.namedRecord(c.recordName(e.Type.Name), spanOf(e))
		if !ok || e.Type.Ptr > 0 {
			if ok {
				c.errorf(spanOf(e), "offsetof() expects a struct or union, not a pointer")
			}
			return types.Type{}
		}
		off := 0
		for i, name := range e.Field {
			f, found := fieldNamed(rec, name)
			if !found {
				// offsetof is the newest bpftrace's (0.17 has none): its words.
				c.errorf(spanOf(e), "'%s' has no field named '%s'", rec.Name, name)
				return types.Type{}
			}
			off += f.Offset
			if i < len(e.Field)-1 {
				if rec, ok = c.fullRecord(f.Type, spanOf(e)); !ok {
					return types.Type{}
				}
			}
		}
		c.setConst(e, int64(off))
		return types.U64
	}
	c.errorf(spanOf(e), "unsupported expression")
	return types.Type{}
}

// index types x[i]: *(x + i) for a pointer x, element i for an array
// (a char array, which gbt keeps as a string, is one of int8). A constant
// index into an array must lie inside it; codegen checks a variable one.
func (c *checker) index(e *ast.Index) types.Type {
	t := c.expr(e.X)
	it := c.expr(e.Index)
	if !t.IsValid() || !it.IsValid() {
		return types.Type{}
	}
	if !it.IsInt() {
		c.errorf(spanOf(e.Index), "The array index operator [] can only be used with an integer index")
		return types.Type{}
	}
	var elem types.Type
	n := -1 // the length of an array
	switch {
	case t.Kind == types.Pointer && t.Ctx:
		c.errorf(spanOf(e), "The array index operator [] can not be used on the args builtin").
			Hint = "args holds the probe's arguments: read one by name, args->name"
		return types.Type{}
	case t.Kind == types.Pointer:
		elem = *t.Elem
	case t.Kind == types.Array:
		elem = *t.Elem
		if t.Len > 0 { // a flexible array member (data[]) has no bound
			n = t.Len
		}
	case t.Kind == types.String:
		elem, n = types.I8, t.Size
	case t.Kind == types.Tuple:
		return c.tupleIndex(e, t)
	default:
		if c.cfg.Compat.Has(compat.NewestWords) {
			c.errorf(spanOf(e), "The array index operator [] can only be used on arrays, pointers, and tuples, found %s.", t)
		} else {
			c.errorf(spanOf(e), "The array index operator [] can only be used on arrays and pointers, found %s.", t.KindWord())
		}
		return types.Type{}
	}
	if v, ok := c.info.Consts[e.Index]; ok && n >= 0 && (v < 0 || v >= int64(n)) {
		c.errorf(spanOf(e), "the index %d is out of bounds for array of size %d", v, n).
			Hint = fmt.Sprintf("the elements are [0] to [%d]", n-1)
		return types.Type{}
	}
	if elem.Kind == types.Record {
		rec, ok := c.derefRecord(e, elem)
		if !ok {
			return types.Type{}
		}
		return rec
	}
	return elem
}

// paramText is the text of parameter p ("" if not given).
func (c *checker) paramText(p *ast.Positional) string {
	if p.Index < 1 || p.Index > len(c.cfg.Params) {
		return ""
	}
	return c.cfg.Params[p.Index-1]
}

// textArg returns the positional parameter a builtin's text argument a
// holds ($N or $N + k), if any.
func textArg(a ast.Expr) *ast.Positional {
	if b, ok := a.(*ast.Binary); ok && b.Op == ast.OpAdd {
		a = b.X
	}
	if p, ok := a.(*ast.Positional); ok && !p.Count {
		return p
	}
	return nil
}

func (c *checker) positional(e *ast.Positional) types.Type {
	if e.Count {
		c.setConst(e, int64(len(c.cfg.Params)))
		return types.I64
	}
	if e == c.textParam {
		return types.StringOf(len(c.paramText(e)) + 1)
	}
	if e.Index > len(c.cfg.Params) || c.cfg.Params[e.Index-1] == "" {
		// bpftrace treats a missing parameter as 0 (or "" in str()); the
		// newest warns (its words end with a space).
		if c.cfg.Compat.Has(compat.NewestWords) {
			c.warnf(spanOf(e), "Positional parameter $%d is empty or not provided. ", e.Index)
		}
		if e.Index > len(c.cfg.Params) {
			c.setConst(e, 0)
			return types.I64
		}
	}
	p := c.cfg.Params[e.Index-1]
	if v, err := strconv.ParseInt(p, 0, 64); err == nil {
		c.setConst(e, v)
		return types.I64
	}
	if v, err := strconv.ParseUint(p, 0, 64); err == nil {
		// Past int64's range (0xffffffffffffffff): an unsigned number, as
		// bpftrace reads it.
		c.setConst(e, int64(v))
		return types.U64
	}
	return types.StringOf(len(p) + 1)
}

func (c *checker) ident(e *ast.Ident) types.Type {
	if v, ok := c.enums[e.Name]; ok {
		c.setConst(e, v)
		if enum := c.enumTypes[e.Name]; enum != nil {
			return types.EnumOf(enum)
		}
		return types.I64
	}
	if e.Name == "args" {
		pi := c.probe_
		if pi.argsWhy != "" {
			c.errorf(spanOf(e), "%s", pi.argsWhy)
			return types.Type{}
		}
		if pi.Args == nil && pi.Kind != nil && pi.Kind.Args && pi.Kind.ArgN == probe.ArgsRegs {
			c.userArgs(pi, spanOf(e))
		}
		if pi.Args == nil || pi.Kind == nil || !pi.Kind.Args {
			kind := "special"
			if pi.Kind != nil && pi.Kind.RunAt == probe.RunOnEvent {
				kind = pi.Kind.String()
			}
			c.errorf(spanOf(e), "%s", c.cfg.Compat.Sprintf(compat.ArgsKinds, kind))
			return types.Type{}
		}
		pi.ArgsUsed = true
		if c.inPlaceExpr != e && (pi.Kind.ArgN == probe.ArgsRegs || pi.Kind.Prog == probe.ProgTracing) {
			// args as a value (print(args), @m = args, a tuple): a
			// record copied from the argument registers, or from a
			// tracing program's context slots.
			rec := *pi.Args
			rec.Ctx = false
			return rec
		}
		return types.Type{Kind: types.Pointer, Elem: pi.Args, Ctx: true}
	}
	b, ok := c.builtin(c.varName(e.Name))
	if !ok {
		if c.cfg.Env != nil {
			if v, found := c.cfg.Env.EnumValue(e.Name); found {
				c.enums[e.Name] = v
				c.setConst(e, v)
				if enum, ok := c.cfg.Env.EnumOf(e.Name); ok {
					c.enumTypes[e.Name] = enum // a kernel enum's variant
					return types.EnumOf(enum)
				}
				return types.I64
			}
		}
	}
	if !ok || (b.BuiltinKind() != Var && b.BuiltinKind() != VarOrFunc) {
		d := c.errorf(spanOf(e), "Unknown identifier: '%s'", e.Name)
		if s := spell.Nearest(e.Name, c.varNames()); s != "" {
			d.Hint = fmt.Sprintf("did you mean %q?", s)
		}
		return types.Type{}
	}
	c.info.Builtins[e] = b
	c.use = Use{Node: e, Probe: c.probe_, Strlen: c.cfg.Strlen, Unsafe: c.cfg.Unsafe, c: c}
	return b.TypeOf(&c.use)
}

func (c *checker) builtin(name string) (Builtin, bool) {
	if c.cfg.Builtins == nil {
		return nil, false
	}
	return c.cfg.Builtins.Lookup(name)
}

// isVar reports whether name is a builtin usable as a bare name.
func (c *checker) isVar(name string) bool {
	b, ok := c.builtin(name)
	return ok && (b.BuiltinKind() == Var || b.BuiltinKind() == VarOrFunc)
}

// varNames are the builtins an identifier may name: variables, and those
// that are variables and calls (comm, pid, nsecs).
func (c *checker) varNames() []string {
	var out []string
	if c.cfg.Builtins == nil {
		return nil
	}
	for _, n := range c.cfg.Builtins.Names() {
		if b, ok := c.cfg.Builtins.Lookup(n); ok && (b.BuiltinKind() == Var || b.BuiltinKind() == VarOrFunc) {
			out = append(out, n)
		}
	}
	return append(out, "args")
}

func (c *checker) funcNames() []string {
	var out []string
	if c.cfg.Builtins == nil {
		return nil
	}
	for _, n := range c.cfg.Builtins.Names() {
		if b, ok := c.cfg.Builtins.Lookup(n); ok && b.BuiltinKind() != Var {
			out = append(out, n)
		}
	}
	return out
}

// mapRead types a map read. asArg: the map is a call argument, where a
// map without keys names the whole map (print(@m), clear(@m)).
func (c *checker) mapRead(m *ast.MapRef, asArg bool) types.Type {
	key := c.mapKey(m)
	info := c.info.Maps[m.Name]
	if info == nil {
		c.readKey(m, nil, key)
		d := c.errorf(spanOf(m), "Undefined map: %s", m.Name)
		var names []string
		for n := range c.info.Maps {
			names = append(names, n)
		}
		if s := spell.Nearest(m.Name, names); s != "" {
			d.Hint = fmt.Sprintf("did you mean %s?", s)
		}
		return types.Type{}
	}
	if asArg && m.Keys == nil {
		return info.Value
	}
	if key.IsValid() && info.Key.IsValid() && !sameKeyShape(info.Key, key) {
		c.errorf(spanOf(m), "%s", keyMismatch(m.Name, c.keyAsWritten(m, key), info.written))
		return types.Type{}
	}
	c.readKey(m, info, key)
	return info.Value
}

func (c *checker) call(e *ast.Call, mapValue bool) types.Type {
	t := c.call1(e, mapValue)
	c.info.Types[e] = t
	return t
}

func (c *checker) call1(e *ast.Call, mapValue bool) types.Type {
	if t, ok := c.varCall(e); ok {
		return t
	}
	b, ok := c.builtin(e.Name)
	if !ok || b.BuiltinKind() == Var {
		span := ast.Span{Start: e.Pos(), End: e.NameEnd}
		if c.cfg.Compat.Has(compat.NewestWords) {
			span = spanOf(e) // the newest bpftrace's: the call
		}
		d := c.errorf(span, "%s", c.cfg.Compat.Sprintf(compat.UnknownFunction, e.Name))
		if s := spell.Nearest(e.Name, c.funcNames()); s != "" {
			d.Hint = fmt.Sprintf("did you mean %q?", s)
		}
		for _, a := range e.Args {
			c.arg(a)
		}
		return types.Type{}
	}
	c.info.Builtins[e] = b
	base, textParam := len(c.argStack), c.textParam
	defer func() { c.argStack, c.textParam = c.argStack[:base], textParam }()
	c.textParam = nil
	for i, a := range e.Args {
		if id, ok := a.(*ast.Ident); ok && b.BuiltinKind() == VarOrFunc && !c.isVar(id.Name) {
			// A mode word (kstack(perf), nsecs(boot)): the type rule
			// reads it. A variable builtin is a value (ppid(curtask)).
			c.argStack = append(c.argStack, types.Type{Kind: types.Void, Name: id.Name})
			continue
		}
		if tb, ok := b.(TextArgs); ok && i == 0 && tb.TakesText() {
			c.textParam = textArg(a)
		}
		t := c.arg(a)
		if !t.IsValid() {
			return types.Type{} // already reported
		}
		c.argStack = append(c.argStack, t)
	}
	c.use = Use{Node: e, Args: e.Args, ArgTypes: c.argStack[base:len(c.argStack):len(c.argStack)], Probe: c.probe_,
		MapValue: mapValue, Strlen: c.cfg.Strlen, Unsafe: c.cfg.Unsafe, c: c}
	t := b.TypeOf(&c.use)
	if b.BuiltinKind() == Agg && !mapValue && t.IsValid() {
		c.errorf(spanOf(e), "%s", c.cfg.Compat.Sprintf(compat.AggNotAssigned, e.Name))
		return types.Type{}
	}
	return t
}

// arg types a call argument; maps without keys name the whole map.
func (c *checker) arg(a ast.Expr) types.Type {
	if m, ok := a.(*ast.MapRef); ok {
		t := c.mapRead(m, true)
		c.info.Types[a] = t
		return t
	}
	return c.expr(a)
}

// arrayOfType reports whether t is an array of the type te names, with
// its length: ArrayN elements of Name with Ptr levels of pointers.
func arrayOfType(t types.Type, te *ast.TypeExpr) bool {
	if t.Kind != types.Array || t.Len != te.ArrayN {
		return false
	}
	elem := *t.Elem
	for range te.Ptr {
		if elem.Kind != types.Pointer || elem.Elem == nil {
			return false
		}
		elem = *elem.Elem
	}
	if elem.Kind == types.Record {
		return elem.Name == te.Name
	}
	bt, ok := basicType(te.Name)
	return ok && elem.Kind == types.Int && bt.Bits == elem.Bits && bt.Signed == elem.Signed
}

// basicType resolves the integer type names usable in casts.
func basicType(name string) (types.Type, bool) {
	switch name {
	case "int8", "s8", "char", "signed char":
		return types.I8, true
	case "uint8", "u8", "unsigned char":
		return types.U8, true
	case "bool", "_Bool":
		return types.Boolean, true
	case "int16", "s16", "short", "signed short":
		return types.I16, true
	case "uint16", "u16", "unsigned short":
		return types.U16, true
	case "int32", "s32", "int", "signed int", "signed", "pid_t":
		return types.I32, true
	case "uint32", "u32", "unsigned int", "unsigned":
		return types.U32, true
	case "int64", "s64", "long", "long long", "signed long", "long int":
		return types.I64, true
	case "uint64", "u64", "unsigned long", "unsigned long long", "size_t":
		return types.U64, true
	}
	return types.Type{}, false
}

func (c *checker) cast(e *ast.Cast) types.Type {
	if e.Type.Of != nil {
		return c.typeofCast(e)
	}
	t := c.aggValue(e.X, c.expr(e.X))
	if !t.IsValid() {
		return t
	}
	if e.Type.Name == "string" {
		return c.stringCast(e, t)
	}
	if e.Type.ArrayPtr > 0 {
		return c.arrayPointerCast(e, t)
	}
	if e.Type.ArrayN != 0 {
		if arrayOfType(t, e.Type) {
			c.warnUnnecessary(e, t, t)
			return t // let $x: struct Foo *[2] = p->foos: the array as it is
		}
		return c.arrayCast(e, t)
	}
	if e.Type.Ptr > 0 {
		// ctx cast to a record pointer reads the context in kernel
		// memory, as in bpftrace: ((struct x *)ctx)->x.
		if !t.IsInt() && t.Kind != types.Pointer && t.Kind != types.Context {
			c.errorf(spanOf(e), "Cannot cast from \"%s\" to \"%s\"", t, ast.TypeString(e.Type))
			return types.Type{}
		}
		elem, ok := intTypedef(e.Type.Name)
		if e.Type.Name == "void" {
			// void * points at bytes, as BTF and tracefs pointers to void
			// do in gbt.
			elem, ok = types.U8, true
		}
		if !ok {
			rec, err := c.structRecord(e.Type.Name)
			if errors.Is(err, probe.ErrNoStruct) {
				c.unknownStruct(spanOf(e), e.Type)
				return types.Type{}
			}
			// Its fields are resolved again where a script reaches into it;
			// its size is what p + 1 moves by.
			elem = types.Type{Kind: types.Record, Name: e.Type.Name, Size: rec.Size}
		}
		// A cast keeps the address space of a pointer; an integer made a
		// pointer points where the probe's addresses do (codegen decides:
		// user memory in uprobes), as in bpftrace.
		as := castAddrSpace(t)
		pt := types.PointerTo(elem, as)
		for i := 1; i < e.Type.Ptr; i++ {
			pt = types.PointerTo(pt, as)
		}
		// Pointers to records only: gbt's char is int8, bpftrace's uint8.
		if from, ok := c.castFrom(e.X, t); ok && from.Kind == types.Pointer && from.String() == pt.String() && elem.Kind == types.Record &&
			e.Span.Start != e.Type.Span.Start && e.Span.Origin == nil {
			c.warnf(castSpan(e), "Unnecessary cast: expression is already of type %s", pt)
		}
		return pt
	}
	if name, ok := strings.CutPrefix(e.Type.Name, "enum "); ok {
		return c.enumCast(e, t, strings.TrimSpace(name))
	}
	to, ok := intTypedef(e.Type.Name)
	if !ok {
		c.errorf(spanOf(e.Type), "Cannot resolve unknown type \"%s\"", e.Type.Name)
		return types.Type{}
	}
	if to.Kind == types.Bool {
		return c.boolCast(e, t)
	}
	if !t.IsInt() && t.Kind != types.Pointer && t.Kind != types.Context && !arrayToInt(t, to) {
		c.errorf(spanOf(e), "Cannot cast from \"%s\" to \"%s\"", t, to)
		return types.Type{}
	}
	if from, ok := c.castFrom(e.X, t); ok && from.Kind == types.Int && from.Enum == nil && from.Bits == to.Bits && from.Signed == to.Signed &&
		e.Span.Start != e.Type.Span.Start && e.Span.Origin == nil {
		// As the newest bpftrace warns; not a declaration's type (let $x:
		// int32 = ...), nor a cast a macro's text makes.
		c.warnf(castSpan(e), "Unnecessary cast: expression is already of type %s", to)
	}
	if v, ok := c.info.Consts[e.X]; ok {
		c.setConst(e, truncate(v, to))
	}
	return to
}

// unknownStruct reports a cast to a struct no definition or BTF has:
// at the cast in 0.17's words, at the type in the newest bpftrace's.
func (c *checker) unknownStruct(span ast.Span, t *ast.TypeExpr) {
	if c.cfg.Compat.Has(compat.NewestWords) {
		span = spanOf(t)
	}
	c.errorf(span, "%s", c.cfg.Compat.Sprintf(compat.UnknownStruct, t.Name))
}

// castFrom is the type of x, of type t, that the newest bpftrace's
// "Unnecessary cast" warning compares with a cast's: a literal's (see
// literalType), or t where the two type the expression alike: a builtin
// (but numaid), a field (but a char: bpftrace's is unsigned, gbt's
// signed), a cast, a string literal, pton(), and a variable given only
// such values (an integer one as the newest bpftrace sizes it: $a = 1 is
// an int8 there, see varSize). Others it types from the literals in them,
// where gbt types int64: no warning.
func (c *checker) castFrom(x ast.Expr, t types.Type) (types.Type, bool) {
	if lt, ok := literalType(x); ok {
		return lt, true
	}
	if v, ok := x.(*ast.Variable); ok {
		return c.castFromVar(v, t)
	}
	return t, typedAlike(x, t)
}

// typedAlike reports whether gbt gives x, of type t, the type the newest
// bpftrace gives it (castFrom's cases but literals and variables).
func typedAlike(x ast.Expr, t types.Type) bool {
	switch x := x.(type) {
	case *ast.Ident:
		return x.Name != "numaid"
	case *ast.Field:
		return t.Bits != 8
	case *ast.Cast, *ast.StrLit:
		return true
	case *ast.Call:
		return x.Name == "pton"
	}
	return false
}

// literalType is the type the newest bpftrace gives an integer literal,
// or the negation of one, for its cast warning: the smallest signed
// integer that holds it (uint64 past int64).
func literalType(x ast.Expr) (types.Type, bool) {
	neg := false
	if u, ok := x.(*ast.Unary); ok && u.Op == ast.OpSub && !u.Postfix {
		x, neg = u.X, true
	}
	lit, ok := x.(*ast.IntLit)
	if !ok {
		return types.Type{}, false
	}
	if lit.Value > math.MaxInt64 {
		return types.U64, !neg
	}
	v := int64(lit.Value)
	if neg {
		v = -v
	}
	for _, t := range []types.Type{types.I8, types.I16, types.I32} {
		if truncate(v, t) == v {
			return t, true
		}
	}
	return types.I64, true
}

// truncate converts v to the width and sign of t, as a C cast does.
func truncate(v int64, t types.Type) int64 {
	switch t.Bits {
	case 8:
		if t.Signed {
			return int64(int8(v))
		}
		return int64(uint8(v))
	case 16:
		if t.Signed {
			return int64(int16(v))
		}
		return int64(uint16(v))
	case 32:
		if t.Signed {
			return int64(int32(v))
		}
		return int64(uint32(v))
	}
	return v
}

func (c *checker) field(e *ast.Field) types.Type {
	t := c.inPlace(e.X)
	if !t.IsValid() {
		return t
	}
	// As in the newest bpftrace, x.f and x->f are one: both read through
	// any number of pointers to the record (codegen counts them again).
	rec := t
	for rec.Kind == types.Pointer && rec.Elem != nil {
		rec = *rec.Elem
	}
	if rec.Kind != types.Record {
		c.errorf(spanOf(e), "Can not access field '%s' on expression of type '%s'", e.Name, rec)
		return types.Type{}
	}
	if len(rec.Fields) == 0 {
		full, ok := c.fullRecord(rec, spanOf(e))
		if !ok {
			return types.Type{}
		}
		rec = full
	}
	var names []string
	for _, f := range rec.Fields {
		if f.Name == e.Name {
			if f.Type.Kind == types.None {
				c.errorf(spanOf(e), "Member '%s' of '%s' has a floating-point type, which gbt does not read", e.Name, rec.Name).
					Hint = "print the whole struct: its floating-point members print null, as in bpftrace"
				return types.Type{}
			}
			if f.Type.Kind == types.Record && f.Type.ByteSize() <= maxValueRecord {
				// A struct member small enough to be a value: resolve it
				// whole, so that print() shows its members.
				if len(f.Type.Fields) > 0 {
					f.Type = c.deepRecord(f.Type, 0)
				} else if full, err := c.structRecord(f.Type.Name); err == nil {
					f.Type = c.deepRecord(full, 0)
				}
			}
			if t.Kind != types.Pointer || !t.Ctx {
				if c.info.Fields == nil {
					c.info.Fields = map[*ast.Field]types.Field{}
				}
				c.info.Fields[e] = f
			}
			return f.Type
		}
		names = append(names, f.Name)
	}
	d := c.errorf(spanOf(e), "Struct/union of type '%s' does not contain a field named '%s'", rec.Name, e.Name)
	if s := spell.Nearest(e.Name, names); s != "" {
		d.Hint = fmt.Sprintf("did you mean %q?", s)
	} else {
		d.Hint = "fields: " + strings.Join(names, ", ")
	}
	return types.Type{}
}
