package output

import (
	"fmt"
	"io"

	"github.com/google/pprof/profile"
)

// WritePprof writes stacks as a gzipped pprof profile (google/pprof's
// profile.proto), which `go tool pprof` and speedscope read: one sample
// per stack with its count, one function and location per frame name.
// The frames are those of -f folded (function names, the key's other
// elements as the first frames), so the profile has no addresses or
// source lines. unit names what the counts count ("samples").
func WritePprof(w io.Writer, stacks []FoldedStack, unit string) error {
	p := &profile.Profile{SampleType: []*profile.ValueType{{Type: unit, Unit: "count"}}}
	locs := map[string]*profile.Location{}
	loc := func(name string) *profile.Location {
		if l, ok := locs[name]; ok {
			return l
		}
		f := &profile.Function{ID: uint64(len(p.Function) + 1), Name: name, SystemName: name}
		p.Function = append(p.Function, f)
		l := &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: f}}}
		p.Location = append(p.Location, l)
		locs[name] = l
		return l
	}
	for _, s := range stacks {
		if s.Count <= 0 {
			continue
		}
		sample := &profile.Sample{Value: []int64{s.Count}}
		for i := len(s.Frames) - 1; i >= 0; i-- { // the leaf first
			sample.Location = append(sample.Location, loc(s.Frames[i]))
		}
		p.Sample = append(p.Sample, sample)
	}
	if err := p.CheckValid(); err != nil {
		return fmt.Errorf("pprof profile: %w", err)
	}
	if err := p.Write(w); err != nil {
		return fmt.Errorf("write pprof profile: %w", err)
	}
	return nil
}
