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

// foldedStacks reads every Foldable user map into folded stacks, the
// maps' stacks one after another.
func (s *Session) foldedStacks() (StackMaps, error) {
	var out StackMaps
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
		out.Stacks = append(out.Stacks, st...)
	}
	return out, nil
}
