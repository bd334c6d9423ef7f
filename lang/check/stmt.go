package check

import (
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/types"
)

func (c *checker) block(b *ast.Block) {
	defer c.enter()()
	warned := false
	for i, s := range b.Stmts {
		c.stmt(s)
		if j, ok := s.(*ast.JumpStmt); ok && i < len(b.Stmts)-1 {
			c.warnf(spanOf(j), "All code after a '%s' is unreachable.", j.Keyword)
		}
		if !warned && i < len(b.Stmts)-1 && c.endsProbe(s) {
			// The newest bpftrace's words, at the first statement that
			// cannot run.
			c.warnf(spanOf(b.Stmts[i+1]), "Unreachable statement.")
			warned = true
		}
	}
}

// endsProbe reports whether s is a call of a builtin that ends the probe
// (exit()), so that what follows it in its block never runs.
func (c *checker) endsProbe(s ast.Stmt) bool {
	es, ok := s.(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := es.X.(*ast.Call)
	if !ok {
		return false
	}
	e, ok := c.info.Builtins[call].(ProbeEnder)
	return ok && e.EndsTheProbe()
}

func (c *checker) stmt(s ast.Stmt) {
	switch s := s.(type) {
	case *ast.ExprStmt:
		if call, ok := s.X.(*ast.Call); ok {
			c.call(call, false)
			return
		}
		if b, ok := s.X.(*ast.BlockExpr); ok {
			c.info.Types[b] = c.blockExpr(b, blockStmt)
			return
		}
		c.expr(s.X)
	case *ast.AssignStmt:
		c.assign(s)
	case *ast.IfStmt:
		t := c.expr(s.Cond)
		if t.IsValid() && !t.IsInt() && t.Kind != types.Pointer && !c.literalTruth(s.Cond, t) {
			c.errorf(spanOf(s.Cond), "Invalid condition in if(): %s", t)
		}
		c.block(s.Then)
		if s.Else != nil {
			c.stmt(s.Else)
		}
	case *ast.BlockStmt:
		c.block(s.Body)
	case *ast.UnrollStmt:
		c.expr(s.Count)
		n, ok := c.info.Consts[s.Count]
		switch {
		case !ok:
			c.errorf(spanOf(s.Count), "unroll() count must be a constant integer")
		case n < 1:
			c.errorf(ast.Span{Start: s.Pos(), End: s.Body.Pos()}, "unroll minimum value is 1")
		case n > 100:
			c.errorf(ast.Span{Start: s.Pos(), End: s.Body.Pos()}, "unroll maximum value is 100")
		}
		c.block(s.Body)
	case *ast.WhileStmt:
		t := c.expr(s.Cond)
		if t.IsValid() && !t.IsInt() && !c.literalTruth(s.Cond, t) {
			c.errorf(spanOf(s.Cond), "Invalid condition in while(): %s", t)
		}
		c.loops++
		c.block(s.Body)
		c.loops--
	case *ast.ForStmt:
		defer c.enter()() // $kv or $i lives in the loop
		if s.Map == nil {
			c.forRange(s)
			break
		}
		m := c.info.Maps[s.Map.Name]
		if m == nil {
			c.errorf(spanOf(s.Map), "Undefined map: %s", s.Map.Name)
		} else if v, ok := loopValue(m.Value); !ok {
			c.errorf(spanOf(s.Map), "for loops over maps of %s values are not supported by gbt yet", m.Value.AggKind)
		} else {
			kv := types.TupleOf(m.Key, v)
			c.defineVar(s.Var, kv)
			c.info.Types[s.Var] = kv
		}
		c.info.Types[s.Map] = types.Type{}
		c.loops++
		c.block(s.Body)
		c.loops--
	case *ast.JumpStmt:
		switch s.Keyword {
		case "break", "continue":
			if c.loops == 0 {
				c.errorf(spanOf(s), "%s", c.cfg.Compat.Sprintf(compat.JumpOutsideLoop, s.Keyword))
			}
		case "return":
			if s.Value != nil {
				if t := c.expr(s.Value); t.IsValid() && !t.IsInt() {
					c.errorf(spanOf(s), "Probe return values can only be integers. Found %s", t)
				}
			}
		}
	}
}

// loopValue is the type of $kv.1 in a loop over a map of values v: the
// value, or for count, sum, min and max the integer the running CPU holds
// (the first word of its value); other aggregations are not.
func loopValue(v types.Type) (types.Type, bool) {
	if v.Kind != types.Agg {
		return v, true
	}
	switch v.AggKind {
	case types.Count:
		return types.U64, true
	case types.Sum, types.Min, types.Max:
		return types.IntOf(64, v.AggSigned), true
	}
	return types.Type{}, false
}

// forRange checks `for ($i : from..to)`: integer bounds, and $i an
// int64 that goes from `from` up to `to`, excluded.
func (c *checker) forRange(s *ast.ForStmt) {
	for _, b := range []ast.Expr{s.From, s.To} {
		if t := c.expr(b); t.IsValid() && !t.IsInt() {
			c.errorf(spanOf(b), "Loop range requires an integer for the start and end values (%s provided)", t)
		}
	}
	c.defineVar(s.Var, types.I64)
	c.info.Types[s.Var] = types.I64
	c.loops++
	c.block(s.Body)
	c.loops--
}

func (c *checker) defineVar(v *ast.Variable, t types.Type) {
	vars := c.probe_.Vars
	if vars == nil {
		vars = map[string]*VarInfo{}
		c.probe_.Vars = vars
	}
	slot := c.slotOf(v)
	old, ok := vars[slot]
	if ok && !c.inScope(old.scope) {
		if old.Type.IsValid() && t.IsValid() && !old.Type.Compatible(t) {
			// Its block has ended: a new variable of the same name.
			slot, ok = c.rebind(v), false
		} else {
			old.scope = c.scope()
		}
	}
	if ok {
		if old.Type.IsValid() && t.IsValid() && !old.Type.Compatible(t) {
			c.assignMismatch(v, v.Name, "variable", t, old.Type)
			return
		}
		// Strings grow to the longest value stored, in tuples too:
		// $a = ("hi", 1); $a = ("hello", 2) keeps "hello".
		if old.Type.IsValid() && t.IsValid() {
			if w := widen(old.Type, t); !w.Equal(old.Type) {
				old.Type, c.widened = w, true
			}
		}
		if mixed, ok := mixBool(old.Type, t); ok {
			old.Type = mixed
			c.widened = true
		}
		return
	}
	if g, ok := c.probe_.grown[slot]; ok && t.IsValid() && g.Type.IsValid() && g.Type.Compatible(t) {
		t = widen(t, g.Type)
		if t.Kind == types.Int && g.Type.Kind == types.Int && t.Enum == nil && g.Type.Enum == nil && !g.declared {
			given := t
			t = joinInt(t, g.Type) // its later values widened it (growIntVar)
			if a := c.assigning; a != nil && a.LHS == ast.Expr(v) && t.Signed && literalInt(a.RHS) && bigUint(c.info.Consts[a.RHS], given) {
				c.assignMismatch(v, v.Name, "variable", given, t) // $x = 18446744073709551615; $x = -1
			}
		}
	}
	vi := VarInfo{Name: v.Name, Type: t, Span: spanOf(v), scope: c.scope(), first: spanOf(v)}
	if a := c.assigning; a != nil && a.LHS == ast.Expr(v) {
		vi.first, vi.firstLet = a.Span, a.Let // $x = 1, or let $x
		if a.Let {
			vi.first.End = v.EndPos()
		}
	}
	vars[slot] = c.vars.new(vi)
}

func (c *checker) assign(s *ast.AssignStmt) {
	outer := c.assigning // a block expression's assignment within this one
	c.assigning = s
	defer func() { c.assigning = outer }()
	if v, ok := s.LHS.(*ast.Variable); ok && s.Let && !c.letNew(s, v) {
		return
	}
	if v, ok := s.LHS.(*ast.Variable); ok && s.Decl {
		c.declare(s, v)
		return
	}
	switch lhs := s.LHS.(type) {
	case *ast.Variable:
		var t, compoundRHS types.Type
		if s.Op.IsCompound() {
			old, ok := c.lookupVar(lhs)
			if !ok {
				c.errorf(spanOf(lhs), "Undefined or undeclared variable: %s", lhs.Name)
			}
			rt := c.expr(s.RHS)
			compoundRHS = rt
			if ok && !compoundOK(s.Op, old.Type, rt) {
				c.errorf(spanOf(s), "The %s operator can not be used on expressions of types %s, %s", s.Op, old.Type, rt)
			} else if ok {
				if st, sized := c.sized(old.Type, spanOf(lhs)); sized {
					old.Type = st
				}
				if plainInt(&old.Type) {
					c.widened = true
				}
			}
			t = types.I64
			if ok {
				t = old.Type
			}
		} else {
			t = c.aggValue(s.RHS, c.expr(s.RHS))
			if t.Kind == types.Agg {
				c.errorf(spanOf(s.RHS), "%s", c.cfg.Compat.Sprintf(compat.AggNotAssigned, t.AggKind))
				t = types.Type{}
			}
			if t.Kind == types.Void {
				c.errorf(spanOf(s.RHS), "Value of type none can not be assigned to %s", lhs.Name)
				t = types.Type{}
			}
		}
		if old, ok := c.lookupVar(lhs); ok && t.IsValid() {
			given := t
			if s.Op.IsCompound() && c.compoundSigned(s.Op, old.Type, s.RHS, compoundRHS) {
				given = types.I64 // $x -= 1 of unsigned $x: signed, as $x = $x - 1
			}
			c.growIntVar(lhs, old, s.RHS, given, s.Op.IsCompound())
			if s.Op.IsCompound() {
				t = old.Type
			}
		}
		c.defineVar(lhs, t)
		if cast, ok := s.RHS.(*ast.Cast); ok && cast.Type != nil && cast.Span.Start == cast.Type.Span.Start {
			c.probe_.Vars[c.slotOf(lhs)].declared = true // let $x: T = v
		}
		c.noteVarSize(lhs, s.RHS, t, s.Op.IsCompound())
		c.info.Types[lhs] = c.probe_.Vars[c.slotOf(lhs)].Type
	case *ast.MapRef:
		key := c.mapKey(lhs)
		var val types.Type
		c.aggParams = types.AggParams{}
		if s.Op.IsCompound() {
			rt := c.expr(s.RHS)
			val = types.I64
			if m := c.info.Maps[lhs.Name]; m != nil && m.Value.IsValid() {
				val = m.Value
			}
			if !compoundOK(s.Op, val, rt) {
				c.errorf(spanOf(s), "The %s operator can not be used on expressions of types %s, %s", s.Op, aggOrType(val), rt)
			} else if m := c.info.Maps[lhs.Name]; m != nil {
				if st, sized := c.sized(m.Value, spanOf(lhs)); sized {
					m.Value, val = st, st
				}
				if plainInt(&m.Value) {
					val, c.widened = m.Value, true
				}
				if c.compoundSigned(s.Op, val, s.RHS, rt) {
					val = types.I64 // @x -= 10 of unsigned @x: signed, as @x = @x - 10
				}
			}
		} else if call, ok := s.RHS.(*ast.Call); ok {
			val = c.call(call, true)
		} else if b, ok := s.RHS.(*ast.BlockExpr); ok {
			val = c.blockExpr(b, blockMapValue)
			c.info.Types[b] = val
		} else {
			val = c.expr(s.RHS)
			if from, ok := s.RHS.(*ast.MapRef); ok && val.Kind == types.Agg {
				c.aggCopy(s, lhs, from, val)
				val = types.Type{}
			}
		}
		if val.Kind == types.Void {
			c.errorf(spanOf(s.RHS), "Value of type none can not be assigned to %s", lhs.Name)
			val = types.Type{}
		}
		if hasCtx(val) {
			c.errorf(spanOf(s.RHS), "context cannot be assigned to a map").
				Hint = "store what it holds instead, e.g. args->name"
			val = types.Type{}
		}
		if val.Kind == types.Int {
			val = mapInt(val)
		}
		c.defineMap(lhs, key, val)
		if call, ok := s.RHS.(*ast.Call); ok && val.Kind == types.Agg {
			// Every update of an aggregation keeps the map's signedness
			// (min and max compare by it), which is signed if any update's
			// values are, as in the newest bpftrace.
			if mv := c.info.Maps[lhs.Name].Value; mv.Kind == types.Agg && mv.AggKind == val.AggKind {
				val.AggSigned = mv.AggSigned
				c.info.Types[call] = val
			}
		}
		c.info.Types[lhs] = val
	}
}

// declare checks `let $x;`: $x takes the type of the first value assigned
// to it, which a later statement may give; the first pass learns it and
// asks for a second. A variable never assigned is an int64, with
// bpftrace's warning.
func (c *checker) declare(s *ast.AssignStmt, v *ast.Variable) {
	c.expr(s.RHS)
	t := types.I64
	if old, ok := c.lookupVar(v); ok {
		t = old.Type
	} else if g, ok := c.probe_.grown[c.slotOf(v)]; ok && g.Type.IsValid() {
		t = g.Type
	} else if c.quiet {
		// The first pass: the assignment that types $x may follow.
		c.widened = true
		return
	} else {
		c.warnf(spanOf(s), "Variable %s was never assigned to.", v.Name)
	}
	c.defineVar(v, t)
	c.info.Types[v] = c.probe_.Vars[c.slotOf(v)].Type
}

// letNew reports whether the variable a let statement declares is new:
// one already visible is the newest bpftrace's error, as it allows no
// shadowing (gbt assigned the outer variable).
func (c *checker) letNew(s *ast.AssignStmt, v *ast.Variable) bool {
	old, ok := c.lookupVar(v)
	if !ok || !c.inScope(old.scope) {
		return true
	}
	d := c.errorf(ast.Span{Start: s.Pos(), End: v.EndPos()}, "Variable %s was already declared. Variable shadowing is not allowed.", v.Name)
	first := "This is the initial assignment."
	if old.firstLet {
		first = "This is the initial declaration."
	}
	d.Context = &diag.Diagnostic{Severity: diag.Error, Span: old.first, Msg: first}
	return false
}

// compoundOK reports whether `x op= y` (or x++, x--) is allowed for x of
// type old and y of type y: on integers, and += and -= on pointers (but not
// on args, the probe's context).
func compoundOK(op ast.Op, old, y types.Type) bool {
	if y.IsValid() && !y.IsInt() {
		return false
	}
	return old.IsInt() || old.Kind == types.Pointer && !old.Ctx && op.MovesPointer()
}

// mapKey checks the keys of a map reference and returns the key type.
func (c *checker) mapKey(m *ast.MapRef) types.Type {
	if m.Keys == nil {
		return types.Type{Kind: types.Void}
	}
	switch len(m.Keys) {
	case 0:
		return types.TupleOf()
	case 1:
		return c.keyElem(m.Keys[0])
	}
	elems := make([]types.Type, len(m.Keys))
	for i, k := range m.Keys {
		if elems[i] = c.keyElem(k); !elems[i].IsValid() {
			return types.Type{}
		}
	}
	return types.TupleOf(elems...)
}

// keyElem checks one key of a map reference and returns its type in the key.
func (c *checker) keyElem(k ast.Expr) types.Type {
	t := c.expr(k)
	switch {
	case t.Kind == types.Int && t.Enum == nil && c.sizedKeys():
		return c.keyUseType(k, t)
	case t.Kind == types.Int:
		return mapInt(t)
	case t.Kind == types.Agg || t.Kind == types.Void:
		c.errorf(spanOf(k), "%s can not be used as a map key", t)
		return types.Type{}
	case t.Kind == types.Stack && t.DwarfStack():
		c.errorf(spanOf(k), "dw_ustack can not be used as a map key").
			Hint = "gbt unwinds dw_ustack in user space from a copy of the stack, which differs in every event; print it, or key by ustack"
		return types.Type{}
	case hasCtx(t):
		c.errorf(spanOf(k), "context cannot be used as a map key").
			Hint = "use what it holds instead, e.g. args->name"
		return types.Type{}
	}
	return t
}

// hasCtx reports whether a value of type t is or holds the probe's
// context (args, ctx), which lives only while the probe runs.
func hasCtx(t types.Type) bool {
	switch t.Kind {
	case types.Context:
		return true
	case types.Pointer:
		return t.Ctx
	case types.Tuple:
		for _, e := range t.Elems {
			if hasCtx(e) {
				return true
			}
		}
	}
	return false
}

// assigningNonNegativeLiteral reports whether the statement being checked
// stores an integer literal of at least 0 to m (@x = 1): a value that
// takes the map's sign, as in the newest bpftrace, so it does not make a
// uint64 map signed.
func (c *checker) assigningNonNegativeLiteral(m *ast.MapRef) bool {
	a := c.assigning
	if a == nil || a.LHS != ast.Expr(m) || a.Op.IsCompound() || !literalInt(a.RHS) {
		return false
	}
	n, ok := c.info.Consts[a.RHS]
	return ok && n >= 0
}

// defineMap records or checks the key and value types of a map assignment.
func (c *checker) defineMap(m *ast.MapRef, key, val types.Type) {
	info := c.info.Maps[m.Name]
	if info == nil {
		info = c.maps.new(MapInfo{Name: m.Name, Value: val, Span: spanOf(m)})
		c.info.Maps[m.Name] = info
	}
	if key.IsValid() {
		written := c.keyAsWritten(m, key)
		if !info.written.IsValid() {
			info.written = written
		}
		if !info.Key.IsValid() {
			c.firstKey(info, key, c.keyFlexOf(m))
		} else if !sameKeyShape(info.Key, key) {
			c.errorf(spanOf(m), "%s", keyMismatch(m.Name, written, info.written))
		} else {
			if c.growKey(info, key, c.keyFlexOf(m)) {
				c.widened = true
			}
			info.written = widenWritten(info.written, written)
		}
	}
	if val.IsValid() {
		switch {
		case !info.Value.IsValid():
			info.Value = val
		case !info.Value.Compatible(val):
			c.assignMismatch(m, m.Name, "map", val, info.Value)
		default:
			w := widen(info.Value, val)
			if signedJoin(info.Value, val) && c.cfg.Compat.Has(compat.SignedMapInts) && !c.assigningNonNegativeLiteral(m) {
				w = types.IntOf(64, true)
			}
			// Equal leaves an aggregation's signedness out; widen joins it.
			if !w.Equal(info.Value) || w.AggSigned != info.Value.AggSigned {
				info.Value, c.widened = w, true
			}
		}
		if a := c.assigning; a != nil && a.LHS == ast.Expr(m) && info.Value.Kind == types.Int && info.Value.Signed &&
			literalInt(a.RHS) && bigUint(c.info.Consts[a.RHS], val) && c.cfg.Compat.Has(compat.SignedMapInts) {
			// @x = 18446744073709551615; @x = -1, in the newest's words
			c.errorf(spanOf(a), "Type mismatch for %s: trying to assign value of type '%s' when map already has a value type '%s'", m.Name, val, info.Value)
		}
		if val.Kind == types.Agg && info.Value.Kind == types.Agg && info.Value.AggKind == val.AggKind {
			if !info.paramsSet {
				info.Params, info.paramsSet = c.aggParams, true
			} else if info.Params != c.aggParams {
				c.aggParamsDiffer(m, val.AggKind)
			}
		}
	}
}

// aggParamsDiffer reports an aggregation of map m whose parameters
// (hist's bits, lhist's and tseries' bounds) differ from its first use:
// at the call, in bpftrace's words.
func (c *checker) aggParamsDiffer(m *ast.MapRef, kind types.AggKind) {
	span := spanOf(m)
	if a := c.assigning; a != nil && a.LHS == ast.Expr(m) {
		span = spanOf(a.RHS)
	}
	if kind == types.Hist {
		c.errorf(span, "Different bits in a single hist unsupported")
		return
	}
	c.errorf(span, "Different %s bounds in a single map unsupported", kind) // lhist, tseries
}

// assignMismatch reports a value of type t stored to a variable or map
// (lhs, named name) of type old: at the name in 0.17's words; in the
// newest bpftrace's at the assignment (at the value for an aggregation),
// an aggregation named as its C type (hist_t).
func (c *checker) assignMismatch(lhs ast.Node, name, what string, t, old types.Type) {
	span := spanOf(lhs)
	tn, oldn := aggOrType(t), aggOrType(old)
	if c.cfg.Compat.Has(compat.NewestWords) {
		if s := c.assigning; s != nil && s.LHS == lhs {
			span = spanOf(s)
			if t.Kind == types.Agg {
				span = spanOf(s.RHS)
			}
		}
		if t.Kind == types.Agg {
			tn += "_t"
		}
		if old.Kind == types.Agg {
			oldn += "_t"
		}
	}
	c.errorf(span, "%s", c.cfg.Compat.Sprintf(compat.AssignMismatch, name, tn, what, oldn))
}

func aggOrType(t types.Type) string {
	if t.Kind == types.Agg {
		return t.AggKind.String()
	}
	return t.String()
}

func sameKeyShape(a, b types.Type) bool {
	if a.Kind == types.Void || b.Kind == types.Void {
		return a.Kind == b.Kind
	}
	return a.Compatible(b)
}

// widen returns a with strings grown to fit b (elementwise for tuples),
// and an aggregation signed if either is (as the newest bpftrace makes a
// map of min(-1) and min((uint64)1)).
func widen(a, b types.Type) types.Type {
	if mixed, ok := mixBool(a, b); ok {
		return mixed
	}
	switch {
	case a.Kind == types.Agg && b.Kind == types.Agg:
		a.AggSigned = a.AggSigned || b.AggSigned
	case a.Enum != nil && a.Enum != b.Enum && b.IsInt():
		a.Enum = nil // values of two enums, or an enum and a number
	case a.Kind == types.String && b.Kind == types.String && b.Size > a.Size:
		a.Size = b.Size
	case a.Kind == types.Tuple && b.Kind == types.Tuple && len(a.Elems) == len(b.Elems):
		elems := make([]types.Type, len(a.Elems))
		for i := range a.Elems {
			elems[i] = widenElem(widen(a.Elems[i], b.Elems[i]), b.Elems[i])
		}
		a.Elems = elems
	}
	return a
}
