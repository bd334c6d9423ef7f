package codegen

import (
	"encoding/binary"
	"math/bits"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// A keyed aggregation, `@m[key] = count()`, costs a per-CPU hash lookup
// per event: the key is hashed (jhash), its bucket walked and the key
// compared there, a third of what the commonest bpftrace script spends
// per event. Most events repeat a key their CPU has seen (the same comm,
// pid or syscall), so a map of aggregations gets a cache in front of it
// when BPF code only updates it and only user space reads it: a per-CPU
// table of slots, each holding one key and a part of its value that this
// CPU updates as it would its part in the map, indexed by a
// multiplicative hash of the key computed in a few instructions, with no
// helper call but the table's lookup (which the kernel inlines). An event
// whose key's slot holds another key updates the map as before. A slot is
// claimed for a key only once the map has the key (the claiming event
// updates the map), so the map holds every key the slots do and fills,
// refusing keys, as it would alone. Values never move between slots and
// map: user space reads a key's slot parts as more CPUs' parts of its
// value, which the printer reduces with the others (adding them, or
// taking the extreme of min and max), and never counts an event twice.
//
// A slot is
//
//	state u64: 0 empty, claiming while a CPU writes it, or ready(gen)
//	key   KeySize bytes, rounded up to 8
//	value ValueSize bytes: this CPU's part of the key's value
//
// The generation gen, a u64 in the aggCacheGenMap array per cache,
// empties every slot at once: clear() and zero() in user space bump it,
// and a slot whose state is not ready(gen) is free. So user space never
// writes a slot a CPU may be writing. A CPU marks a slot claiming before
// it writes the key, and ready once key and value are written: a program
// that interrupts another on the same CPU (or preempts it) never sees a
// key half written. (One that interrupts an update between its load and
// its store loses its own, as in a hash map's per-CPU value.)

// AggCache describes the cache in front of a keyed aggregation map.
type AggCache struct {
	Map       string // the per-CPU array of one element holding the slots
	Slots     int    // the number of slots, a power of two
	SlotSize  int    // bytes per slot, a power of two
	KeySize   int    // the map's key size: the key's bytes at slot offset 8
	ValueSize int    // the map's value size
	// GenOff is the offset of the cache's generation in aggCacheGenMap's
	// one value.
	GenOff uint32
}

// Slot layout and state values.
const (
	cacheKeyOff   = 8
	cacheClaiming = 2 // never a ready state: those are odd

	aggCacheBytes  = 8192 // per CPU, for each cached map
	aggCacheKey    = 48   // the largest key cached
	minCacheSlots  = 8    // a cache has at least this many slots: hist() (1 KiB) has 8
	aggCacheGenMap = "gbt_cache_gen"
)

// ValueOff is the offset of a slot's value.
func (ac *AggCache) ValueOff() int { return cacheKeyOff + (ac.KeySize+7)&^7 }

// ready is the state of a slot claimed in generation gen.
func ready(gen uint64) uint64 { return gen<<1 | 1 }

// SlotReady reports whether slot, SlotSize bytes of the cache, holds a key
// in generation gen (host byte order, as BPF wrote it).
func (ac *AggCache) SlotReady(slot []byte, gen uint64) bool {
	return binary.NativeEndian.Uint64(slot) == ready(gen)
}

// SlotKey is the key a ready slot holds.
func (ac *AggCache) SlotKey(slot []byte) []byte { return slot[cacheKeyOff : cacheKeyOff+ac.KeySize] }

// SlotValue is this CPU's part of the value of a ready slot's key.
func (ac *AggCache) SlotValue(slot []byte) []byte {
	return slot[ac.ValueOff() : ac.ValueOff()+ac.ValueSize]
}

// planAggCaches gives a cache to each keyed aggregation map whose slot
// fits minCacheSlots times in a cache, that BPF code only updates
// (`@m[...] = count()`) and that only user space reads or changes (print,
// clear, zero, and the maps printed at exit).
func (c *compiler) planAggCaches() {
	eligible := map[string]bool{}
	for _, md := range c.obj.Maps {
		mi := md.Info
		if md.Role != RoleUser || mi.Keyless() || mi.Decl != nil || md.Spec.Type != ebpf.PerCPUHash ||
			mi.Value.Kind != types.Agg || aggCacheBytes/slotSize(md) < minCacheSlots ||
			md.Spec.KeySize%4 != 0 || md.Spec.KeySize > aggCacheKey || holdsPointer(mi.Key) {
			continue
		}
		eligible[md.Name] = true
	}
	if len(eligible) == 0 {
		return
	}
	// One walk: an assignment or a call comes before the map it names
	// (Inspect goes parent first), so each map reference is judged once
	// its place is known. The probes are in Prog; expansions stand for
	// builtin uses there.
	allowed := map[*ast.MapRef]bool{}
	judge := func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if m, ok := n.LHS.(*ast.MapRef); ok && !n.Op.IsCompound() {
				if _, em := c.aggEmitter(n.RHS); em != nil {
					allowed[m] = true
				}
			}
		case *ast.Call:
			if ent := c.entry(n); ent != nil && ent.WholeMapInUserSpace {
				for _, a := range n.Args {
					if m, ok := a.(*ast.MapRef); ok && m.Keys == nil {
						allowed[m] = true
					}
				}
			}
		case *ast.MapRef:
			if !allowed[n] {
				delete(eligible, n.Name)
			}
		}
		return true
	}
	if c.info.Prog != nil {
		ast.Inspect(c.info.Prog, judge)
	}
	for _, x := range c.info.Expansions {
		ast.Inspect(x, judge)
	}
	var genOff uint32
	for _, md := range c.obj.Maps {
		if !eligible[md.Name] {
			continue
		}
		size := slotSize(md)
		ac := &AggCache{Map: mapObjName(len(c.obj.Maps), md.Name), Slots: aggCacheBytes / size, SlotSize: size,
			KeySize: int(md.Spec.KeySize), ValueSize: int(md.Spec.ValueSize), GenOff: genOff}
		genOff += 8
		md.Cache = ac
		c.addMap(&MapDesc{Name: ac.Map, Role: RoleAggCache, PerCPU: true, FailSlot: -1, Spec: &ebpf.MapSpec{
			Name: ac.Map, Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: aggCacheBytes, MaxEntries: 1}})
	}
	if genOff == 0 {
		return
	}
	c.addMap(&MapDesc{Name: aggCacheGenMap, Role: RoleAggCacheGen, FailSlot: -1, Spec: &ebpf.MapSpec{
		Name: aggCacheGenMap, Type: ebpf.Array, KeySize: 4, ValueSize: genOff, MaxEntries: 1}})
}

