package runtime

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cilium/ebpf"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/runtime/output"
)

// A keyed aggregation map may have a cache in front of it (codegen's
// aggcache.go): per-CPU slots holding a key and that CPU's part of its
// value, updated as the map's per-CPU values are. Reading the map gives
// each key's slot parts as more parts of its value, which the printer
// reduces with the CPUs' (adds them, or takes the extreme of min and
// max); clear() and zero() start a new generation, which frees every
// slot.

// cacheGens reads the generation map's value: a u64 per cache, at its
// GenOff.
func (s *Session) cacheGens() (*ebpf.Map, []byte, error) {
	m := s.mapByRole(codegen.RoleAggCacheGen)
	if m == nil {
		return nil, nil, errors.New("no cache generation map")
	}
	val, err := m.LookupBytes(uint32(0))
	if err != nil {
		return nil, nil, fmt.Errorf("read the cache generations: %w", err)
	}
	return m, val, nil
}

// mergeCache adds the parts md's cache holds in this generation to es,
// the elements read from the map itself.
func (s *Session) mergeCache(md *codegen.MapDesc, es []output.Entry) ([]output.Entry, error) {
	ac := md.Cache
	_, gens, err := s.cacheGens()
	if err != nil {
		return nil, fmt.Errorf("read map %s: %w", md.Name, err)
	}
	gen := binary.NativeEndian.Uint64(gens[ac.GenOff:])
	var perCPU [][]byte
	if err := s.maps[ac.Map].Lookup(uint32(0), &perCPU); err != nil {
		return nil, fmt.Errorf("read map %s's cache: %w", md.Name, err)
	}
	byKey := make(map[string]int, len(es))
	for i, e := range es {
		byKey[string(e.Key)] = i
	}
	for _, slots := range perCPU {
		for off := 0; off+ac.SlotSize <= len(slots); off += ac.SlotSize {
			slot := slots[off : off+ac.SlotSize]
			if !ac.SlotReady(slot, gen) {
				continue
			}
			key := ac.SlotKey(slot)
			i, ok := byKey[string(key)]
			if !ok {
				// A key a clear() deleted from the map after a slot was
				// claimed for it in the clear's generation.
				i = len(es)
				es = append(es, output.Entry{Key: append([]byte(nil), key...)})
				byKey[string(key)] = i
			}
			es[i].Values = append(es[i].Values, ac.SlotValue(slot))
		}
	}
	return es, nil
}

// resetCache frees every slot of md's cache by starting a new generation.
// clear() and zero() do so before they delete or zero the map's
// elements: the map holds every key a slot holds (a slot is claimed only
// for a key the map has), so zero() keeps them all; and a slot claimed
// in the new generation for a key the clear then deletes still has its
// value read (mergeCache).
func (s *Session) resetCache(md *codegen.MapDesc) error {
	genMap, gens, err := s.cacheGens()
	if err != nil {
		return err
	}
	gen := gens[md.Cache.GenOff:]
	binary.NativeEndian.PutUint64(gen, binary.NativeEndian.Uint64(gen)+1)
	if err := genMap.Put(uint32(0), gens); err != nil {
		return fmt.Errorf("clear %s's cache: %w", md.Name, err)
	}
	return nil
}
