package stdlib

import (
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/types"
)

// TestTableIsValid: the families assemble into a valid table.
func TestTableIsValid(t *testing.T) {
	var es []*Entry
	for _, f := range families() {
		es = append(es, f...)
	}
	if err := validate(es); err != nil {
		t.Fatal(err)
	}
	tb := New()
	if len(tb.Entries()) != len(es) {
		t.Errorf("Entries() has %d entries, the families %d", len(tb.Entries()), len(es))
	}
	for _, e := range es {
		for _, n := range append([]string{e.Name}, e.Aliases...) {
			if got := tb.Entry(n); got == nil || got.Name != e.Name {
				t.Errorf("Entry(%q) is not the entry %s", n, e.Name)
			}
			if _, ok := tb.Lookup(n); !ok {
				t.Errorf("Lookup(%q) fails", n)
			}
		}
	}
}

// TestValidateCatches: each kind of gap in the table is an error.
func TestValidateCatches(t *testing.T) {
	rule := fixed(types.U64)
	int1 := IntEmitter(func(Gen, *ast.Call, asm.Register) {})
	stmt := StmtEmitter(func(Gen, *ast.Call) {})
	enc := func(Gen, *ast.Call, *Event) {}
	dec := func(*Event, Host) (Handler, error) { return nil, nil }
	ok := func(name string) *Entry { return &Entry{Name: name, Kind: check.Var, Doc: "d", Type: rule, Emit: int1} }
	shared := &Codec{Name: "s", Encode: enc, Decode: dec}
	for _, tc := range []struct {
		name string
		es   []*Entry
		want string
	}{
		{"duplicate name", []*Entry{ok("a"), ok("a")}, "a: the name a is taken twice"},
		{"alias taken", []*Entry{ok("a"), {Name: "b", Aliases: []string{"a"}, Kind: check.Var, Doc: "d", Type: rule, Emit: int1}}, "b: the name a is taken twice"},
		{"no type rule", []*Entry{{Name: "a", Kind: check.Var, Doc: "d", Emit: int1}}, "a: no type rule"},
		{"no doc", []*Entry{{Name: "a", Kind: check.Var, Type: rule, Emit: int1}}, "a: no doc"},
		{"no emitter", []*Entry{{Name: "a", Kind: check.Var, Doc: "d", Type: rule}}, "a: no emitter, and no reason"},
		{"emitter and reason", []*Entry{{Name: "a", Kind: check.Var, Doc: "d", Type: rule, Emit: int1, NoCode: "x"}}, "a: both an emitter and a reason"},
		{"agg without AggEmitter", []*Entry{{Name: "a", Kind: check.Agg, Doc: "d", Type: rule, Emit: int1}}, "a: aggregations, and only they"},
		{"AggEmitter on a function", []*Entry{{Name: "a", Kind: check.Func, Doc: "d", Type: rule, Emit: AggEmitter(func(Gen, *ast.Call, asm.Register, asm.Register) {})}}, "a: aggregations, and only they"},
		{"event without decoder", []*Entry{{Name: "a", Kind: check.Func, Doc: "d", Type: rule, Emit: stmt, Events: []*Codec{{Name: "e", Encode: enc}}}}, "a: event e has no decoder"},
		{"event without encoder", []*Entry{{Name: "a", Kind: check.Func, Doc: "d", Type: rule, Emit: stmt, Events: []*Codec{{Name: "e", Decode: dec}}}}, "a: event e has no encoder"},
		{"event from a memory value", []*Entry{{Name: "a", Kind: check.Func, Doc: "d", Type: rule, Emit: MemEmitter(func(Gen, *ast.Call, int16, int) {}), Events: []*Codec{shared}}}, "a: sends events but has no statement or integer emitter"},
		{"event of two entries", []*Entry{
			{Name: "a", Kind: check.Func, Doc: "d", Type: rule, Emit: stmt, Events: []*Codec{shared}},
			{Name: "b", Kind: check.Func, Doc: "d", Type: rule, Emit: stmt, Events: []*Codec{shared}},
		}, "b: event s is declared by a too"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newTable(tc.es)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestAppendJoin(t *testing.T) {
	rec := make([]byte, 8+3*JoinArgSize)
	copy(rec[8:], "ls")
	copy(rec[8+JoinArgSize:], "-l")
	if got := string(appendJoin(nil, rec, ", ")); got != "ls, -l" {
		t.Errorf("got %q", got)
	}
	if got := string(appendJoin(nil, rec[:8], " ")); got != "" {
		t.Errorf("a record without strings: got %q", got)
	}
}

// TestMapActionCodecs: the records the runtime still applies after
// exit() are those that change the maps (clear, zero, delete of a keyless
// aggregation), as those of bpftrace's map actions; output is not one.
func TestMapActionCodecs(t *testing.T) {
	want := map[string]bool{"clear": true, "zero": true, "delete keyless aggregation": true}
	seen := map[string]bool{}
	for _, e := range New().Entries() {
		for _, c := range e.Events {
			if c.MapAction != want[c.Name] {
				t.Errorf("%s: event %s has MapAction %v", e.Name, c.Name, c.MapAction)
			}
			seen[c.Name] = true
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("no entry sends %s", name)
		}
	}
}
