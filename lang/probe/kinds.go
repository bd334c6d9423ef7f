package probe

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/internal/spell"
	"github.com/gbt-dev/gbt/lang/ast"
)

// ProgKind is the kind of BPF program a probe compiles to. codegen maps it
// to cilium/ebpf program types (lang does not import cilium).
type ProgKind uint8

// Program kinds.
const (
	ProgNone       ProgKind = iota
	ProgTestRun             // BEGIN/END: raw tracepoint program run once with BPF_PROG_TEST_RUN
	ProgTracepoint          // tracepoint: ctx is the tracefs format record
	ProgRawTP               // raw tracepoint: ctx is u64 args[]
	ProgTracing             // tp_btf, fentry/fexit: BTF-typed args
	ProgKprobe              // kprobe, kretprobe, uprobe, uretprobe, usdt: ctx is pt_regs
	ProgPerfEvent           // profile, interval, software, hardware, watchpoint
	ProgIter                // iter
)

// Kind describes one probe kind.
type Kind struct {
	Name    string   // canonical name: "tracepoint"
	Aliases []string // "t"
	// Parts is the number of colon-separated parts after the provider;
	// MinParts allows optional trailing parts.
	Parts, MinParts int
	Usage           string // "tracepoint:category:name"
	Prog            ProgKind
	Return          bool // return probes provide retval
	Args            bool // provides typed args (args->field)
	ArgN            bool // provides arg0..argN
	User            bool // probes a user process: its integer addresses are user addresses
	// PerPoint kinds compile one program per point: raw tracepoint links
	// carry no attach cookie, a tracing program is loaded for one target,
	// and each location of a USDT probe may keep its arguments elsewhere.
	PerPoint  bool
	Supported bool // gbt can compile and attach it (others are positioned errors)

	// expand appends the points of an attach point of this kind, whose
	// number of parts is valid, to dst; base has Kind and Span set.
	expand func(dst []Point, base Point, ap *ast.AttachPoint, env Env) ([]Point, error)
}

// Kinds is the table of every probe kind bpftrace has.
var kinds = []*Kind{
	{Name: "BEGIN", Prog: ProgTestRun, Usage: "BEGIN", Supported: true, expand: expandSpecial},
	{Name: "END", Prog: ProgTestRun, Usage: "END", Supported: true, expand: expandSpecial},
	{Name: "tracepoint", Aliases: []string{"t"}, Parts: 2, MinParts: 2, Usage: "tracepoint:category:name", Prog: ProgTracepoint, Args: true, Supported: true, expand: expandTracepoint},
	{Name: "rawtracepoint", Aliases: []string{"rt"}, Parts: 1, MinParts: 1, Usage: "rawtracepoint:name", Prog: ProgRawTP, ArgN: true, PerPoint: true, Supported: true, expand: expandFunc},
	{Name: "tp_btf", Parts: 1, MinParts: 1, Usage: "tp_btf:name", Prog: ProgTracing, Args: true, PerPoint: true, Supported: true, expand: expandFunc},
	{Name: "kprobe", Aliases: []string{"k"}, Parts: 1, MinParts: 1, Usage: "kprobe:function[+offset]", Prog: ProgKprobe, ArgN: true, Supported: true, expand: expandFunc},
	{Name: "kretprobe", Aliases: []string{"kr"}, Parts: 1, MinParts: 1, Usage: "kretprobe:function", Prog: ProgKprobe, Return: true, Supported: true, expand: expandFunc},
	{Name: "uprobe", Aliases: []string{"u"}, Parts: 2, MinParts: 2, Usage: "uprobe:binary:function", Prog: ProgKprobe, ArgN: true, User: true, Supported: true, expand: expandUprobe},
	{Name: "uretprobe", Aliases: []string{"ur"}, Parts: 2, MinParts: 2, Usage: "uretprobe:binary:function", Prog: ProgKprobe, Return: true, User: true, Supported: true, expand: expandUprobe},
	{Name: "usdt", Aliases: []string{"U"}, Parts: 3, MinParts: 2, Usage: "usdt:binary:[provider:]name", Prog: ProgKprobe, ArgN: true, User: true, PerPoint: true, Supported: true, expand: expandUSDT},
	{Name: "profile", Aliases: []string{"p"}, Parts: 2, MinParts: 1, Usage: "profile:[hz|s|ms|us:]N", Prog: ProgPerfEvent, Supported: true, expand: expandRate("hz")},
	{Name: "interval", Aliases: []string{"i"}, Parts: 2, MinParts: 1, Usage: "interval:[hz|s|ms|us:]N", Prog: ProgPerfEvent, Supported: true, expand: expandRate("s")},
	{Name: "software", Aliases: []string{"s"}, Parts: 2, MinParts: 1, Usage: "software:event[:count]", Prog: ProgPerfEvent, Supported: true, expand: expandPerfEvent},
	{Name: "hardware", Aliases: []string{"h"}, Parts: 2, MinParts: 1, Usage: "hardware:event[:count]", Prog: ProgPerfEvent, Supported: true, expand: expandPerfEvent},
	{Name: "watchpoint", Aliases: []string{"w"}, Parts: 3, MinParts: 3, Usage: "watchpoint:address:length:mode", Prog: ProgPerfEvent, Supported: true, expand: expandWatchpoint},
	{Name: "kfunc", Aliases: []string{"fentry", "f"}, Parts: 1, MinParts: 1, Usage: "kfunc:function", Prog: ProgTracing, Args: true, PerPoint: true, Supported: true, expand: expandFunc},
	{Name: "kretfunc", Aliases: []string{"fexit", "fr"}, Parts: 1, MinParts: 1, Usage: "kretfunc:function", Prog: ProgTracing, Args: true, Return: true, PerPoint: true, Supported: true, expand: expandFunc},
	{Name: "iter", Parts: 1, MinParts: 1, Usage: "iter:name", Prog: ProgIter, expand: expandFunc},
}