// slotSize is the size of a slot of md's cache: the state, key and value,
// rounded up to a power of two.
func slotSize(md *MapDesc) int {
	return 1 << bits.Len(uint(cacheKeyOff+(int(md.Spec.KeySize)+7)&^7+int(md.Spec.ValueSize)-1))
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

// cachedUpdate emits the cache's path of an aggregation's update, the key
// built at R10+key: when the key's slot holds the key, it points ptr at
// the slot's value, lets update change it and jumps to fin; otherwise it
// falls through to the map's path. It returns the frame slot holding the
// slot to claim once the map has the key (see claimSlot): the key's slot
// if it is free, else 0.
func (g *gen) cachedUpdate(md *MapDesc, key int16, update func(), ptr asm.Register, fin string) (claim int16) {
	ac := md.Cache
	free, busy, slow := g.Label(), g.Label(), g.Label()
	claim = g.Alloc(8)
	g.cacheSlot(ac, key, busy)
	// R0 = the slot, R3 = ready(gen), R4 = the slot's state.
	g.Emit(asm.LoadMem(asm.R4, asm.R0, 0, asm.DWord), asm.JNE.Reg(asm.R4, asm.R3, free))
	for _, w := range keyWords(ac.KeySize) {
		g.Emit(asm.LoadMem(asm.R1, asm.R0, cacheKeyOff+w.off, w.size), asm.LoadMem(asm.R2, asm.R10, key+w.off, w.size),
			asm.JNE.Reg(asm.R1, asm.R2, busy))
	}
	g.Emit(asm.Mov.Reg(ptr, asm.R0), asm.Add.Imm(ptr, int32(ac.ValueOff())))
	update()
	g.Emit(asm.Ja.Label(fin))
	// The slot is free (empty, or of an earlier generation) unless it is
	// being claimed.
	g.Place(free)
	g.Emit(asm.JEq.Imm(asm.R4, cacheClaiming, busy), asm.StoreMem(asm.R10, claim, asm.R0, asm.DWord), asm.Ja.Label(slow))
	g.Place(busy)
	g.Emit(asm.Mov.Imm(asm.R1, 0), asm.StoreMem(asm.R10, claim, asm.R1, asm.DWord))
	g.Place(slow)
	return claim
}

// claimSlot claims the free slot cachedUpdate kept at R10+claim, if any,
// for the key the map now has, unless a program claimed it since (in the
// helpers' time): it marks it claiming, writes the key and a zero value,
// then makes it ready.
func (g *gen) claimSlot(md *MapDesc, key, claim int16) {
	ac := md.Cache
	done := g.Label()
	g.Emit(asm.LoadMem(asm.R0, asm.R10, claim, asm.DWord), asm.JEq.Imm(asm.R0, 0, done))
	g.readyState(ac, asm.R3)
	g.Emit(asm.LoadMem(asm.R4, asm.R0, 0, asm.DWord), asm.JEq.Reg(asm.R4, asm.R3, done), asm.JEq.Imm(asm.R4, cacheClaiming, done),
		asm.Mov.Imm(asm.R1, cacheClaiming), asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord))
	for _, w := range keyWords(ac.KeySize) {
		g.Emit(asm.LoadMem(asm.R1, asm.R10, key+w.off, w.size), asm.StoreMem(asm.R0, cacheKeyOff+w.off, asm.R1, w.size))
	}
	g.Emit(asm.Mov.Imm(asm.R1, 0))
	if words := ac.ValueSize / 8; words <= 4 {
		for off := 0; off < ac.ValueSize; off += 8 {
			g.Emit(asm.StoreMem(asm.R0, int16(ac.ValueOff()+off), asm.R1, asm.DWord))
		}
	} else {
		// A histogram's words, zeroed in a loop: claims are rare, and
		// the loop is 5 instructions where the stores would be 66.
		loop := g.Label()
		g.Emit(asm.Mov.Reg(asm.R2, asm.R0), asm.Add.Imm(asm.R2, int32(ac.ValueOff())), asm.Mov.Imm(asm.R5, int32(words)))
		g.Place(loop)
		g.Emit(asm.StoreMem(asm.R2, 0, asm.R1, asm.DWord), asm.Add.Imm(asm.R2, 8), asm.Sub.Imm(asm.R5, 1),
			asm.JNE.Imm(asm.R5, 0, loop))
	}
	g.Emit(asm.StoreMem(asm.R0, 0, asm.R3, asm.DWord))
	g.Place(done)
}

