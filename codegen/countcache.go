package codegen

import (
	"math/bits"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/stdlib"
)

// A keyed count, `@m[key] = count()`, costs a per-CPU hash lookup per
// event: the key is hashed (jhash), its bucket walked and the key compared
// there, a third of what the commonest bpftrace script spends per event.
// Most events repeat a key their CPU has seen (the same comm, pid or
// syscall), so a count map that only user space reads gets a count cache
// in front of it: a per-CPU table of slots, each holding one key and this
// CPU's count of it, indexed by a multiplicative hash of the key computed
// in a few instructions, with no helper call but the table's lookup
// (which the kernel inlines). An event whose key's slot holds another key
// counts in the map as before. A slot is claimed for a key only once the
// map has the key (the claiming event counts in the map), so the map
// holds every key the slots do and fills, refusing keys, as it would
// alone; and counts never move between slots and map, so user space adds
// a key's slot counts to its value in the map and never counts an event
// twice.
//
// A slot is
//
//	state u64: 0 empty, claiming while a CPU writes it, or ready(gen)
//	key   KeySize bytes, rounded up to 8
//	count u64
//
// The generation gen, a u64 in the countGenMap array per cached map,
// empties every slot at once: clear() and zero() in user space bump it,
// and a slot whose state is not ready(gen) is free. So user space never
// writes a slot a CPU may be writing. A CPU marks a slot claiming before
// it writes the key, and ready once key and count are written: a program
// that interrupts another on the same CPU (or preempts it) never sees a
// key half written. (One that interrupts an increment between its load
// and its store loses its own, as in a hash map's per-CPU value.)

// CountCache describes the count cache in front of a keyed count map.
type CountCache struct {
	Map      string // the per-CPU array of one element holding the slots
	Slots    int    // the number of slots, a power of two
	SlotSize int    // bytes per slot, a power of two
	KeySize  int    // the map's key size: the key's bytes at slot offset 8
	// GenOff is the offset of the map's generation in countGenMap's one
	// value.
	GenOff uint32
}

// Slot layout and state values.
const (
	cacheKeyOff   = 8
	cacheClaiming = 2 // never a ready state: those are odd

	countCacheBytes = 8192 // per CPU, for each cached map
	countCacheKey   = 48   // the largest key cached
	countGenMap     = "gbt_count_gen"
)

// CountOff is the offset of a slot's count.
func (cc *CountCache) CountOff() int { return cacheKeyOff + (cc.KeySize+7)&^7 }

// Ready is the state of a slot claimed in generation gen.
func Ready(gen uint64) uint64 { return gen<<1 | 1 }

// planCountCaches gives a count cache to each keyed count map that BPF
// code only adds to (`@m[...] = count()`) and that only user space reads
// or changes (print, clear, zero, and the maps printed at exit).
func (c *compiler) planCountCaches() {
	eligible := map[string]bool{}
	for _, md := range c.obj.Maps {
		mi := md.Info
		if md.Role != RoleUser || mi.Keyless() || mi.Decl != nil || md.Spec.Type != ebpf.PerCPUHash ||
			mi.Value.Kind != types.Agg || mi.Value.AggKind != types.Count ||
			md.Spec.KeySize%4 != 0 || md.Spec.KeySize > countCacheKey || holdsPointer(mi.Key) {
			continue
		}
		eligible[md.Name] = true
	}
	if len(eligible) == 0 {
		return
	}
	allowed := map[*ast.MapRef]bool{}
	var roots []ast.Node
	if c.info.Prog != nil {
		roots = append(roots, c.info.Prog)
	}
	for _, pi := range c.info.Probes {
		roots = append(roots, pi.Probe)
	}
	for _, x := range c.info.Expansions {
		roots = append(roots, x)
	}
	for _, r := range roots {
		ast.Inspect(r, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				if m, ok := n.LHS.(*ast.MapRef); ok && !n.Op.IsCompound() && c.isAggCall(n.RHS) {
					allowed[m] = true
				}
			case *ast.Call:
				if ent := c.entryOf(n); ent != nil && ent.WholeMapInUserSpace {
					for _, a := range n.Args {
						if m, ok := a.(*ast.MapRef); ok && m.Keys == nil {
							allowed[m] = true
						}
					}
				}
			}
			return true
		})
	}
	for _, r := range roots {
		ast.Inspect(r, func(n ast.Node) bool {
			if m, ok := n.(*ast.MapRef); ok && !allowed[m] {
				delete(eligible, m.Name)
			}
			return true
		})
	}
	var genOff uint32
	for _, md := range c.obj.Maps {
		if !eligible[md.Name] {
			continue
		}
		keySize := int(md.Spec.KeySize)
		slotSize := 1 << bits.Len(uint(cacheKeyOff+(keySize+7)&^7+8-1))
		cc := &CountCache{Map: mapObjName(len(c.obj.Maps), md.Name), Slots: countCacheBytes / slotSize, SlotSize: slotSize, KeySize: keySize, GenOff: genOff}
		genOff += 8
		md.Cache = cc
		c.addMap(&MapDesc{Name: cc.Map, Role: RoleCountCache, PerCPU: true, FailSlot: -1, Spec: &ebpf.MapSpec{
			Name: cc.Map, Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: countCacheBytes, MaxEntries: 1}})
	}
	if genOff == 0 {
		return
	}
	c.addMap(&MapDesc{Name: countGenMap, Role: RoleCountGen, FailSlot: -1, Spec: &ebpf.MapSpec{
		Name: countGenMap, Type: ebpf.Array, KeySize: 4, ValueSize: genOff, MaxEntries: 1}})
}