// kindsByName maps every kind name and alias to its kind.
var kindsByName = func() map[string]*Kind {
	m := map[string]*Kind{}
	for _, k := range kinds {
		for _, name := range append([]string{k.Name}, k.Aliases...) {
			if m[name] != nil {
				panic("probe: two kinds are named " + name)
			}
			m[name] = k
		}
	}
	return m
}()

// Lookup finds a probe kind by name or alias.
func Lookup(name string) *Kind { return kindsByName[name] }

// Kinds returns every probe kind (for listing and completion).
func Kinds() []*Kind { return kinds }

// Names returns every kind name and alias.
func Names() []string {
	var names []string
	for _, k := range kinds {
		names = append(names, k.Name)
		names = append(names, k.Aliases...)
	}
	return names
}

// Point is one concrete attach point after wildcard expansion.
type Point struct {
	Kind *Kind
	Span ast.Span // of the attach point as written
	// Name is the canonical probe name, as the `probe` builtin prints it:
	// "tracepoint:syscalls:sys_enter_openat", "interval:ms:100", "BEGIN".
	Name string
	// Target fields by kind: tracepoint Category/Event; profile/interval
	// Unit and Period; kprobe/uprobe Path/Func/Offset.
	Category, Event string
	Unit            string
	Period          uint64
	Path, Func      string
	Offset          uint64
	// USDT is the probe location of a usdt point.
	USDT *USDTSite
	// Watch is the hardware breakpoint of a watchpoint point.
	Watch *Watch
}

// Watch is a watchpoint: an address, a length of 1, 2, 4 or 8 bytes, and
// a mode of r, w and x letters.
type Watch struct {
	Addr uint64
	Len  uint64
	Mode string
}

// Error is an attach-point error with an optional hint.
type Error struct {
	Msg, Hint string
	// Span is where in the attach point the error is, if in a part of it
	// (a positional parameter); zero for the whole attach point.
	Span ast.Span
}

func (e *Error) Error() string { return e.Msg }

// Expand resolves an attach point against env into concrete points.
func Expand(ap *ast.AttachPoint, env Env) ([]Point, error) {
	return AppendExpand(nil, ap, env)
}

// AppendExpand appends the concrete points of an attach point to dst and
// returns the extended slice; on error it returns dst unchanged.
func AppendExpand(dst []Point, ap *ast.AttachPoint, env Env) ([]Point, error) {
	k := Lookup(ap.Provider)
	if k == nil {
		e := &Error{Msg: fmt.Sprintf("Invalid probe type: %s", ap.Provider)}
		if s := spell.Nearest(ap.Provider, Names()); s != "" {
			e.Hint = fmt.Sprintf("did you mean %q?", s)
		}
		return dst, e
	}
	n := len(ap.Parts)
	if n < k.MinParts || n > k.Parts {
		return dst, &Error{Msg: fmt.Sprintf("Invalid %s probe: %s", k.Name, ap.Raw), Hint: "usage: " + k.Usage}
	}
	return k.expand(dst, Point{Kind: k, Span: ap.Span}, ap, env)
}

// expandSpecial expands BEGIN and END.
func expandSpecial(dst []Point, base Point, _ *ast.AttachPoint, _ Env) ([]Point, error) {
	base.Name = base.Kind.Name
	return append(dst, base), nil
}

