// Package stdlib is the one table of gbt's builtins: variables (pid, comm,
// nsecs...), functions (printf, str, exit...) and aggregations (count,
// hist...). An entry owns its documentation, its type rule (used by
// lang/check through the check.Builtins interface), its code emitter (used
// by codegen through the Gen interface) and, when it sends ring-buffer
// records, both ends of each record: the BPF code that lays it out and the
// user-space code that decodes and acts on it (through the Host interface
// the runtime implements).
//
// The entries live in one file per family (vars.go, strings.go, ...); New
// assembles them and validates the whole table. Nothing else in gbt
// switches on builtin names or event kinds. stdlib must not import codegen
// or runtime: they import it.
//
// Adding a builtin is adding its entry to its family: a type rule, an
// emitter written with Gen's generic primitives (or a NoCode reason) and,
// if it sends records, a Codec whose Encode lays a record out and whose
// Decode acts on it through Host. codegen's tests then ask for a
// disassembly script that uses it, which also goes through the verifier.
package stdlib

import (
	"errors"
	"fmt"
	"sort"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/types"
)

// Entry is one builtin.
type Entry struct {
	Name    string
	Aliases []string // other names of the same builtin (numcpus for ncpus)
	Kind    check.BuiltinKind
	Doc     string // one line, for --info, REPL completion and docs
	// Type is the type rule: it checks a use and returns the result type.
	Type func(u *check.Use) types.Type
	// Emit generates the BPF code of a use: one of the emitter kinds
	// (IntEmitter, MemEmitter, SplitEmitter, StmtEmitter, AggEmitter).
	Emit Emitter
	// NoCode, set instead of Emit, says why the entry needs no emitter:
	// every use is refused before code generation (by the type rule, or
	// where a value of its type is used: ctx), or folded to a constant by
	// the type rule (kaddr).
	NoCode string
	// TextArg says the first argument takes a positional parameter as
	// its text (str($1), str($1 + 1)); see check.TextArgs.
	TextArg bool
	// EndsProbe says a call never returns to the statement after it: it
	// ends the probe (exit); see check.ProbeEnder.
	EndsProbe bool
	// Events are the ring-buffer records the entry sends, each with its
	// BPF encoder and its user-space decoder.
	Events []*Codec
	// Needs says what a kernel must have, or allow, for the helper the
	// entry calls: the hint when a kernel lacks or refuses that helper
	// at a use of the entry.
	Needs string
	// InPlace, if set, lets codegen read a memory value's bytes where
	// they lie instead of copying them (comm compared with a literal): it
	// puts in dst (callee-saved) a pointer the bytes can be loaded from
	// directly, at dst+off (8-byte aligned), or returns false having
	// emitted nothing where the probe (or the use: c, nil for a bare
	// name) cannot.
	InPlace func(g Gen, c *ast.Call, dst asm.Register) (off int16, ok bool)
	// PerProbe says the builtin, used bare, has one value for the whole
	// run of a probe (pid, comm, arg0...; not nsecs or rand): a map read
	// keyed by it can be reused within the run (codegen's map-read plan).
	PerProbe bool
	// WholeMapInUserSpace says a map given bare (no keys) as an argument
	// is read or changed by user space alone (print, clear, zero), never
	// by the probe's BPF code: codegen may keep parts of such a map's
	// values where only user space reads them (its aggregation cache).
	WholeMapInUserSpace bool
}

// BuiltinName implements check.Builtin.
func (e *Entry) BuiltinName() string { return e.Name }

// BuiltinKind implements check.Builtin.
func (e *Entry) BuiltinKind() check.BuiltinKind { return e.Kind }

// TakesText implements check.TextArgs.
func (e *Entry) TakesText() bool { return e.TextArg }

// EndsTheProbe implements check.ProbeEnder.
func (e *Entry) EndsTheProbe() bool { return e.EndsProbe }

// TypeOf implements check.Builtin.
func (e *Entry) TypeOf(u *check.Use) types.Type { return e.Type(u) }

// Table is the builtin table; it implements check.Builtins.
type Table struct {
	byName map[string]*Entry
	names  []string // names and aliases, sorted
}

// families returns the entries of every family file.
func families() [][]*Entry {
	return [][]*Entry{
		varEntries(),
		pidTidEntries(),
		taskEntries(),
		metaEntries(),
		argEntries(),
		timeEntries(),
		stringEntries(),
		symbolEntries(),
		networkEntries(),
		socketEntries(),
		mapEntries(),
		outputEntries(),
		unsafeEntries(),
		concatEntries(),
		configEntries(),
		aggEntries(),
		optionEntries(),
	}
}

