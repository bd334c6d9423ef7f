package runtime

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/runtime/output"
)

func (s *Session) userMap(name string) (*codegen.MapDesc, *ebpf.Map) {
	for _, md := range s.obj.Maps {
		if md.Role == codegen.RoleUser && md.Name == name {
			return md, s.maps[md.Spec.Name]
		}
	}
	return nil, nil
}

// readMap reads every element of a user map.
func (s *Session) readMap(md *codegen.MapDesc, m *ebpf.Map) (output.MapLayout, []output.Entry, error) {
	l := output.MapLayout{Name: md.Name, Key: md.Info.Key, Value: md.Info.Value, Params: md.Info.Params}
	if md.Info.Keyless() {
		l.Key = types.Type{Kind: types.Void}
	}
	valSize := int(md.Spec.ValueSize)
	stride := (valSize + 7) &^ 7
	var es []output.Entry
	var prev any
	for {
		next := make([]byte, md.Spec.KeySize)
		err := m.NextKey(prev, &next)
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			break
		}
		if err != nil {
			return l, nil, fmt.Errorf("read map %s: %w", md.Name, err)
		}
		prev = next
		raw, err := m.LookupBytes(next)
		if err != nil {
			if errors.Is(err, ebpf.ErrKeyNotExist) {
				continue
			}
			return l, nil, fmt.Errorf("read map %s: %w", md.Name, err)
		}
		if raw == nil {
			// LookupBytes finds nothing (nil, no error) for a key that a
			// probe deleted since NextKey returned it.
			continue
		}
		e := output.Entry{Key: next}
		if md.PerCPU {
			for off := 0; off+valSize <= len(raw); off += stride {
				e.Values = append(e.Values, raw[off:off+valSize])
			}
		} else {
			e.Values = [][]byte{raw}
		}
		es = append(es, e)
	}
	if md.Cache != nil {
		var err error
		if es, err = s.mergeCache(md, es); err != nil {
			return l, nil, err
		}
	}
	if md.Info.Keyless() && md.Spec.Type == ebpf.PerCPUArray && allZero(es) {
		// A keyless aggregation lives in a per-CPU array, which always has
		// its element; bpftrace prints those it never stored to as empty
		// maps (0.17: but for count and sum, which print 0); those
		// clear() or delete() emptied print nothing, and those zero()
		// reset print their zero values. A count is never stored to when
		// it is 0; a sum of 0 may have been (sum(retval < 0)), so an
		// all-zero sum prints 0.
		_, zeroed := s.zeroed.Load(md.Name)
		_, cleared := s.cleared.Load(md.Name)
		k := md.Info.Value.AggKind
		counted := k == types.Sum || k == types.Count && !s.opts.Compat.Has(compat.SilentUnwrittenCounts)
		if !zeroed && (cleared || !counted) {
			es = nil
		}
	}
	return l, es, nil
}

// allZero reports whether every value of es is all zero bytes.
func allZero(es []output.Entry) bool {
	for _, e := range es {
		for _, v := range e.Values {
			for _, b := range v {
				if b != 0 {
					return false
				}
			}
		}
	}
	return true
}

func (s *Session) printMap(name string, top, div int) error {
	return s.printMapAs(name, top, div, true)
}

// printMapAs prints the map name; asked is print()'s, where the newest
// bpftrace prints an empty keyless map's zero value, not nothing as at
// exit and on SIGUSR1.
func (s *Session) printMapAs(name string, top, div int, asked bool) error {
	md, m := s.userMap(name)
	if md == nil {
		return nil
	}
	l, es, err := s.readMap(md, m)
	if err != nil {
		return err
	}
	if top == 0 {
		top = s.opts.Top
	}
	if asked && len(es) == 0 && md.Info.Keyless() && s.opts.Compat.Has(compat.PrintedEmptyScalars) {
		switch md.Info.Value.AggKind {
		case types.Hist, types.Lhist, types.TSeries:
		default:
			es = []output.Entry{zeroEntry(md)}
		}
	}
	return s.pr.PrintMap(l, es, top, div)
}

// zeroEntry is the element of a keyless map holding its type's zero
// value (on every CPU of a per-CPU map).
func zeroEntry(md *codegen.MapDesc) output.Entry {
	e := output.Entry{Key: make([]byte, md.Spec.KeySize)}
	n := 1
	if md.PerCPU {
		if cpus, err := ebpf.PossibleCPU(); err == nil {
			n = cpus
		}
	}
	for range n {
		e.Values = append(e.Values, make([]byte, md.Spec.ValueSize))
	}
	return e
}

// clearMap deletes every element; keyless aggregations (per-CPU arrays)
// cannot be deleted and are zeroed instead, as bpftrace does.
func (s *Session) clearMap(name string, zero bool) error {
	md, m := s.userMap(name)
	if md == nil {
		return nil
	}
	if md.Info.Keyless() && !s.opts.Compat.Has(compat.EmptiedKeylessMaps) {
		zero = true // 0.17 prints a cleared or deleted keyless map as 0
	}
	switch {
	case zero && md.Info.Keyless():
		s.zeroed.Store(name, true)
		s.cleared.Delete(name)
	case md.Info.Keyless():
		s.zeroed.Delete(name)
		s.cleared.Store(name, true)
	default:
		s.zeroed.Delete(name)
	}
	if md.Cache != nil {
		if err := s.resetCache(md); err != nil {
			return err
		}
	}
	var keys [][]byte
	var prev any
	for {
		next := make([]byte, md.Spec.KeySize)
		if err := m.NextKey(prev, &next); err != nil {
			break
		}
		keys = append(keys, next)
		prev = next
	}
	for _, k := range keys {
		if zero || md.Spec.Type == ebpf.PerCPUArray || md.Spec.Type == ebpf.Array {
			var zeros any = make([]byte, md.Spec.ValueSize)
			if md.PerCPU {
				n, err := ebpf.PossibleCPU()
				if err != nil {
					return err
				}
				per := make([][]byte, n)
				for i := range per {
					per[i] = make([]byte, md.Spec.ValueSize)
				}
				zeros = per
			}
			if err := m.Put(k, zeros); err != nil {
				return fmt.Errorf("zero %s: %w", name, err)
			}
			continue
		}
		if err := m.Delete(k); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return fmt.Errorf("clear %s: %w", name, err)
		}
	}
	return nil
}

// usesKind reports whether any event or map carries a value of kind k
// (alone or inside a tuple key).
func usesKind(obj *codegen.Object, k types.Kind) bool {
	has := func(t types.Type) bool {
		if t.Kind == k {
			return true
		}
		for _, e := range t.Elems {
			if e.Kind == k {
				return true
			}
		}
		return false
	}
	for _, ev := range obj.Events {
		for _, t := range ev.Args {
			if has(t) {
				return true
			}
		}
	}
	for _, md := range obj.Maps {
		if md.Info != nil && (has(md.Info.Value) || has(md.Info.Key)) {
			return true
		}
	}
	return false
}