// expandRate returns the expansion of profile and interval points:
// [UNIT:]N, where UNIT is hz, s, ms or us, and defaults to unit.
func expandRate(unit string) func([]Point, Point, *ast.AttachPoint, Env) ([]Point, error) {
	return func(dst []Point, base Point, ap *ast.AttachPoint, _ Env) ([]Point, error) {
		k := base.Kind
		unit, num := unit, ap.Parts[len(ap.Parts)-1]
		if len(ap.Parts) == 2 {
			unit = ap.Parts[0]
		}
		switch unit {
		case "hz", "s", "ms", "us":
		default:
			return dst, &Error{Msg: fmt.Sprintf("%s unit not supported: %s", k.Name, unit), Hint: "units are hz, s, ms and us"}
		}
		v, err := strconv.ParseUint(num, 10, 64)
		if err != nil || v == 0 {
			return dst, &Error{Msg: fmt.Sprintf("%s rate must be a positive integer: %s", k.Name, num)}
		}
		base.Unit, base.Period = unit, v
		base.Name = k.Name + ":" + unit + ":" + strconv.FormatUint(v, 10)
		return append(dst, base), nil
	}
}

// expandPerfEvent expands software and hardware points: EVENT[:COUNT].
func expandPerfEvent(dst []Point, base Point, ap *ast.AttachPoint, _ Env) ([]Point, error) {
	k := base.Kind
	ev, ok := PerfEventByName(k.Name, ap.Parts[0])
	if !ok {
		e := &Error{Msg: fmt.Sprintf("Unknown %s event: %s", k.Name, ap.Parts[0])}
		if s := spell.Nearest(ap.Parts[0], PerfEventNames(k.Name)); s != "" {
			e.Hint = fmt.Sprintf("did you mean %q?", s)
		}
		return dst, e
	}
	base.Event, base.Period = ev.Name, ev.DefaultCount
	if len(ap.Parts) == 2 {
		v, err := strconv.ParseUint(ap.Parts[1], 10, 64)
		if err != nil || v == 0 {
			return dst, &Error{Msg: fmt.Sprintf("%s count must be a positive integer: %s", k.Name, ap.Parts[1])}
		}
		base.Period = v
	}
	base.Name = k.Name + ":" + ev.Name + ":" + strconv.FormatUint(base.Period, 10)
	return append(dst, base), nil
}

// expandFunc expands the points that name one kernel function or event:
// kprobe (with an optional +offset), kretprobe, kfunc, kretfunc,
// rawtracepoint, tp_btf and iter.
func expandFunc(dst []Point, base Point, ap *ast.AttachPoint, _ Env) ([]Point, error) {
	k := base.Kind
	fn := ap.Parts[0]
	if (k.Prog == ProgRawTP || k.Prog == ProgTracing) && hasWildcard(fn) {
		return dst, &Error{Msg: fmt.Sprintf("wildcards are not supported for %s probes by gbt yet: %s", k.Name, ap.Raw),
			Hint: "name each target: " + k.Usage}
	}
	// Of these kinds only kprobe (a function entry) takes an offset.
	if i := strings.IndexByte(fn, '+'); i > 0 && k.Prog == ProgKprobe && !k.Return {
		off, err := strconv.ParseUint(fn[i+1:], 0, 64)
		if err != nil {
			return dst, &Error{Msg: fmt.Sprintf("invalid offset in %s", ap.Raw)}
		}
		base.Offset, fn = off, fn[:i]
	}
	base.Func = fn
	base.Name = k.Name + ":" + ap.Parts[0]
	return append(dst, base), nil
}

// expandWatchpoint expands watchpoint:ADDRESS:LENGTH:MODE.
func expandWatchpoint(dst []Point, base Point, ap *ast.AttachPoint, _ Env) ([]Point, error) {
	addr, err := strconv.ParseUint(ap.Parts[0], 0, 64)
	if err != nil || addr == 0 {
		return dst, &Error{Msg: fmt.Sprintf("invalid watchpoint address %q", ap.Parts[0])}
	}
	n, err := strconv.ParseUint(ap.Parts[1], 0, 64)
	if err != nil || (n != 1 && n != 2 && n != 4 && n != 8) {
		return dst, &Error{Msg: fmt.Sprintf("watchpoint length must be 1, 2, 4 or 8 (%s provided)", ap.Parts[1])}
	}
	mode := ap.Parts[2]
	if mode == "" || strings.Trim(mode, "rwx") != "" || (strings.Contains(mode, "x") && mode != "x") {
		return dst, &Error{Msg: fmt.Sprintf("invalid watchpoint mode %q", mode), Hint: "modes: r, w, rw (read or write) or x (execute)"}
	}
	base.Watch = &Watch{Addr: addr, Len: n, Mode: mode}
	base.Name = "watchpoint:0x" + strconv.FormatUint(addr, 16) + ":" + strconv.FormatUint(n, 10) + ":" + mode
	return append(dst, base), nil
}