// New returns the table of every builtin. An invalid table is a bug in
// gbt, caught by the package's tests: New panics with what is wrong.
func New() *Table {
	var es []*Entry
	for _, f := range families() {
		es = append(es, f...)
	}
	t, err := newTable(es)
	if err != nil {
		panic(err)
	}
	return t
}

// newTable indexes the entries after validating them.
func newTable(es []*Entry) (*Table, error) {
	if err := validate(es); err != nil {
		return nil, err
	}
	t := &Table{byName: map[string]*Entry{}}
	for _, e := range es {
		for _, n := range append([]string{e.Name}, e.Aliases...) {
			t.byName[n] = e
			t.names = append(t.names, n)
		}
	}
	sort.Strings(t.names)
	return t, nil
}

// validate checks the whole table: every name and alias once, a type rule
// on each entry, exactly one of an emitter and a reason for having none,
// and both ends of every event.
func validate(es []*Entry) error {
	var errs []error
	seen := map[string]bool{}
	codecs := map[*Codec]string{}
	for _, e := range es {
		if e.Name == "" {
			errs = append(errs, fmt.Errorf("an entry has no name (doc %q)", e.Doc))
			continue
		}
		for _, n := range append([]string{e.Name}, e.Aliases...) {
			if seen[n] {
				errs = append(errs, fmt.Errorf("%s: the name %s is taken twice", e.Name, n))
			}
			seen[n] = true
		}
		if e.Type == nil {
			errs = append(errs, fmt.Errorf("%s: no type rule", e.Name))
		}
		if e.Doc == "" {
			errs = append(errs, fmt.Errorf("%s: no doc", e.Name))
		}
		switch {
		case e.Emit == nil && e.NoCode == "":
			errs = append(errs, fmt.Errorf("%s: no emitter, and no reason it needs none (NoCode)", e.Name))
		case e.Emit != nil && e.NoCode != "":
			errs = append(errs, fmt.Errorf("%s: both an emitter and a reason for having none", e.Name))
		}
		if agg, isAgg := e.Emit.(AggEmitter); (e.Kind == check.Agg) != isAgg || (isAgg && agg == nil) {
			errs = append(errs, fmt.Errorf("%s: aggregations, and only they, have an AggEmitter", e.Name))
		}
		if len(e.Events) > 0 {
			// A record is sent from a statement, or from a call with an
			// integer result (delete of a keyless aggregation), never from
			// the middle of a value being written to memory.
			switch e.Emit.(type) {
			case StmtEmitter, IntEmitter:
			default:
				errs = append(errs, fmt.Errorf("%s: sends events but has no statement or integer emitter", e.Name))
			}
		}
		for _, c := range e.Events {
			switch {
			case c == nil:
				errs = append(errs, fmt.Errorf("%s: a nil event codec", e.Name))
				continue
			case c.Name == "":
				errs = append(errs, fmt.Errorf("%s: an event codec without a name", e.Name))
			case c.Encode == nil:
				errs = append(errs, fmt.Errorf("%s: event %s has no encoder", e.Name, c.Name))
			case c.Decode == nil:
				errs = append(errs, fmt.Errorf("%s: event %s has no decoder", e.Name, c.Name))
			}
			if other, dup := codecs[c]; dup {
				errs = append(errs, fmt.Errorf("%s: event %s is declared by %s too", e.Name, c.Name, other))
			}
			codecs[c] = e.Name
		}
	}
	return errors.Join(errs...)
}

// Lookup implements check.Builtins.
func (t *Table) Lookup(name string) (check.Builtin, bool) {
	e, ok := t.byName[name]
	if !ok {
		return nil, false
	}
	return e, true
}

// Entry returns the entry of a name or alias (nil if there is none).
func (t *Table) Entry(name string) *Entry { return t.byName[name] }

// Names implements check.Builtins: every name and alias, sorted.
func (t *Table) Names() []string { return t.names }

// Entries returns every entry once, in name order.
func (t *Table) Entries() []*Entry {
	var es []*Entry
	for _, n := range t.names {
		if e := t.byName[n]; e.Name == n {
			es = append(es, e)
		}
	}
	return es
}
