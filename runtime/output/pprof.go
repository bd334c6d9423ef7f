package output

import (
	"compress/gzip"
	"fmt"
	"io"
)

// WritePprof writes stacks as a gzipped pprof profile (google/pprof's
// profile.proto), which `go tool pprof` and speedscope read: one sample
// per stack with its count, one function and location per frame name.
// The frames are those of -f folded (function names, the key's other
// elements as the first frames), so the profile has no addresses or
// source lines. unit names what the counts count ("samples").
//
// The few messages it needs are encoded here: google/pprof's package
// compiles regular expressions when the program starts, which every gbt
// run would pay for.
func WritePprof(w io.Writer, stacks []FoldedStack, unit string) error {
	var p pprofEncoder
	p.strings = map[string]int64{"": 0}
	p.table = []string{""}
	locs := map[string]uint64{}
	var locations, functions []byte
	loc := func(name string) uint64 {
		if id, ok := locs[name]; ok {
			return id
		}
		id := uint64(len(locs) + 1)
		locs[name] = id
		s := uint64(p.str(name))
		functions = appendMessage(functions, 5, appendUint(appendUint(appendUint(nil, 1, id), 2, s), 3, s))
		line := appendUint(nil, 1, id) // Line.function_id
		locations = appendMessage(locations, 4, appendMessage(appendUint(nil, 1, id), 4, line))
		return id
	}
	var out []byte
	vt := appendUint(appendUint(nil, 1, uint64(p.str(unit))), 2, uint64(p.str("count")))
	out = appendMessage(out, 1, vt) // sample_type
	for _, s := range stacks {
		if s.Count <= 0 {
			continue
		}
		var ids []byte
		for i := len(s.Frames) - 1; i >= 0; i-- { // the leaf first
			ids = appendVarint(ids, loc(s.Frames[i]))
		}
		sample := appendBytes(nil, 1, ids) // packed location_id
		sample = appendBytes(sample, 2, appendVarint(nil, uint64(s.Count)))
		out = appendMessage(out, 2, sample)
	}
	out = append(out, locations...)
	out = append(out, functions...)
	for _, s := range p.table {
		out = appendBytes(out, 6, []byte(s))
	}
	zw := gzip.NewWriter(w)
	if _, err := zw.Write(out); err != nil {
		return fmt.Errorf("write pprof profile: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write pprof profile: %w", err)
	}
	return nil
}

// pprofEncoder holds a profile's string table.
type pprofEncoder struct {
	strings map[string]int64
	table   []string
}

// str returns s's index in the string table, adding it.
func (p *pprofEncoder) str(s string) int64 {
	if i, ok := p.strings[s]; ok {
		return i
	}
	i := int64(len(p.table))
	p.strings[s] = i
	p.table = append(p.table, s)
	return i
}

// Protocol buffers wire format: a varint field (type 0) and a
// length-delimited one (type 2).
func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendUint(b []byte, field int, v uint64) []byte {
	return appendVarint(appendVarint(b, uint64(field)<<3), v)
}

func appendBytes(b []byte, field int, data []byte) []byte {
	b = appendVarint(b, uint64(field)<<3|2)
	return append(appendVarint(b, uint64(len(data))), data...)
}

func appendMessage(b []byte, field int, msg []byte) []byte { return appendBytes(b, field, msg) }