// expandUprobe expands uprobe and uretprobe points: BINARY:FUNCTION, where
// the function may be an address.
func expandUprobe(dst []Point, base Point, ap *ast.AttachPoint, _ Env) ([]Point, error) {
	base.Path, base.Func = ap.Parts[0], ap.Parts[len(ap.Parts)-1]
	base.Name = base.Kind.Name + ":" + strings.Join(ap.Parts, ":")
	return append(dst, base), nil
}

func expandTracepoint(dst []Point, base Point, ap *ast.AttachPoint, env Env) ([]Point, error) {
	cat, ev := ap.Parts[0], ap.Parts[1]
	if !hasWildcard(cat) && !hasWildcard(ev) {
		base.Category, base.Event = cat, ev
		base.Name = "tracepoint:" + cat + ":" + ev
		if env != nil {
			// A format gbt cannot parse is reported where args are read.
			if _, err := env.TracepointFormat(cat, ev); err != nil && !errors.As(err, new(*FormatError)) {
				return dst, notFound(cat+":"+ev, env)
			}
		}
		return append(dst, base), nil
	}
	if env == nil {
		return dst, &Error{Msg: "cannot expand wildcards without a probe environment"}
	}
	index, err := env.TracepointIndex()
	if err != nil {
		return dst, &Error{Msg: fmt.Sprintf("listing tracepoints: %v", err)}
	}
	var buf [8]run
	runs := index.match(cat, ev, buf[:])
	n := 0
	for _, r := range runs {
		n += r.hi - r.lo
	}
	if n == 0 {
		return dst, &Error{Msg: fmt.Sprintf("No probes to attach for %s", ap.Raw), Hint: "list tracepoints with gbt -l 'tracepoint:" + cat + ":*'"}
	}
	dst = slices.Grow(dst, n)
	for _, r := range runs {
		for _, name := range index.names[r.lo:r.hi] {
			p := base
			p.Name = name
			p.Category, p.Event, _ = strings.Cut(name[len(tracepointPrefix):], ":")
			dst = append(dst, p)
		}
	}
	return dst, nil
}

// expandUSDT resolves usdt:PATH:[PROVIDER:]NAME (wildcards allowed in the
// provider and name) to one point per probe location in the file.
func expandUSDT(dst []Point, base Point, ap *ast.AttachPoint, env Env) ([]Point, error) {
	path := ap.Parts[0]
	provider, name := "*", ap.Parts[len(ap.Parts)-1]
	if len(ap.Parts) == 3 {
		provider = ap.Parts[1]
	}
	var sites []USDTSite
	err := ErrUnavailable
	if env != nil {
		sites, err = env.USDTSites(path)
	}
	if errors.Is(err, ErrUnavailable) {
		return dst, &Error{Msg: "cannot read USDT probes without a probe environment"}
	}
	if err != nil {
		return dst, &Error{Msg: err.Error()}
	}
	n := len(dst)
	for i := range sites {
		s := &sites[i]
		if !Match(provider, s.Provider) || !Match(name, s.Name) {
			continue
		}
		p := base
		p.Path, p.Func, p.USDT = path, s.Name, s
		p.Name = "usdt:" + path + ":" + s.Provider + ":" + s.Name
		dst = append(dst, p)
	}
	if len(dst) == n {
		return dst, &Error{Msg: fmt.Sprintf("No probes to attach for %s", ap.Raw),
			Hint: "list the file's USDT probes with gbt -l 'usdt:" + path + "'"}
	}
	return dst, nil
}

