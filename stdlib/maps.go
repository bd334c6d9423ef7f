package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
)

// mapEntries work on whole maps or their elements: delete, clear, zero,
// print, has_key, len. clear, zero and print act in user space, in event
// order, so they send a record at once.
func mapEntries() []*Entry {
	printMap := &Codec{Name: "print map", Encode: mapEventEncode, Decode: func(ev *Event, h Host) (Handler, error) {
		return func([]byte) error { return h.PrintMap(ev.Map, ev.Top, ev.Div) }, nil
	}}
	printValue := &Codec{Name: "print value", Encode: printValueEncode, Decode: func(ev *Event, h Host) (Handler, error) {
		return func(rec []byte) error { return h.Printer().PrintValue(ev.Args[0], rec[ev.Offs[0]:]) }, nil
	}}
	clearEv := &Codec{Name: "clear", MapAction: true, Encode: mapEventEncode, Decode: func(ev *Event, h Host) (Handler, error) {
		return func([]byte) error { return h.ClearMap(ev.Map, false) }, nil
	}}
	// delete(@) of a keyless aggregation empties it as clear(@) does.
	deleteAggEv := &Codec{Name: "delete keyless aggregation", MapAction: true, Encode: mapEventEncode, Decode: func(ev *Event, h Host) (Handler, error) {
		return func([]byte) error { return h.ClearMap(ev.Map, false) }, nil
	}}
	zeroEv := &Codec{Name: "zero", MapAction: true, Encode: mapEventEncode, Decode: func(ev *Event, h Host) (Handler, error) {
		return func([]byte) error { return h.ClearMap(ev.Map, true) }, nil
	}}
	return []*Entry{
		{Name: "delete", Kind: check.Func, Doc: "delete(@m, key) or delete(@m[key]): remove a map element; true if it was there", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 2) || !mapArg(u, 0) {
				return types.Type{}
			}
			m, _ := u.IsMap(0)
			info := u.MapInfo(m.Name)
			switch {
			case len(u.Args) == 2:
				// bpftrace 0.22 and later: the map and the key apart.
				if !keyedMapArg(u) || !u.MapKeyMatches(m.Name, 1) {
					return types.Type{}
				}
			case info != nil && !info.Keyless() && m.Keys == nil:
				u.ErrorHint("delete(@m, key) removes one element; clear(@m) removes them all",
					"delete() expects a map element: delete(%s, key)", m.Name)
			}
			return types.Boolean
		}, Events: []*Codec{deleteAggEv}, Emit: IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) {
			m := c.Args[0].(*ast.MapRef)
			if m.Keys == nil && len(c.Args) == 1 && g.TypeOf(m).Kind == types.Agg {
				// A keyless aggregation is one per-CPU array element,
				// which cannot be deleted: user space empties it, as
				// clear() does.
				sends(deleteAggEv)(g, c)
				g.Emit(asm.Mov.Imm(dst, 1))
				return
			}
			if len(c.Args) == 2 {
				m = &ast.MapRef{Name: m.Name, Keys: []ast.Expr{c.Args[1]}}
			}
			key := g.MapKey(m, dst)
			done := g.Label()
			g.Emit(g.MapPtr(asm.R1, m))
			g.Addr(asm.R2, key)
			// bpf_map_delete_elem returns 0, or -ENOENT if the key was not
			// there.
			g.Emit(asm.FnMapDeleteElem.Call(), asm.Mov.Imm(dst, 1), asm.JEq.Imm(asm.R0, 0, done))
			g.HelperFailed("map_delete_elem", c)
			g.Emit(asm.Mov.Imm(dst, 0))
			g.Place(done)
		})},
		{Name: "has_key", Kind: check.Func, Doc: "has_key(@m, key): whether the map has the key", Type: func(u *check.Use) types.Type {
			if !arity(u, 2, 2) || !keyedMapArg(u) {
				return types.Type{}
			}
			m, _ := u.IsMap(0)
			if !u.MapKeyMatches(m.Name, 1) {
				return types.Type{}
			}
			return types.Boolean
		}, Emit: IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) {
			m := c.Args[0].(*ast.MapRef)
			key := g.MapKey(&ast.MapRef{Name: m.Name, Keys: []ast.Expr{c.Args[1]}}, dst)
			found := g.Label()
			g.Emit(g.MapPtr(asm.R1, m))
			g.Addr(asm.R2, key)
			g.Emit(asm.FnMapLookupElem.Call(), asm.Mov.Imm(dst, 1), asm.JNE.Imm(asm.R0, 0, found), asm.Mov.Imm(dst, 0))
			g.Place(found)
		})},
		{Name: "len", Kind: check.Func, Doc: "len(@m): the number of elements in a map; len(stack): the number of frames of a kstack or ustack", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 1) {
				return types.Type{}
			}
			if t, ok := stackLenType(u); ok {
				return t
			}
			if !keyedMapArg(u) {
				return types.Type{}
			}
			return types.I64
		}, Emit: IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) {
			if g.TypeOf(c.Args[0]).Kind == types.Stack {
				emitStackLen(g, c, dst)
				return
			}
			// bpf_for_each_map_elem returns how many elements it visited;
			// the callback only asks to go on.
			g.Emit(g.MapPtr(asm.R1, c.Args[0].(*ast.MapRef)))
			g.Emit(g.ContinueCallback())
			g.Emit(asm.Mov.Imm(asm.R3, 0), asm.Mov.Imm(asm.R4, 0), asm.FnForEachMapElem.Call(), asm.Mov.Reg(dst, asm.R0))
		})},
		{Name: "clear", Kind: check.Func, Doc: "clear(@m): remove every element of a map", Type: wholeMap,
			Emit: sends(clearEv), Events: []*Codec{clearEv}, WholeMapInUserSpace: true},
		{Name: "zero", Kind: check.Func, Doc: "zero(@m): set every value of a map to zero", Type: wholeMap,
			Emit: sends(zeroEv), Events: []*Codec{zeroEv}, WholeMapInUserSpace: true},
		{Name: "print", Kind: check.Func, Doc: "print(@m [, top [, div]]) or print(value): print now", Type: printType,
			Emit: StmtEmitter(func(g Gen, c *ast.Call) {
				if m, ok := c.Args[0].(*ast.MapRef); ok && m.Keys == nil {
					sends(printMap)(g, c)
					return
				}
				sends(printValue)(g, c)
			}), Events: []*Codec{printMap, printValue}, WholeMapInUserSpace: true},
	}
}

