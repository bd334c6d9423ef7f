package check

import (
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
)

// Map keys sized by their type, as the newest bpftrace stores them
// (compat.SizedMapKeys): `@[pid]` has a 4-byte key, `@[1]` a 1-byte one,
// and a map used with keys of several integer types takes the type
// bpftrace promotes them to, over every use, reads, has_key and delete
// too, so that no use's key is cut short. Without SizedMapKeys (0.17)
// every integer key is 64 bits wide (keyElem), signed as its first use.

// keyFlex says which integers of a map key's type have a flexible sign:
// those given only non-negative integer literals, which take the sign of
// the map's other keys (bpftrace's sign-flexible literal types). elems
// follow a tuple's elements.
type keyFlex struct {
	flex  bool
	elems []keyFlex
}

// sizedKeys reports whether integer map keys keep their own size.
func (c *checker) sizedKeys() bool { return c.cfg.Compat.Has(compat.SizedMapKeys) }

// keyUseType is the type key expression k, of type t, asks of its map
// with sized keys: an integer literal's the smallest signed integer that
// holds it, any other expression's its own.
func (c *checker) keyUseType(k ast.Expr, t types.Type) types.Type {
	if t.Kind == types.Int && t.Enum == nil {
		return c.sizedLiteral(k, t)
	}
	return t
}

// keyFlexOf returns the sign flexibility of the key of map reference m.
func (c *checker) keyFlexOf(m *ast.MapRef) keyFlex {
	switch len(m.Keys) {
	case 0:
		return keyFlex{}
	case 1:
		return c.exprFlex(m.Keys[0])
	}
	f := keyFlex{elems: make([]keyFlex, len(m.Keys))}
	for i, k := range m.Keys {
		f.elems[i] = c.exprFlex(k)
	}
	return f
}

// exprFlex returns the sign flexibility of key expression e: a
// non-negative integer literal (or arithmetic of literals) is flexible,
// and so are such elements of a tuple literal.
func (c *checker) exprFlex(e ast.Expr) keyFlex {
	if t, ok := e.(*ast.Tuple); ok {
		f := keyFlex{elems: make([]keyFlex, len(t.Elems))}
		for i, x := range t.Elems {
			f.elems[i] = c.exprFlex(x)
		}
		return f
	}
	if !literalInt(e) {
		return keyFlex{}
	}
	v, ok := c.info.Consts[e]
	t := c.info.Types[e]
	return keyFlex{flex: ok && v >= 0 && !(t.Bits == 64 && !t.Signed)}
}

// growKey makes the key of map info hold a use's key of type key
// (sign flexibility f), which has the map's key shape; it reports whether
// the key type changed.
func (c *checker) growKey(info *MapInfo, key types.Type, f keyFlex) bool {
	var w types.Type
	if c.sizedKeys() {
		w, info.keyFlex = promoteKey(info.Key, info.keyFlex, key, f)
	} else {
		w = widen(info.Key, key)
	}
	if w.Equal(info.Key) {
		return false
	}
	info.Key = w
	return true
}

// readKey grows the key of the map m reads (with sized keys) to hold the
// read's key: a read with a wider key than the map's writes must not
// find an element its value was cut to. A map not defined yet keeps the
// read's key for its definition (pendingKeys).
func (c *checker) readKey(m *ast.MapRef, info *MapInfo, key types.Type) {
	if !c.sizedKeys() || !key.IsValid() || key.Kind == types.Void {
		return
	}
	f := c.keyFlexOf(m)
	if info == nil {
		if c.quiet {
			c.pendKey(m.Name, key, f)
		}
		return
	}
	if info.Key.IsValid() && info.Key.Kind != types.Void && sameKeyShape(info.Key, key) && c.growKey(info, key, f) {
		c.widened = true
	}
}

// pendingKey is the key of reads of a map made before its first
// definition, in the first pass.
type pendingKey struct {
	key  types.Type
	flex keyFlex
}

func (c *checker) pendKey(name string, key types.Type, f keyFlex) {
	if c.pendingKeys == nil {
		c.pendingKeys = map[string]pendingKey{}
	}
	p, ok := c.pendingKeys[name]
	switch {
	case !ok:
		p = pendingKey{key, f}
	case sameKeyShape(p.key, key):
		p.key, p.flex = promoteKey(p.key, p.flex, key, f)
	default:
		return // reported when the map is defined
	}
	c.pendingKeys[name] = p
}

// firstKey sets the key of map info, first defined with a key of type
// key (flexibility f), from it and the reads made before.
func (c *checker) firstKey(info *MapInfo, key types.Type, f keyFlex) {
	info.Key, info.keyFlex = key, f
	if p, ok := c.pendingKeys[info.Name]; ok && c.sizedKeys() && key.Kind != types.Void && sameKeyShape(key, p.key) {
		info.Key, info.keyFlex = promoteKey(key, f, p.key, p.flex)
	}
}

// promoteKey is the key type of a map whose key so far is cur (sign
// flexibility cf) used with a key of type nw (nf), of the same shape:
// bpftrace's get_promoted_type. Integers take promoteInt, tuples promote
// element by element, and other kinds widen as values do (strings to the
// longer).
func promoteKey(cur types.Type, cf keyFlex, nw types.Type, nf keyFlex) (types.Type, keyFlex) {
	switch {
	case cur.Kind == types.Int && nw.Kind == types.Int:
		if cur.Equal(nw) {
			return cur, keyFlex{flex: cf.flex && nf.flex}
		}
		return promoteInt(cur, cf.flex, nw, nf.flex)
	case cur.Kind == types.Tuple && nw.Kind == types.Tuple && len(cur.Elems) == len(nw.Elems):
		elems := make([]types.Type, len(cur.Elems))
		f := keyFlex{elems: make([]keyFlex, len(cur.Elems))}
		for i := range cur.Elems {
			elems[i], f.elems[i] = promoteKey(cur.Elems[i], cf.elem(i), nw.Elems[i], nf.elem(i))
		}
		return types.TupleOf(elems...), f
	}
	return widen(cur, nw), keyFlex{}
}

func (f keyFlex) elem(i int) keyFlex {
	if i < len(f.elems) {
		return f.elems[i]
	}
	return keyFlex{}
}

// promoteInt is bpftrace's get_promoted_int: the integer type holding
// both a (flexible sign: af) and b. Of two signs, a flexible one takes
// the other's, at the wider size; else the signed one if it is wider,
// else a signed type twice the wider size (int64 at most). The result
// is a plain integer (an enum mixed with another type loses its names).
func promoteInt(a types.Type, af bool, b types.Type, bf bool) (types.Type, keyFlex) {
	bits := max(a.Bits, b.Bits)
	if a.Signed == b.Signed {
		return types.IntOf(bits, a.Signed), keyFlex{flex: af && bf}
	}
	switch {
	case af || bf:
		signed := (!af && a.Signed) || (!bf && b.Signed)
		return types.IntOf(bits, signed), keyFlex{flex: af && bf}
	case a.Signed && a.Bits > b.Bits:
		return types.IntOf(a.Bits, true), keyFlex{}
	case b.Signed && b.Bits > a.Bits:
		return types.IntOf(b.Bits, true), keyFlex{}
	}
	return types.IntOf(min(2*bits, 64), true), keyFlex{}
}
