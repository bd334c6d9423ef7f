// Package check resolves and type-checks a parsed script.
//
// Check never mutates the syntax tree: what it learns (the type of every
// expression, folded constants, which builtin each name means, every map's
// key and value types, each probe's variables and expanded attach points)
// is recorded in an Info, which the code generator consumes.
//
// Builtins arrive through the Builtins interface, implemented by the stdlib
// table, so that lang does not depend on the code generator.
package check

import (
	"fmt"
	"strconv"

	"reflect"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/config"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// DefaultStrlen is bpftrace's default BPFTRACE_STRLEN.
const DefaultStrlen = 64

// Config is the input of Check besides the program.
type Config struct {
	Env      probe.Env // the machine: tracepoints, BTF, symbols (nil: attach points are not resolved)
	Builtins Builtins  // the builtin table (stdlib.Table)
	Params   []string  // positional parameters $1..$N
	// MissingProbes is bpftrace's missing_probes setting: what an attach
	// point that names nothing on the machine is. "error" (or ""), "warn"
	// (a warning, and the point is skipped) or "ignore" (skipped).
	MissingProbes string
	// ProbeFilter, when set, keeps the attach points of event probes whose
	// name it accepts (--probe-filter); begin, end and signal probes stay.
	ProbeFilter func(name string) bool
	Named       map[string]string // named program options (-- --name=value; "" for a bare --name)
	Unsafe      bool              // --unsafe: allow system(), signal()...
	Strlen      int               // bytes per str() (BPFTRACE_STRLEN); 0 means DefaultStrlen
	// StackMode is how kstack and ustack print when the call names no
	// mode (stack_mode: bpftrace, perf or raw; "" is bpftrace).
	StackMode string
	// Includes are the headers given with --include: each counts as an
	// #include line of the script.
	Includes []string
	// Compat is the bpftrace release whose words and sizes the checker
	// follows where releases differ (zero: the newest).
	Compat compat.Version
	// Settings are the configuration variables as the config builtin
	// gives them (nil: none known).
	Settings []config.Item
	// Child says a command runs beside the script (-c): cpid is its pid.
	Child bool
}

// BuiltinKind says how a builtin is used.
type BuiltinKind uint8

// Builtin kinds.
const (
	Var       BuiltinKind = iota // a bare name: pid, comm
	Func                         // a call: printf(...), str(...)
	Agg                          // an aggregation assigned to a map: count(), hist(x)
	VarOrFunc                    // bare or called with arguments: kstack, kstack(perf, 5)
)

// Builtin is one entry of the builtin table as the checker sees it.
type Builtin interface {
	BuiltinName() string
	BuiltinKind() BuiltinKind
	// TypeOf applies the entry's type rule to a use; it reports misuse
	// through c.Errorf and returns the result type (types.Type{} if unknown).
	TypeOf(c *Use) types.Type
}

// TextArgs is implemented by a builtin whose first argument may be the
// text of a positional parameter, as in bpftrace's str(): there $1 is
// the parameter's text even if it is a number, and $1 + k that text from
// its k-th byte.
type TextArgs interface {
	TakesText() bool
}

// ProbeEnder is implemented by a builtin whose call ends the probe
// (exit): statements after such a call in the same block are unreachable.
type ProbeEnder interface {
	EndsTheProbe() bool
}

// Builtins is the table of builtins.
type Builtins interface {
	Lookup(name string) (Builtin, bool)
	Names() []string // every name, for did-you-mean hints
}

// Info is everything Check learned about a program.
type Info struct {
	Prog   *ast.Program
	Types  map[ast.Expr]types.Type // type of every expression (TypeOf gives it by probe)
	Consts map[ast.Expr]int64      // integer expressions folded to constants
	// Fields maps the field accesses of kernel records (through BTF:
	// curtask->pid, ((struct sock *)arg0)->sk_state) to the field read.
	Fields map[*ast.Field]types.Field
	// Builtins maps *ast.Call and *ast.Ident nodes to the builtin they name.
	Builtins map[ast.Expr]Builtin
	// Expansions maps the builtin uses that stand for another expression
	// (ppid is curtask->real_parent->pid) to that expression, which is
	// checked in their place; codegen compiles it instead of the use.
	Expansions map[ast.Expr]ast.Expr
	Maps       map[string]*MapInfo
	MapNames   []string     // sorted, the order bpftrace prints maps in
	Probes     []*ProbeInfo // in source order: one per ast.Probe, or one per kind of its attach points
	Params     []string
	// Options are the named program options the script reads (getopt),
	// in the order of their first use.
	Options     []*Option
	optionIndex map[string]int
	Strlen      int
	Unsafe      bool
	// joinSigned: integer operands of different signs make a signed
	// operation (compat.SignedIntJoin; see signedOp).
	joinSigned bool
}

// MapInfo describes one @map. Its key and value types are the same in every
// probe. String types have the largest size any use needs.
type MapInfo struct {
	Name  string
	Key   types.Type // Kind Void for a map used without keys; a Tuple for several keys
	Value types.Type // an int, string, tuple..., or types.Agg for aggregations
	// Params are the constant arguments of the aggregation the map holds
	// (hist bits, lhist range, tseries intervals).
	Params    types.AggParams
	paramsSet bool
	Span      ast.Span // first use
	// Decl is the map's declaration (`let @m = lruhash(100);`), or nil:
	// its BPF map kind and size replace the defaults.
	Decl *ast.MapDecl
	// written is Key as the script spells it, for messages: integers of
	// their own width, where Key widens them to 64 bits (without
	// compat.SizedMapKeys) or promotes them over every use.
	written types.Type
	// keyFlex marks the integers of Key given only non-negative literals
	// (see promoteKey).
	keyFlex keyFlex
}

// Keyless reports whether the map is used without keys (`@x = ...`).
func (m *MapInfo) Keyless() bool { return m.Key.Kind == types.Void }

// ProbeInfo describes one probe block.
type ProbeInfo struct {
	Probe  *ast.Probe
	Kind   *probe.Kind   // of every point
	Points []probe.Point // attach points after wildcard expansion
	Vars   map[string]*VarInfo
	// Args is the record type of `args` (tracepoint format fields), or nil.
	Args *types.Type
	// ArgsUsed reports whether the probe reads args.
	ArgsUsed bool
	// argsWhy says why a probe of a kind with args has none.
	argsWhy string
	// Ret is the return type of a kretfunc's function (from its BTF),
	// which retval has; nil for other kinds.
	Ret *types.Type
	// PointArgs holds each point's own args record when a probe with
	// several tracepoints reads args (their layouts may differ); nil otherwise.
	PointArgs []*types.Type

	// base is the block's first ProbeInfo when the block has attach points
	// of several kinds and this one is for a later kind; nil otherwise.
	base *ProbeInfo
	// own holds what the checker learned of the block's expressions with
	// this probe's kind, when some of it differs from Info's tables (which
	// hold what the block's first kind gives); nil otherwise.
	own *tables
	// grown holds the variables of the previous pass, whose strings grew
	// to their longest value: the next pass starts each variable at that
	// size, so every use of a tuple variable sees one layout.
	grown map[string]*VarInfo
	// scopes tracks the blocks being walked and the variables a later
	// block defined again (see scopes.go).
	scopes scopes
}

// tables are the side tables of a block's expressions.
type tables struct {
	types  map[ast.Expr]types.Type
	consts map[ast.Expr]int64
	fields map[*ast.Field]types.Field
}

// merge adds to t what other knows of expressions t does not, and reports
// whether other gives any expression t knows another type, constant or
// field.
func (t tables) merge(other tables) (differ bool) {
	for e, ty := range other.types {
		old, ok := t.types[e]
		if !ok {
			t.types[e] = ty
			continue
		}
		if !reflect.DeepEqual(old, ty) {
			differ = true
		}
		v, isConst := other.consts[e]
		if w, wasConst := t.consts[e]; isConst != wasConst || v != w {
			differ = true
		}
		if f, ok := e.(*ast.Field); ok {
			fld, isField := other.fields[f]
			if old, wasField := t.fields[f]; isField != wasField || !reflect.DeepEqual(fld, old) {
				differ = true
			}
		}
	}
	for e, v := range other.consts {
		if _, ok := t.consts[e]; !ok {
			t.consts[e] = v
		}
	}
	for f, fld := range other.fields {
		if _, ok := t.fields[f]; !ok {
			t.fields[f] = fld
		}
	}
	return differ
}

// TypeOf returns the type of expression e of probe pi's block, as pi's
// kind of attach point gives it.
func (in *Info) TypeOf(pi *ProbeInfo, e ast.Expr) types.Type {
	if pi != nil && pi.own != nil {
		return pi.own.types[e]
	}
	return in.Types[e]
}

// StrLit returns the text of e when it is a string literal or stands for
// one: a folded expression ("ab" + "cd", "abc" + 1), its Expansion.
func (in *Info) StrLit(e ast.Expr) (string, bool) {
	if x, ok := in.Expansions[e]; ok {
		e = x
	}
	s, ok := e.(*ast.StrLit)
	if !ok {
		return "", false
	}
	return s.Value, true
}

// ConstOf returns the folded value of expression e of probe pi's block.
func (in *Info) ConstOf(pi *ProbeInfo, e ast.Expr) (int64, bool) {
	m := in.Consts
	if pi != nil && pi.own != nil {
		m = pi.own.consts
	}
	v, ok := m[e]
	return v, ok
}

// FieldOf returns the kernel record field that field access f of probe
// pi's block reads.
func (in *Info) FieldOf(pi *ProbeInfo, f *ast.Field) (types.Field, bool) {
	m := in.Fields
	if pi != nil && pi.own != nil {
		m = pi.own.fields
	}
	fld, ok := m[f]
	return fld, ok
}

// VarInfo describes a $variable of one probe.
type VarInfo struct {
	Name string
	Type types.Type
	Span ast.Span // first assignment
	// scope is the block that defined it, or last assigned it after that
	// block ended.
	scope int
	// sized accumulates the type the newest bpftrace gives it, which
	// sizeof reports (varsizes.go).
	sized varSized
	// declared variables were given their type (let $x: uint8 = 1),
	// which assignments do not widen (growIntVar).
	declared bool
	// first is where it was first assigned ($x = 1) or declared (let
	// $x, firstLet), which a let of the same name points back at.
	first    ast.Span
	firstLet bool
}

// Use is what a builtin's type rule sees. The checker reuses it for the
// next use, so a rule must not keep it, or its ArgTypes, after returning.
type Use struct {
	Node     ast.Expr // *ast.Call or *ast.Ident
	Args     []ast.Expr
	ArgTypes []types.Type
	Probe    *ProbeInfo
	// MapValue reports whether the call is the whole right-hand side of a
	// map assignment (where aggregations are allowed).
	MapValue bool
	Strlen   int
	Unsafe   bool
	c        *checker
}

// Param returns positional parameter $i (1-based); "" if it was not given.
func (u *Use) Param(i int) string {
	if i < 1 || i > len(u.c.cfg.Params) {
		return ""
	}
	return u.c.cfg.Params[i-1]
}

// Settings are the configuration variables of the run (Config.Settings).
func (u *Use) Settings() []config.Item {
	return u.c.cfg.Settings
}

// Name is the builtin's name as used.
func (u *Use) Name() string {
	switch n := u.Node.(type) {
	case *ast.Call:
		return n.Name
	case *ast.Ident:
		return n.Name
	}
	return ""
}

// Errorf reports an error at the whole use.
func (u *Use) Errorf(format string, args ...any) {
	u.c.errorf(spanOf(u.Node), format, args...)
}

// Warnf reports a warning at the whole use.
func (u *Use) Warnf(format string, args ...any) {
	u.c.warnf(spanOf(u.Node), format, args...)
}

// WarnScript reports a warning about the script as a whole: without a
// position, and once however many uses report it (bpftrace's warning that
// a script uses an unstable feature).
func (u *Use) WarnScript(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	for _, d := range u.c.warnings {
		if !d.Span.Start.IsValid() && d.Msg == msg {
			return
		}
	}
	u.c.warnf(ast.Span{}, "%s", msg)
}

// ErrorHint reports an error at the whole use with a hint on how to fix it.
func (u *Use) ErrorHint(hint, format string, args ...any) {
	u.c.errorf(spanOf(u.Node), format, args...).Hint = hint
}

// ErrorAt reports an error at a node.
func (u *Use) ErrorAt(n ast.Node, format string, args ...any) {
	u.c.errorf(spanOf(n), format, args...)
}

// Fold makes the use a compile-time constant (kaddr, cgroupid).
func (u *Use) Fold(v int64) { u.c.setConst(u.Node, v) }

// StackMode is the stack_mode setting: how kstack and ustack print when
// the call names no mode ("" or bpftrace, perf, raw).
func (u *Use) StackMode() string { return u.c.cfg.StackMode }

// Env returns the environment the script is checked against, if any.
// Compat returns the bpftrace release whose types and words the script
// is checked for.
func (u *Use) Compat() compat.Version { return u.c.cfg.Compat }

// Child reports whether a command runs beside the script (-c).
func (u *Use) Child() bool { return u.c.cfg.Child }

func (u *Use) Env() (probe.Env, bool) { return u.c.cfg.Env, u.c.cfg.Env != nil }

// Const returns the folded integer value of argument i, if constant.
func (u *Use) Const(i int) (int64, bool) {
	if i >= len(u.Args) {
		return 0, false
	}
	v, ok := u.c.info.Consts[u.Args[i]]
	return v, ok
}

// StringLit returns argument i if it is a string literal, or stands for
// one.
func (u *Use) StringLit(i int) (string, bool) {
	if i >= len(u.Args) {
		return "", false
	}
	arg := u.Args[i]
	if x, ok := u.c.info.Expansions[arg]; ok {
		arg = x // str($1), $1 + 1 in str(): the parameter's text
	}
	if p, ok := arg.(*ast.Positional); ok && p == u.c.textParam {
		return u.c.paramText(p), true
	}
	s, ok := arg.(*ast.StrLit)
	if !ok {
		return "", false
	}
	return s.Value, true
}

// IntLiteralText returns argument i in decimal when it is an integer
// literal, or an operator on literals, that the newest bpftrace folds as
// one (compat.FoldIntLiterals): str(5) is "5" there.
func (u *Use) IntLiteralText(i int) (string, bool) {
	if i >= len(u.Args) || !u.c.cfg.Compat.Has(compat.FoldIntLiterals) {
		return "", false
	}
	l, ok := u.c.literalValue(u.Args[i])
	switch {
	case !ok:
		return "", false
	case l.neg:
		return strconv.FormatInt(int64(l.v), 10), true
	}
	return strconv.FormatUint(l.v, 10), true
}

// IsMap reports whether argument i is a map reference.
func (u *Use) IsMap(i int) (*ast.MapRef, bool) {
	if i >= len(u.Args) {
		return nil, false
	}
	m, ok := u.Args[i].(*ast.MapRef)
	return m, ok
}

// MapInfo returns what is known of a map.
func (u *Use) MapInfo(name string) *MapInfo { return u.c.info.Maps[name] }

// MapKeyMatches reports whether argument i can be a key of map name,
// reporting the mismatch as a map access with those arguments would.
func (u *Use) MapKeyMatches(name string, i int) bool {
	info := u.c.info.Maps[name]
	if info == nil || !info.Key.IsValid() {
		return true // undefined maps are reported by the argument itself
	}
	key := u.ArgTypes[i]
	switch {
	case u.c.sizedKeys():
		key = u.c.keyUseType(u.Args[i], key)
	case key.IsInt():
		key = types.IntOf(64, key.Signed)
	}
	if !sameKeyShape(info.Key, key) {
		u.ErrorAt(u.Args[i], "%s", keyMismatch(name, u.ArgTypes[i], info.written))
		return false
	}
	if u.c.sizedKeys() && info.Key.Kind != types.Void && u.c.growKey(info, key, u.c.exprFlex(u.Args[i])) {
		u.c.widened = true // a key cast to the map's would be cut short
	}
	return true
}

// Expand makes the use stand for e, which the checker types in the
// use's place (e may hold the use's arguments); codegen compiles e instead
// of the use. It returns e's type. A use checked again (a block with
// several kinds of attach points) keeps its first expansion.
func (u *Use) Expand(e ast.Expr) types.Type {
	c, node := u.c, u.Node // checking e reuses u
	if c.info.Expansions == nil {
		c.info.Expansions = map[ast.Expr]ast.Expr{}
	}
	if old, ok := c.info.Expansions[node]; ok {
		e = old
	}
	c.info.Expansions[node] = e
	return c.expr(e)
}

// SetAggParams records the constant arguments of an aggregation for the
// map being assigned; every use of the map must give the same.
func (u *Use) SetAggParams(p types.AggParams) {
	u.c.aggParams = p
}

func spanOf(n ast.Node) ast.Span { return n.NodeSpan() }