// mapEventEncode sends the record of print(@m, top, div), clear(@m) or
// zero(@m): the id alone; the event names the map.
func mapEventEncode(g Gen, c *ast.Call, ev *Event) {
	ev.Map = c.Args[0].(*ast.MapRef).Name
	if len(c.Args) > 1 {
		v, _ := g.Const(c.Args[1])
		ev.Top = int(v)
	}
	if len(c.Args) > 2 {
		v, _ := g.Const(c.Args[2])
		ev.Div = int(v)
	}
	rec := g.Alloc(8)
	sendID(g, ev, rec)
	// User space acts on the map in event order, so it must see this now.
	g.Send(rec, 8, true)
}

// printValueEncode sends print(value): the value follows the id. A
// $variable too big for the stack is copied from its home into a record
// reserved in the ring buffer, not into a second copy in scratch memory.
func printValueEncode(g Gen, c *ast.Call, ev *Event) {
	t := g.TypeOf(c.Args[0])
	ev.AddField(t)
	if _, ok := c.Args[0].(*ast.Variable); ok && ev.Size > bigRecord {
		sendVarInPlace(g, c.Args[0], t, ev)
		return
	}
	rec := g.Alloc(ev.Size)
	g.Zero(rec, ev.Size)
	sendID(g, ev, rec)
	g.Store(c.Args[0], t, rec+int16(ev.Offs[0]))
	g.Send(rec, ev.Size, false)
}

// mapArg checks that argument i names a map.
func mapArg(u *check.Use, i int) bool {
	if _, ok := u.IsMap(i); !ok {
		mapExpected(u, i)
		return false
	}
	return true
}

