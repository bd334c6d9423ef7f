package runtime

import (
	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/runtime/output"
)

// StackMaps are the folded stacks of the maps keyed by kstack or ustack,
// as Options.Stacks receives them at exit.
type StackMaps struct {
	Names  []string // the maps', in program order
	Stacks []output.FoldedStack
}

// foldedStacks reads every Foldable user map into folded stacks. With
// several such maps each map's stacks start with a frame named after it,
// so that the maps are side by side in a flame graph, not added up.
func (s *Session) foldedStacks() (StackMaps, error) {
	var out StackMaps
	var per [][]output.FoldedStack
	for _, md := range s.obj.Maps {
		if md.Role != codegen.RoleUser {
			continue
		}
		l, es, err := s.readMap(md, s.maps[md.Spec.Name])
		if err != nil {
			return out, err
		}
		if !l.Foldable() {
			continue
		}
		st, err := s.pr.Folded(l, es)
		if err != nil {
			return out, err
		}
		out.Names = append(out.Names, md.Name)
		per = append(per, st)
	}
	for i, st := range per {
		for _, f := range st {
			if len(per) > 1 {
				f.Frames = append([]string{out.Names[i]}, f.Frames...)
			}
			out.Stacks = append(out.Stacks, f)
		}
	}
	return out, nil
}
