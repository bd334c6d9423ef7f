package codegen

import (
	"slices"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/types"
)

// The latency scripts' shape, `/@start[tid]/ { ... nsecs - @start[tid] ...;
// delete(@start[tid]); }`, looks the same element up twice: once in the
// predicate and once in the body. A map read the predicate always makes
// when the body runs is kept in the frame, and the body's reads of the
// same element before anything could change it (a write to that map)
// load it from there: one hash lookup fewer per
// event. The body sees the value that made the predicate true, where a
// second lookup could see another CPU's delete in between.

// mapCache is a probe's reused map reads.
type mapCache struct {
	first map[*ast.MapRef]int16       // the predicate's reads kept, and their slots
	reuse map[*ast.MapRef]*ast.MapRef // a body read, and the predicate's read it reuses
	kept  map[*ast.MapRef]bool        // first reads whose value is stored by now
}

// mapRead computes a map element's integer value into dst: a lookup, or
// the predicate's value when the plan reuses it.
func (g *gen) mapRead(e *ast.MapRef, dst asm.Register) {
	md := g.c.maps[e.Name]
	if md != nil && md.Info.Value.Kind == types.Agg && g.TypeOf(e).IsInt() {
		g.aggRead(e, md, dst) // the checker typed it as its number
		return
	}
	if md == nil || md.Info.Value.Kind == types.Agg {
		g.fail(e, "reading %s is not supported by gbt yet", e.Name)
	}
	if off, ok := g.cache.reused(e); ok {
		g.Emit(asm.LoadMem(dst, asm.R10, off, asm.DWord))
		return
	}
	m := g.mark()
	key := g.buildKeyVia(e, md, dst)
	g.lookupInt(e.Name, key, dst, spanOf(e))
	g.reset(m)
	if off, ok := g.cache.keep(e); ok {
		g.Emit(asm.StoreMem(asm.R10, off, dst, asm.DWord))
	}
}

// keep returns the slot a read of the predicate stores its value in, if
// the body reuses it, and notes that it is stored.
func (c *mapCache) keep(m *ast.MapRef) (int16, bool) {
	if c == nil {
		return 0, false
	}
	off, ok := c.first[m]
	if ok {
		c.kept[m] = true
	}
	return off, ok
}

// reused returns the slot holding the value of the predicate's read that
// m reuses, once that read has stored it.
func (c *mapCache) reused(m *ast.MapRef) (int16, bool) {
	if c == nil {
		return 0, false
	}
	first, ok := c.reuse[m]
	if !ok || !c.kept[first] {
		return 0, false
	}
	return c.first[first], true
}

// planMapCache finds, for the probe of pi, the body's map reads that can
// reuse a read of the predicate. Nothing is reused when -k reports each
// failed lookup (a reused read would not report its own).
func (g *gen) planMapCache() {
	pred := g.pi.Probe.Predicate
	if pred == nil || g.c.opts.HelperErrors != HelperErrorsOff {
		return
	}
	info := g.c.info
	var firsts []*ast.MapRef
	for _, m := range mustReads(info, pred, true) {
		if g.cacheable(m) {
			firsts = append(firsts, m)
		}
	}
	if len(firsts) == 0 {
		return
	}
	type live struct {
		ref *ast.MapRef
		key string
	}
	var lives []live
	for _, m := range firsts {
		lives = append(lives, live{ref: m, key: keyString(m)})
	}
	c := &mapCache{first: map[*ast.MapRef]int16{}, reuse: map[*ast.MapRef]*ast.MapRef{}, kept: map[*ast.MapRef]bool{}}
	for _, s := range g.pi.Probe.Body.Stmts {
		w := writes(info, s)
		lives = slices.DeleteFunc(lives, func(l live) bool {
			return w.all || w.maps[l.ref.Name] // this statement may change it: no reuse from here on
		})
		if len(lives) == 0 {
			break
		}
		for _, r := range reads(s) {
			for _, l := range lives {
				if r.Name == l.ref.Name && g.cacheable(r) && keyString(r) == l.key {
					c.reuse[r] = l.ref
					c.first[l.ref] = 0
				}
			}
		}
	}
	if len(c.reuse) == 0 {
		return
	}
	for m := range c.first {
		c.first[m] = g.Alloc(8)
	}
	g.cache = c
}

// cacheable reports whether m is a read EvalInt makes with one lookup of
// a plain value, under a key of stable terms.
func (g *gen) cacheable(m *ast.MapRef) bool {
	md := g.c.maps[m.Name]
	if md == nil || md.Info == nil || md.Info.Value.Kind == types.Agg || !g.TypeOf(m).IsInt() {
		return false
	}
	for _, k := range m.Keys {
		if !g.stableKey(k) {
			return false
		}
	}
	return true
}