// holdsPointer reports whether a key of type t may hold a pointer the
// verifier tracks as one (a BTF argument): the cache hashes the key's
// words, and the verifier allows no arithmetic on pointers.
func holdsPointer(t types.Type) bool {
	if t.Kind == types.Pointer {
		return true
	}
	for _, e := range t.Elems {
		if holdsPointer(e) {
			return true
		}
	}
	return false
}

// isAggCall reports whether e calls an aggregation (of a count map: the
// checker makes it count()).
func (c *compiler) isAggCall(e ast.Expr) bool {
	call, ok := e.(*ast.Call)
	if !ok {
		return false
	}
	ent := c.entryOf(call)
	if ent == nil {
		return false
	}
	_, ok = ent.AggOf()
	return ok
}

// entryOf returns the builtin a call names, if any.
func (c *compiler) entryOf(call *ast.Call) *stdlib.Entry {
	b, ok := c.info.Builtins[call]
	if !ok {
		return nil
	}
	return c.table.Entry(b.BuiltinName())
}

// countCached compiles `@m[key] = count()` for a map with a count cache,
// the key built at R10+key. A key counts in its slot when the slot holds
// it; otherwise the event counts in the map, as without the cache, and a
// free slot is claimed for the key once the map has it: so the map holds
// every key the slots do, and fills (and refuses keys) as it would alone.
func (g *gen) countCached(m *ast.MapRef, md *MapDesc, key int16) {
	cc := md.Cache
	free, busy, slow, insert, done, fin := g.Label(), g.Label(), g.Label(), g.Label(), g.Label(), g.Label()
	want := g.Alloc(8) // the free slot to claim once the map has the key, or 0
	g.cacheSlot(cc, key, busy)
	// R3 = ready(gen), R4 = the slot's state.
	g.Emit(asm.LoadMem(asm.R4, asm.R0, 0, asm.DWord), asm.JNE.Reg(asm.R4, asm.R3, free))
	words := g.keyWords(cc.KeySize)
	for _, w := range words {
		g.Emit(asm.LoadMem(asm.R1, asm.R0, cacheKeyOff+w.off, w.size), asm.LoadMem(asm.R2, asm.R10, key+w.off, w.size),
			asm.JNE.Reg(asm.R1, asm.R2, busy))
	}
	countOff := int16(cc.CountOff())
	g.Emit(asm.LoadMem(asm.R1, asm.R0, countOff, asm.DWord), asm.Add.Imm(asm.R1, 1),
		asm.StoreMem(asm.R0, countOff, asm.R1, asm.DWord), asm.Ja.Label(fin))
	// The slot is free (empty, or of an earlier generation) unless it is
	// being claimed.
	g.Place(free)
	g.Emit(asm.JEq.Imm(asm.R4, cacheClaiming, busy), asm.StoreMem(asm.R10, want, asm.R0, asm.DWord), asm.Ja.Label(slow))
	g.Place(busy)
	g.Emit(asm.Mov.Imm(asm.R1, 0), asm.StoreMem(asm.R10, want, asm.R1, asm.DWord))
	// The map's path: this CPU's value of the key, made if missing.
	g.Place(slow)
	g.Emit(g.mapPtr(asm.R1, m.Name))
	g.addr(asm.R2, key)
	g.Emit(asm.FnMapLookupElem.Call(), asm.JEq.Imm(asm.R0, 0, insert),
		asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord), asm.Add.Imm(asm.R1, 1), asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord),
		asm.Ja.Label(done))
	g.Place(insert)
	one := g.Alloc(8)
	g.Emit(asm.Mov.Imm(asm.R1, 1), asm.StoreMem(asm.R10, one, asm.R1, asm.DWord), g.mapPtr(asm.R1, m.Name))
	g.addr(asm.R2, key)
	g.addr(asm.R3, one)
	g.Emit(asm.Mov.Imm(asm.R4, 0), asm.FnMapUpdateElem.Call(), asm.JEq.Imm(asm.R0, 0, done))
	g.countFailed(m.Name)
	g.Emit(asm.Ja.Label(fin))
	// The map has the key: claim the free slot, if there was one and no
	// program has claimed it since (the helpers' time), marking it
	// claiming, writing the key and a zero count, then making it ready.
	g.Place(done)
	g.Emit(asm.LoadMem(asm.R0, asm.R10, want, asm.DWord), asm.JEq.Imm(asm.R0, 0, fin))
	g.readyState(cc, asm.R3)
	g.Emit(asm.LoadMem(asm.R4, asm.R0, 0, asm.DWord), asm.JEq.Reg(asm.R4, asm.R3, fin), asm.JEq.Imm(asm.R4, cacheClaiming, fin),
		asm.Mov.Imm(asm.R1, cacheClaiming), asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord))
	for _, w := range words {
		g.Emit(asm.LoadMem(asm.R1, asm.R10, key+w.off, w.size), asm.StoreMem(asm.R0, cacheKeyOff+w.off, asm.R1, w.size))
	}
	g.Emit(asm.Mov.Imm(asm.R1, 0), asm.StoreMem(asm.R0, countOff, asm.R1, asm.DWord), asm.StoreMem(asm.R0, 0, asm.R3, asm.DWord))
	g.Place(fin)
}