// cacheSlot puts in R0 the address of the key's slot (jumping to none
// if the cache's lookup fails) and in R3 the cache's ready state.
func (g *gen) cacheSlot(ac *AggCache, key int16, none string) {
	zk := g.Alloc(8)
	g.Emit(asm.Mov.Imm(asm.R0, 0), asm.StoreMem(asm.R10, zk, asm.R0, asm.DWord), g.mapPtr(asm.R1, ac.Map))
	g.addr(asm.R2, zk)
	g.Emit(asm.FnMapLookupElem.Call(), asm.JEq.Imm(asm.R0, 0, none))
	// R1 = the key's hash: each word mixed in by a multiplication; the
	// top bits index the slot.
	g.Emit(asm.LoadImm(asm.R3, hashMul, asm.DWord))
	for i, w := range keyWords(ac.KeySize) {
		if i == 0 {
			g.Emit(asm.LoadMem(asm.R1, asm.R10, key, w.size))
		} else {
			g.Emit(asm.LoadMem(asm.R2, asm.R10, key+w.off, w.size), asm.Xor.Reg(asm.R1, asm.R2))
		}
		g.Emit(asm.Mul.Reg(asm.R1, asm.R3))
	}
	g.Emit(asm.RSh.Imm(asm.R1, int32(64-bits.TrailingZeros(uint(ac.Slots)))),
		asm.LSh.Imm(asm.R1, int32(bits.TrailingZeros(uint(ac.SlotSize)))),
		asm.Add.Reg(asm.R0, asm.R1))
	g.readyState(ac, asm.R3)
}

// readyState loads the cache's ready state, ready(gen), into dst.
func (g *gen) readyState(ac *AggCache, dst asm.Register) {
	g.Emit(g.mapValue(dst, aggCacheGenMap, ac.GenOff), asm.LoadMem(dst, dst, 0, asm.DWord),
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
func keyWords(size int) []keyWord {
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