// stableKey reports whether a key expression has one value for the whole
// run of a probe: literals, args (the context), builtins whose stdlib
// entry says so (Entry.PerProbe), and fields, casts and operators of
// those. A predicate's key has no variables: none is assigned yet.
func (g *gen) stableKey(k ast.Expr) bool {
	ok := true
	ast.Inspect(k, func(n ast.Node) bool {
		if !ok {
			return false
		}
		if e, isExpr := n.(ast.Expr); isExpr {
			if _, expanded := g.c.info.Expansions[e]; expanded {
				ok = false
				return false
			}
		}
		switch n := n.(type) {
		case *ast.IntLit, *ast.StrLit, *ast.Tuple, *ast.Field, *ast.Cast, *ast.Positional:
		case *ast.Ident:
			if t := g.TypeOf(n); t.Kind == types.Pointer && t.Ctx {
				break // args
			}
			ent := g.entry(n)
			ok = ent != nil && ent.PerProbe
		case *ast.Unary:
			ok = n.Op != ast.OpInc && n.Op != ast.OpDec
		case *ast.Binary:
			ok = n.Op != ast.OpLAnd && n.Op != ast.OpLOr
		default:
			ok = false
		}
		return ok
	})
	return ok
}

// keyString is the text of a map reference's keys, for comparing two.
func keyString(m *ast.MapRef) string {
	s := ""
	for _, k := range m.Keys {
		s += ast.ExprString(k) + "\x00"
	}
	return s
}

// mustReads returns the map reads evaluating cond always makes when its
// truth is want: both sides of && when true, of || when false, the left
// one otherwise, and the reads of an expression's value (valueReads).
func mustReads(info *check.Info, cond ast.Expr, want bool) []*ast.MapRef {
	if x, ok := info.Expansions[cond]; ok {
		return mustReads(info, x, want)
	}
	switch e := cond.(type) {
	case *ast.Unary:
		if e.Op == ast.OpNot {
			return mustReads(info, e.X, !want)
		}
	case *ast.Binary:
		switch {
		case e.Op == ast.OpLAnd && want, e.Op == ast.OpLOr && !want:
			return append(mustReads(info, e.X, want), mustReads(info, e.Y, want)...)
		case e.Op == ast.OpLAnd, e.Op == ast.OpLOr:
			return valueReads(info, e.X)
		}
	}
	return valueReads(info, cond)
}

// valueReads returns the map reads computing e's value always makes: not
// those behind a short-circuit or a ternary's branches, nor in calls.
func valueReads(info *check.Info, e ast.Expr) []*ast.MapRef {
	if x, ok := info.Expansions[e]; ok {
		return valueReads(info, x)
	}
	switch e := e.(type) {
	case *ast.MapRef:
		return []*ast.MapRef{e}
	case *ast.Unary:
		if e.Op == ast.OpInc || e.Op == ast.OpDec {
			return nil
		}
		return valueReads(info, e.X)
	case *ast.Binary:
		if e.Op == ast.OpLAnd || e.Op == ast.OpLOr {
			return valueReads(info, e.X)
		}
		return append(valueReads(info, e.X), valueReads(info, e.Y)...)
	case *ast.Ternary:
		return valueReads(info, e.Cond)
	case *ast.Cast:
		return valueReads(info, e.X)
	}
	return nil
}

// stmtWrites is what a statement may change: maps by name, or any (all:
// an assignment to something other than a map element or a variable).
type stmtWrites struct {
	maps map[string]bool
	all  bool
}

// writes returns what s may change, looking through macro expansions.
func writes(info *check.Info, s ast.Stmt) stmtWrites {
	w := stmtWrites{maps: map[string]bool{}}
	target := func(x ast.Expr) {
		switch x := x.(type) {
		case *ast.MapRef:
			w.maps[x.Name] = true
		case *ast.Variable:
		default:
			w.all = true
		}
	}
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		if e, ok := n.(ast.Expr); ok {
			if x, ok := info.Expansions[e]; ok {
				ast.Inspect(x, visit)
			}
		}
		switch n := n.(type) {
		case *ast.AssignStmt:
			target(n.LHS)
		case *ast.Unary:
			if n.Op == ast.OpInc || n.Op == ast.OpDec {
				target(n.X)
			}
		case *ast.ForStmt:
			if n.Map != nil {
				w.maps[n.Map.Name] = true
			}
		case *ast.Call:
			for _, a := range n.Args {
				if m, ok := a.(*ast.MapRef); ok {
					w.maps[m.Name] = true // delete(@m[k]), clear(@m), has_key...
				}
			}
		}
		return true
	}
	ast.Inspect(s, visit)
	return w
}

// reads returns the map references of s that are values, outside loops
// (whose bodies may run as callbacks with frames of their own) and
// assignment targets.
func reads(s ast.Stmt) []*ast.MapRef {
	var out []*ast.MapRef
	skip := map[ast.Node]bool{}
	ast.Inspect(s, func(n ast.Node) bool {
		if skip[n] {
			return false
		}
		switch n := n.(type) {
		case *ast.ForStmt, *ast.WhileStmt, *ast.UnrollStmt:
			return false
		case *ast.AssignStmt:
			skip[n.LHS] = true
		case *ast.Unary:
			if n.Op == ast.OpInc || n.Op == ast.OpDec {
				skip[n.X] = true
			}
		case *ast.Call:
			for _, a := range n.Args {
				if _, ok := a.(*ast.MapRef); ok {
					skip[a] = true
				}
			}
		case *ast.MapRef:
			out = append(out, n)
		}
		return true
	})
	return out
}