func notFound(tp string, env Env) error {
	e := &Error{Msg: fmt.Sprintf("tracepoint not found: %s", tp)}
	if all, err := env.Tracepoints(); err == nil {
		if s := spell.Nearest(tp, all); s != "" {
			e.Hint = fmt.Sprintf("did you mean tracepoint:%s?", s)
		}
	}
	return e
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?{") }

// alternatives expands one level of {a,b} into glob patterns.
func alternatives(s string) []string {
	i := strings.IndexByte(s, '{')
	j := strings.IndexByte(s, '}')
	if i < 0 || j < i {
		return []string{s}
	}
	var out []string
	for _, alt := range strings.Split(s[i+1:j], ",") {
		out = append(out, alternatives(s[:i]+alt+s[j+1:])...)
	}
	return out
}

// globs are alternative patterns: a string matches if it matches any.
type globs []glob

// compileAlternatives compiles the patterns of alternatives(s).
func compileAlternatives(s string) globs {
	alts := alternatives(s)
	gs := make(globs, len(alts))
	for i, a := range alts {
		gs[i] = compileGlob(a)
	}
	return gs
}

func (gs globs) match(s string) bool {
	for _, g := range gs {
		if g.match(s) {
			return true
		}
	}
	return false
}

// A glob is a pattern sorted by shape once, so that wildcard expansion,
// which matches it against each of ~2300 tracepoints, does not look at
// the pattern again: the common shapes "prefix*", "*suffix", "*infix*" and
// literals skip path.Match.
type glob struct {
	shape globShape
	pat   string // the pattern; for the fast shapes, its literal part
}

type globShape uint8

const (
	globPath    globShape = iota // path.Match(pat, s)
	globLiteral                  // s == pat
	globPrefix                   // strings.HasPrefix(s, pat)
	globSuffix                   // strings.HasSuffix(s, pat)
	globInfix                    // strings.Contains(s, pat)
)

func compileGlob(p string) glob {
	if !strings.ContainsAny(p, "?[\\") {
		switch n := strings.Count(p, "*"); {
		case n == 0:
			return glob{globLiteral, p}
		case n == 1 && strings.HasSuffix(p, "*"):
			return glob{globPrefix, p[:len(p)-1]}
		case n == 1 && strings.HasPrefix(p, "*"):
			return glob{globSuffix, p[1:]}
		case n == 2 && strings.HasPrefix(p, "*") && strings.HasSuffix(p, "*") && len(p) >= 2:
			return glob{globInfix, p[1 : len(p)-1]}
		}
	}
	return glob{globPath, p}
}

func (g glob) match(s string) bool {
	switch g.shape {
	case globLiteral:
		return s == g.pat
	case globPrefix:
		return strings.HasPrefix(s, g.pat)
	case globSuffix:
		return strings.HasSuffix(s, g.pat)
	case globInfix:
		return strings.Contains(s, g.pat)
	}
	ok, _ := path.Match(g.pat, s)
	return ok
}

// Match reports whether a probe name matches a -l style pattern
// ("tracepoint:syscalls:*open*", "*sleep*"): a glob over the whole name, as
// bpftrace matches it.
func Match(pattern, name string) bool {
	if pattern == "" {
		return true
	}
	for _, alt := range alternatives(pattern) {
		if compileGlob(alt).match(name) {
			return true
		}
	}
	return false
}

// PerfEvent is a software or hardware perf event software:/hardware: probes
// sample: Config is the PERF_COUNT_SW_* or PERF_COUNT_HW_* number.
type PerfEvent struct {
	Name, Alias  string
	Config       uint64
	DefaultCount uint64
}

// perfEvents lists the events bpftrace knows, with its default counts.
var perfEvents = map[string][]PerfEvent{
	"software": {
		{"cpu-clock", "cpu", 0, 1000000}, {"task-clock", "", 1, 1000000},
		{"page-faults", "faults", 2, 100}, {"context-switches", "cs", 3, 1000},
		{"cpu-migrations", "", 4, 100}, {"minor-faults", "", 5, 100},
		{"major-faults", "", 6, 100}, {"alignment-faults", "", 7, 1},
		{"emulation-faults", "", 8, 1}, {"dummy", "", 9, 1}, {"bpf-output", "", 10, 1},
	},
	"hardware": {
		{"cpu-cycles", "cycles", 0, 1000000}, {"instructions", "", 1, 1000000},
		{"cache-references", "", 2, 1000000}, {"cache-misses", "", 3, 1000000},
		{"branch-instructions", "branches", 4, 100000}, {"branch-misses", "", 5, 100000},
		{"bus-cycles", "", 6, 100000}, {"frontend-stalls", "", 7, 1000000},
		{"backend-stalls", "", 8, 1000000}, {"ref-cycles", "", 9, 1000000},
	},
}

// PerfEventByName finds a software or hardware event by name or alias.
func PerfEventByName(kind, name string) (PerfEvent, bool) {
	for _, e := range perfEvents[kind] {
		if e.Name == name || (e.Alias != "" && e.Alias == name) {
			return e, true
		}
	}
	return PerfEvent{}, false
}

// PerfEventNames lists the event names of a kind (for -l and hints).
func PerfEventNames(kind string) []string {
	var names []string
	for _, e := range perfEvents[kind] {
		names = append(names, e.Name)
	}
	return names
}
