package check

import (
	"strconv"

	"github.com/gbt-dev/gbt/lang/ast"
)

// scopes tracks the blocks of one probe as the checker walks them, so that
// a variable whose block has ended may be defined again with another type,
// as in the newest bpftrace, where variables are block-scoped:
//
//	for ($kv : @ints) { ... } for ($kv : @strs) { ... }
//
// gbt keeps 0.17's reach, a variable outlives its block, so that 0.17
// scripts keep running; only a definition that would otherwise be a type
// mismatch with a variable of an ended block starts a new one, in its own
// frame slot.
type scopes struct {
	open []int // ids of the blocks being walked, innermost last
	n    int   // blocks entered so far
	// bound maps a name to the slot of Vars it stands for, where that is
	// not the name itself; slots records it for each use of such a name.
	bound map[string]string
	slots map[*ast.Variable]string
}

// Slot returns the key in Vars (and the frame slot) of the variable that
// use v stands for.
func (pi *ProbeInfo) Slot(v *ast.Variable) string {
	if s, ok := pi.scopes.slots[v]; ok {
		return s
	}
	return v.Name
}

// enter opens a block scope; the returned func closes it.
func (c *checker) enter() func() {
	s := &c.probe_.scopes
	s.n++
	s.open = append(s.open, s.n)
	return func() { s.open = s.open[:len(s.open)-1] }
}

// inScope reports whether block id is being walked.
func (c *checker) inScope(id int) bool {
	for _, o := range c.probe_.scopes.open {
		if o == id {
			return true
		}
	}
	return false
}

// scope is the innermost open block.
func (c *checker) scope() int {
	if o := c.probe_.scopes.open; len(o) > 0 {
		return o[len(o)-1]
	}
	return 0
}

// slotOf returns the slot use v stands for now, and records it.
func (c *checker) slotOf(v *ast.Variable) string {
	s := &c.probe_.scopes
	slot, ok := s.bound[v.Name]
	if !ok {
		return v.Name
	}
	if s.slots == nil {
		s.slots = map[*ast.Variable]string{}
	}
	s.slots[v] = slot
	return slot
}

// rebind makes v's name stand for a new slot from here on, and returns it.
func (c *checker) rebind(v *ast.Variable) string {
	s := &c.probe_.scopes
	if s.bound == nil {
		s.bound = map[string]string{}
	}
	slot := v.Name
	for i := 2; c.probe_.Vars[slot] != nil; i++ {
		slot = v.Name + "#" + strconv.Itoa(i)
	}
	s.bound[v.Name] = slot
	return c.slotOf(v)
}

// lookupVar returns the variable use v stands for.
func (c *checker) lookupVar(v *ast.Variable) (*VarInfo, bool) {
	vi, ok := c.probe_.Vars[c.slotOf(v)]
	return vi, ok
}
