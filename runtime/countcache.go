package runtime

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cilium/ebpf"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/runtime/output"
)

// A keyed count map may have a count cache in front of it (codegen's
// countcache.go): per-CPU slots holding a key and that CPU's count of it.
// Reading the map adds each slot's count to its key's value on that CPU;
// clear() and zero() start a new generation, which frees every slot.

// countGen reads the generation of md's count cache.
func (s *Session) countGen(cc *codegen.CountCache) (uint64, *ebpf.Map, []byte, error) {
	m := s.mapByRole(codegen.RoleCountGen)
	if m == nil {
		return 0, nil, nil, errors.New("no count cache generation map")
	}
	val, err := m.LookupBytes(uint32(0))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("read count cache generation: %w", err)
	}
	return binary.NativeEndian.Uint64(val[cc.GenOff:]), m, val, nil
}

// mergeCountCache adds the counts md's cache holds in this generation to
// es, the elements read from the map itself.
func (s *Session) mergeCountCache(md *codegen.MapDesc, es []output.Entry) ([]output.Entry, error) {
	cc := md.Cache
	gen, _, _, err := s.countGen(cc)
	if err != nil {
		return nil, fmt.Errorf("read map %s: %w", md.Name, err)
	}
	var perCPU [][]byte
	if err := s.maps[cc.Map].Lookup(uint32(0), &perCPU); err != nil {
		return nil, fmt.Errorf("read map %s's count cache: %w", md.Name, err)
	}
	byKey := make(map[string]int, len(es))
	for i, e := range es {
		byKey[string(e.Key)] = i
	}
	ready, countOff := codegen.Ready(gen), cc.CountOff()
	for cpu, slots := range perCPU {
		for off := 0; off+cc.SlotSize <= len(slots); off += cc.SlotSize {
			slot := slots[off : off+cc.SlotSize]
			n := binary.NativeEndian.Uint64(slot[countOff:])
			if binary.NativeEndian.Uint64(slot) != ready || n == 0 {
				continue
			}
			key := slot[8 : 8+cc.KeySize]
			i, ok := byKey[string(key)]
			if !ok {
				e := output.Entry{Key: append([]byte(nil), key...)}
				for range perCPU {
					e.Values = append(e.Values, make([]byte, md.Spec.ValueSize))
				}
				i = len(es)
				es = append(es, e)
				byKey[string(key)] = i
			}
			v := es[i].Values[cpu]
			binary.NativeEndian.PutUint64(v, binary.NativeEndian.Uint64(v)+n)
		}
	}
	return es, nil
}

// resetCountCache frees every slot of md's cache by starting a new
// generation. clear() and zero() do so before they delete or zero the
// map's elements: the map holds every key a slot holds (a slot is
// claimed only for a key the map has), so zero() keeps them all; and a
// slot claimed in the new generation for a key the clear then deletes
// still has its count read (mergeCountCache).
func (s *Session) resetCountCache(md *codegen.MapDesc) error {
	gen, genMap, val, err := s.countGen(md.Cache)
	if err != nil {
		return err
	}
	binary.NativeEndian.PutUint64(val[md.Cache.GenOff:], gen+1)
	if err := genMap.Put(uint32(0), val); err != nil {
		return fmt.Errorf("clear %s's count cache: %w", md.Name, err)
	}
	return nil
}
