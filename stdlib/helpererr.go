package stdlib

import (
	"fmt"

	"github.com/gbt-dev/gbt/lang/ast"
)

// Helper errors: records that no builtin sends but the code generated for
// every map update does, when the kernel refuses the update. User space
// warns at the statement, in bpftrace's words.

// errE2BIG is the kernel's -E2BIG, which map_update_elem returns when a
// map is full.
const errE2BIG = -7

// mapFull is the record sent when a map update fails because the map
// holds its maximum number of entries. Like the entries' codecs it is
// never changed; it is one value so that every table hands out the same.
var mapFull = &Codec{Name: "map full",
	Encode: func(g Gen, _ *ast.Call, ev *Event) {
		rec := g.Alloc(8)
		sendID(g, ev, rec)
		g.Send(rec, 8, false)
	},
	Decode: func(ev *Event, h Host) (Handler, error) {
		start, end := ev.Span.Start, ev.Span.End.Col
		if ev.Span.End.Line != start.Line || end <= start.Col {
			end = start.Col + 1
		}
		msg := fmt.Sprintf("%s:%d:%d-%d: WARNING: Map full; can't update element. "+
			"Try increasing max_map_keys config or manually setting the max entries in a map declaration e.g. `let @a = hash(5000)`\n"+
			"Additional Info - helper: map_update_elem, retcode: %d\n", h.Source(), start.Line, start.Col, end, errE2BIG)
		return func([]byte) error {
			if !h.Warnings() {
				return nil
			}
			_, err := h.Stderr().Write([]byte(msg))
			return err
		}, nil
	}}

// MapFull returns the codec of the record codegen sends when a map update
// fails with E2BIG (the map is full), and that errno.
func (t *Table) MapFull() (*Codec, int32) { return mapFull, errE2BIG }