// mapExpected reports argument i, which is no map, in the words of the
// release gbt follows: the newest bpftrace points at the argument.
func mapExpected(u *check.Use, i int) {
	msg := u.Compat().Sprintf(compat.MapExpected, u.Name())
	if u.Compat().Has(compat.NewestWords) && i < len(u.Args) {
		u.ErrorAt(u.Args[i], "%s", msg)
		return
	}
	u.Errorf("%s", msg)
}

// keyedMapArg checks that the first argument names a whole map that has
// keys.
func keyedMapArg(u *check.Use) bool {
	m, ok := u.IsMap(0)
	if !ok {
		mapExpected(u, 0)
		return false
	}
	if m.Keys != nil {
		u.Errorf("%s() expects a whole map, not an element: %s(%s%s)", u.Name(), u.Name(), m.Name, map[bool]string{true: ", key", false: ""}[len(u.Args) > 1])
		return false
	}
	if info := u.MapInfo(m.Name); info != nil && info.Keyless() {
		u.ErrorHint("a map without keys holds one value: read it as "+m.Name, "call to %s() expects a map with explicit keys (non-scalar map)", u.Name())
		return false
	}
	return true
}

func wholeMap(u *check.Use) types.Type {
	if !arity(u, 1, 1) || !mapArg(u, 0) {
		return types.Type{}
	}
	if m, _ := u.IsMap(0); m.Keys != nil {
		u.Errorf("%s() expects a whole map, not an element: %s(%s)", u.Name(), u.Name(), m.Name)
	}
	return types.Type{Kind: types.Void}
}

func printType(u *check.Use) types.Type {
	if !arity(u, 1, 3) {
		return types.Type{}
	}
	if m, ok := u.IsMap(0); ok && m.Keys == nil {
		for i := 1; i < len(u.Args); i++ {
			if _, ok := u.Const(i); !ok {
				u.Errorf("print() top and div arguments must be integer literals")
				return types.Type{}
			}
		}
		if mi := u.MapInfo(m.Name); len(u.Args) > 1 && mi != nil && mi.Value.AggKind == types.Stats {
			u.Warnf("print()'s top and div arguments are ignored when used on stats() maps.")
		}
		return types.Type{Kind: types.Void}
	}
	if len(u.Args) > 1 {
		u.Errorf("Non-map print() only takes 1 argument, %d found", len(u.Args)) // both bpftraces' words
		return types.Type{}
	}
	switch t := u.ArgTypes[0]; {
	case t.Kind == types.Agg:
		u.Errorf("print() of an aggregation element is not supported; print the whole map")
	case t.Kind == types.Pointer && t.Ctx:
		u.ErrorHint("print a field, print(args->name), or the whole record, print(*args)", "%s type passed to print() is not printable", t)
	}
	return types.Type{Kind: types.Void}
}

// bigRecord is the size of the largest record print(value) builds in the
// frame; a bigger one would need the BPF stack's whole 512 bytes.
const bigRecord = 512

// sendVarInPlace sends print(value) of a $variable v of type t: a record
// reserved in the ring buffer, the id and then v's bytes copied from its
// home, the rest of the record zeroed.
func sendVarInPlace(g Gen, v ast.Expr, t types.Type, ev *Event) {
	home := g.InFrame(v, t)
	rec := g.TakeReg()
	defer g.FreeReg(rec)
	g.SendInPlace(ev, rec, func(string) {
		at := int16(ev.Offs[0])
		n := t.ByteSize()
		i := 0
		for ; i+8 <= n; i += 8 {
			g.Emit(asm.LoadMem(asm.R1, asm.R10, home+int16(i), asm.DWord), asm.StoreMem(rec, at+int16(i), asm.R1, asm.DWord))
		}
		for ; i < n; i++ {
			g.Emit(asm.LoadMem(asm.R1, asm.R10, home+int16(i), asm.Byte), asm.StoreMem(rec, at+int16(i), asm.R1, asm.Byte))
		}
		g.Emit(asm.Mov.Imm(asm.R1, 0))
		for j := int(at) + n; j < ev.Size; j++ {
			g.Emit(asm.StoreMem(rec, int16(j), asm.R1, asm.Byte))
		}
	})
}