// cacheSlot puts in R0 the address of the key's slot (jumping to none
// if the cache's lookup fails) and in R3 the cache's ready state.
func (g *gen) cacheSlot(cc *CountCache, key int16, none string) {
	zk := g.Alloc(8)
	g.Emit(asm.Mov.Imm(asm.R0, 0), asm.StoreMem(asm.R10, zk, asm.R0, asm.DWord), g.mapPtr(asm.R1, cc.Map))
	g.addr(asm.R2, zk)
	g.Emit(asm.FnMapLookupElem.Call(), asm.JEq.Imm(asm.R0, 0, none))
	// R1 = the key's hash: each word mixed in by a multiplication; the
	// top bits index the slot.
	g.Emit(asm.LoadImm(asm.R3, hashMul, asm.DWord))
	for i, w := range g.keyWords(cc.KeySize) {
		if i == 0 {
			g.Emit(asm.LoadMem(asm.R1, asm.R10, key, w.size))
		} else {
			g.Emit(asm.LoadMem(asm.R2, asm.R10, key+w.off, w.size), asm.Xor.Reg(asm.R1, asm.R2))
		}
		g.Emit(asm.Mul.Reg(asm.R1, asm.R3))
	}
	g.Emit(asm.RSh.Imm(asm.R1, int32(64-bits.TrailingZeros(uint(cc.Slots)))),
		asm.LSh.Imm(asm.R1, int32(bits.TrailingZeros(uint(cc.SlotSize)))),
		asm.Add.Reg(asm.R0, asm.R1))
	g.readyState(cc, asm.R3)
}

// readyState loads the cache's ready state, ready(gen), into dst.
func (g *gen) readyState(cc *CountCache, dst asm.Register) {
	g.Emit(g.mapValue(dst, countGenMap, cc.GenOff), asm.LoadMem(dst, dst, 0, asm.DWord),
		asm.LSh.Imm(dst, 1), asm.Or.Imm(dst, 1))
}

// hashMul is the multiplier of the slot hash (Fibonacci hashing: 2^64
// over the golden ratio, odd): the product's top bits depend on every
// bit of the word, small keys included.
const hashMul = -0x61c8864680b583eb // 0x9e3779b97f4a7c15 as an int64

type keyWord struct {
	off  int16
	size asm.Size
}

// keyWords splits a key of size bytes (a multiple of 4) into the loads
// that read it: 8-byte words, and a 4-byte tail.
func (g *gen) keyWords(size int) []keyWord {
	var ws []keyWord
	for off := 0; off < size; {
		if size-off >= 8 {
			ws = append(ws, keyWord{int16(off), asm.DWord})
			off += 8
			continue
		}
		ws = append(ws, keyWord{int16(off), asm.Word})
		off += 4
	}
	return ws
}
