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
	"github.com/gbt-dev/gbt/lang/compat"
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
	// ProgXDPRun: bench, test: an XDP program run with BPF_PROG_TEST_RUN,
	// which the kernel runs many times in one call and times, and whose
	// return value gbt reads (the newest bpftrace's program type for them).
	ProgXDPRun
)

// TestRun reports whether gbt runs the kind's programs itself with
// BPF_PROG_TEST_RUN (begin, end, self, bench, test): they fire in no
// traced task, and carry no attach cookie.
func (p ProgKind) TestRun() bool { return p == ProgTestRun || p == ProgXDPRun }

// ReturnsValue reports whether a program's return value means something
// to gbt: a block's `return N` then returns N (test: not 0 fails; bench:
// not 0 skips), where other programs return 0 (a tracing program must).
func (p ProgKind) ReturnsValue() bool { return p == ProgXDPRun }

// Mode is what a run of gbt does with a script: trace (the default), or
// run its test or bench probes (--test, --bench).
type Mode uint8

// Run modes.
const (
	ModeTrace Mode = iota
	ModeTest       // --test, --mode test: run each test:NAME probe once and judge it
	ModeBench      // --bench, --mode bench: time each bench:NAME probe
)

// Kind describes one probe kind: how its attach points are spelled and
// expanded, what context it gives a program, and how it is attached. Every
// package asks these properties; none looks at a kind's name.
type Kind struct {
	Name    string   // canonical name: "tracepoint"
	Aliases []string // "t"
	// NewestName, when set, is what the newest bpftrace calls the kind
	// where its name is not Name (kfunc is its alias of fentry): in
	// probetype and in its messages.
	NewestName string
	// Parts is the number of colon-separated parts after the provider;
	// MinParts allows optional trailing parts.
	Parts, MinParts int
	// PartsWords, when set, is how the newest bpftrace counts the parts
	// the kind takes where MinParts and Parts do not say it ("2 or 3":
	// uprobe:binary:[language:]function, whose language gbt does not
	// take), or its whole complaint when it starts with "takes".
	PartsWords string
	Usage      string // "tracepoint:category:name"
	Prog       ProgKind
	Attach     Attach  // how runtime attaches it
	RunAt      RunAt   // when an AttachRunOnce kind runs
	Tracing    Tracing // what a ProgTracing program is loaded against
	Return     bool    // return probes provide retval
	Args       bool    // typed args (args.field): from format files, BTF, or the probed file's DWARF (uprobe)
	ArgN       ArgSource
	Func       bool // func names the probed function
	// Regs kinds have the probed task's registers (struct pt_regs) at
	// the start of their context: reg() reads them.
	Regs bool
	User bool // probes a user process: its integer addresses are user addresses
	// OpenAddrSpace kinds run in no particular task's context (BEGIN, a
	// timer, a perf event): their integer addresses may be user or kernel
	// addresses, which bpftrace reads with bpf_probe_read, picking by the
	// address.
	OpenAddrSpace bool
	// PIDFilter is how the kind's probes keep to the process of -p.
	PIDFilter PIDFilter
	// PerPoint kinds compile one program per point: raw tracepoint links
	// carry no attach cookie, a tracing program is loaded for one target,
	// each location of a USDT probe may keep its arguments elsewhere, and
	// a program run with BPF_PROG_TEST_RUN has no cookie either.
	PerPoint  bool
	Supported bool // gbt can compile and attach it (others are positioned errors)
	// Mode is the run mode that alone runs the kind's probes (test,
	// bench); a run in a mode other than ModeTrace runs only that mode's
	// probes, begin and end.
	Mode Mode
	// NewestFirst kinds' kernel hooks run the programs attached to one
	// place newest first (uprobe consumers are pushed on the front of a
	// list, as are the kprobes of an aggregated kprobe and a trampoline's
	// fentry and fexit programs, as the suite's fentry_order and
	// fexit_order tests show in the 7.2 guest; kretprobes run
	// oldest first, as the suite's kretprobe_order test shows in the 6.1
	// guest): runtime attaches their blocks in reverse, so that they run
	// in declaration order, as bpftrace's do.
	NewestFirst bool
	// OnePoint kinds take a block of one attach point (iter: its program
	// runs when gbt reads the iterator, which ends the run).
	OnePoint bool
	// Ctx, when set, names the record a point's ctx builtin points to
	// ("struct bpf_iter__task"); otherwise ctx is only cast.
	Ctx func(pt Point) string
	// LastCallSlot, when not 0, is the offset in the context of a pointer
	// that is NULL in the program's last call, which has no object (an
	// iterator's, after its last): the program returns at once then.
	LastCallSlot int16

	// expand appends the points of an attach point of this kind, whose
	// number of parts is valid, to dst; base has Kind, Span and Return
	// set.
	expand func(dst []Point, base Point, ap *ast.AttachPoint, env Env) ([]Point, error)
	// InList kinds are listed by -l without a pattern (bpftrace lists the
	// kernel's kinds only); others when a pattern names them.
	InList bool
	// list returns the probes of the kind that -l lists (list.go); nil
	// for kinds listed from files (uprobe, usdt) or not at all.
	list func(k *Kind, env Env) ([]string, error)
	// listModules kinds list their probes as KIND:MODULE:NAME.
	listModules bool
	// events are the perf events of software and hardware probes.
	events *perfEvents
}

func (k *Kind) String() string { return k.Name }

// Newest is the kind's name in the newest bpftrace's words.
func (k *Kind) Newest() string {
	if k.NewestName != "" {
		return k.NewestName
	}
	return k.Name
}

// partsError says that an attach point of the kind has n parts, in the
// newest bpftrace's words.
func (k *Kind) partsError(n int) string {
	words := k.PartsWords
	switch {
	case strings.HasPrefix(words, "takes "):
		return k.Newest() + " probe type " + words
	case words != "":
	case k.MinParts == k.Parts:
		words = strconv.Itoa(k.Parts)
	default:
		words = fmt.Sprintf("%d or %d", k.MinParts, k.Parts)
	}
	return fmt.Sprintf("%s probe type requires %s arguments, found %d", k.Newest(), words, n)
}

// kinds is the table of every probe kind bpftrace has. A new kind is one
// entry here, with its expand function and its test; if it attaches in a
// new way, a new Attach value and one runtime/attach_<mechanism>.go,
// registered in runtime's table of attachers (a runtime test fails for a
// supported kind without one).
var kinds = []*Kind{
	// bpftrace 0.20 and later spell them begin and end; both spellings
	// are kept, and a point is named as written (the probe builtin).
	{Name: "BEGIN", Aliases: []string{"begin"}, NewestName: "begin", Prog: ProgTestRun, Attach: AttachRunOnce, RunAt: RunAtStart, Usage: "begin", Supported: true, OpenAddrSpace: true, expand: expandSpecial, list: listName},
	{Name: "END", Aliases: []string{"end"}, NewestName: "end", Prog: ProgTestRun, Attach: AttachRunOnce, RunAt: RunAtEnd, Usage: "end", Supported: true, OpenAddrSpace: true, expand: expandSpecial, list: listName},
	{Name: "tracepoint", Aliases: []string{"t"}, Parts: 2, MinParts: 2, Usage: "tracepoint:category:name", Prog: ProgTracepoint, Attach: AttachTracepoint, Args: true, Supported: true, PIDFilter: PIDFilterInProgram, expand: expandTracepoint, list: listTracepoints, InList: true},
	{Name: "rawtracepoint", Aliases: []string{"rt"}, Parts: 2, MinParts: 1, PartsWords: "2 or 1", Usage: "rawtracepoint:[module:]name", Prog: ProgRawTP, Attach: AttachRawTracepoint, Args: true, ArgN: ArgsContext, PerPoint: true, Supported: true, PIDFilter: PIDFilterInProgram, expand: expandRawTracepoint, list: listRawTracepoints, listModules: true, InList: true},
	{Name: "tp_btf", Parts: 1, MinParts: 1, Usage: "tp_btf:name", Prog: ProgTracing, Attach: AttachTracing, Tracing: TracingTracepoint, Args: true, PerPoint: true, Supported: true, PIDFilter: PIDFilterInProgram, expand: expandFunc},
	{Name: "kprobe", Aliases: []string{"k"}, Parts: 2, MinParts: 1, Usage: "kprobe:[module:]function[+offset]", Prog: ProgKprobe, Attach: AttachKprobe, ArgN: ArgsRegs, Func: true, Regs: true, Supported: true, NewestFirst: true, PIDFilter: PIDFilterInProgram, expand: expandFunc, list: listKprobes, InList: true},
	{Name: "kretprobe", Aliases: []string{"kr"}, Parts: 2, MinParts: 1, Usage: "kretprobe:[module:]function", Prog: ProgKprobe, Attach: AttachKprobe, Return: true, Func: true, Regs: true, Supported: true, PIDFilter: PIDFilterInProgram, expand: expandFunc, list: listKprobes},
	{Name: "uprobe", Aliases: []string{"u"}, Parts: 2, MinParts: 2, PartsWords: "2 or 3", Usage: "uprobe:binary:function", Prog: ProgKprobe, Attach: AttachUprobe, Args: true, ArgN: ArgsRegs, Func: true, Regs: true, User: true, Supported: true, NewestFirst: true, PIDFilter: PIDFilterAtAttach, expand: expandUprobe},
	{Name: "uretprobe", Aliases: []string{"ur"}, Parts: 2, MinParts: 2, PartsWords: "2 or 3", Usage: "uretprobe:binary:function", Prog: ProgKprobe, Attach: AttachUprobe, Return: true, Func: true, Regs: true, User: true, Supported: true, NewestFirst: true, PIDFilter: PIDFilterAtAttach, expand: expandUprobe},
	{Name: "usdt", Aliases: []string{"U"}, Parts: 3, MinParts: 2, Usage: "usdt:binary:[provider:]name", Prog: ProgKprobe, Attach: AttachUSDT, ArgN: ArgsUSDT, Func: true, Regs: true, User: true, PerPoint: true, Supported: true, NewestFirst: true, PIDFilter: PIDFilterAtAttach, expand: expandUSDT},
	{Name: "profile", Aliases: []string{"p"}, Parts: 2, MinParts: 1, Usage: "profile:{hz|s|ms|us}:N or profile:DURATION", Prog: ProgPerfEvent, Attach: AttachPerfEvent, Regs: true, Supported: true, OpenAddrSpace: true, PIDFilter: PIDFilterInProgram, expand: expandRate(true), list: listUnits},
	{Name: "interval", Aliases: []string{"i"}, Parts: 2, MinParts: 1, Usage: "interval:{hz|s|ms|us}:N or interval:DURATION", Prog: ProgPerfEvent, Attach: AttachPerfEvent, Regs: true, Supported: true, OpenAddrSpace: true, expand: expandRate(false), list: listUnits},
	{Name: "software", Aliases: []string{"s"}, Parts: 2, MinParts: 1, Usage: "software:event[:count]", Prog: ProgPerfEvent, Attach: AttachPerfEvent, Regs: true, Supported: true, OpenAddrSpace: true, PIDFilter: PIDFilterInProgram, expand: expandPerfEvent, list: listEvents, InList: true, events: softwareEvents},
	{Name: "hardware", Aliases: []string{"h"}, Parts: 2, MinParts: 1, Usage: "hardware:event[:count]", Prog: ProgPerfEvent, Attach: AttachPerfEvent, Regs: true, Supported: true, OpenAddrSpace: true, PIDFilter: PIDFilterInProgram, expand: expandPerfEvent, list: listEvents, InList: true, events: hardwareEvents},
	{Name: "watchpoint", Aliases: []string{"w"}, Parts: 3, MinParts: 3, Usage: "watchpoint:{address|function+argN}:length:mode", Prog: ProgPerfEvent, Attach: AttachWatchpoint, Regs: true, Supported: true, OpenAddrSpace: true, PIDFilter: PIDFilterAtAttach, expand: expandWatchpoint(false)},
	{Name: "asyncwatchpoint", Aliases: []string{"aw"}, Parts: 3, MinParts: 3, Usage: "asyncwatchpoint:function+argN:length:mode", Prog: ProgPerfEvent, Attach: AttachWatchpoint, Regs: true, Supported: true, OpenAddrSpace: true, PIDFilter: PIDFilterAtAttach, expand: expandWatchpoint(true)},
	{Name: "kfunc", Aliases: []string{"fentry", "f"}, NewestName: "fentry", Parts: 3, MinParts: 1, Usage: "kfunc:[module:]function or fentry:bpf:[id:]program", Prog: ProgTracing, Attach: AttachTracing, Tracing: TracingEntry, Args: true, Func: true, PerPoint: true, Supported: true, NewestFirst: true, PIDFilter: PIDFilterInProgram, expand: expandFunc, list: listTracing("fentry"), listModules: true, InList: true},
	{Name: "kretfunc", Aliases: []string{"fexit", "fr"}, NewestName: "fexit", Parts: 3, MinParts: 1, Usage: "kretfunc:[module:]function or fexit:bpf:[id:]program", Prog: ProgTracing, Attach: AttachTracing, Tracing: TracingExit, Args: true, Return: true, Func: true, PerPoint: true, Supported: true, NewestFirst: true, PIDFilter: PIDFilterInProgram, expand: expandFunc, list: listTracing("fexit"), listModules: true},
	{Name: "iter", Aliases: []string{"it"}, Parts: 2, MinParts: 1, PartsWords: "takes 2 arguments (1 optional)", Usage: "iter:name[:pin]", Prog: ProgIter, Attach: AttachIter, PerPoint: true, Supported: true, OnePoint: true, Ctx: iterCtx, LastCallSlot: 8, expand: expandIter, list: listIters},
	{Name: "bench", Parts: 1, MinParts: 1, Usage: "bench:name", Prog: ProgXDPRun, Attach: AttachBench, PerPoint: true, Supported: true, OpenAddrSpace: true, Mode: ModeBench, expand: expandNamed},
	{Name: "test", Parts: 1, MinParts: 1, Usage: "test:name", Prog: ProgXDPRun, Attach: AttachTest, PerPoint: true, Supported: true, OpenAddrSpace: true, Mode: ModeTest, expand: expandNamed},
	{Name: "self", Parts: 2, MinParts: 2, Usage: "self:signal:SIGUSR1", Prog: ProgTestRun, Attach: AttachSignal, PerPoint: true, Supported: true, OpenAddrSpace: true, expand: expandSelf, list: listSignals},
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
	// Target fields by kind: tracepoint Category/Event; software and
	// hardware Event; kprobe/uprobe Path/Func/Offset; iter Func (the
	// iterator) and Path (the absolute path to pin it at, if any: see
	// Pinned).
	Category, Event string
	Path, Func      string
	Offset          uint64
	// Return is set in the points of return probes (kretprobe, uretprobe,
	// kretfunc).
	Return bool
	// NoBoundary is set in a uprobe point on a function symbol of size
	// 0: nothing tells where its instructions end, so only --unsafe
	// attaches it (at the symbol's address).
	NoBoundary bool
	// Perf is the perf event of a profile, interval, software or hardware
	// point.
	Perf *Perf
	// Signal is the number of the signal that runs a self:signal point
	// (lang names no system types: runtime makes it a syscall.Signal).
	Signal int
	// USDT is the probe location of a usdt point.
	USDT *USDTSite
	// Watch is the hardware breakpoint of a watchpoint point.
	Watch *Watch
	// BPF is the function of a running BPF program a fentry:bpf or
	// fexit:bpf point traces (Func is its name).
	BPF *BPFFunc
}

// Pinned reports whether the point is an iterator pinned in the BPF file
// system: its program runs when the file is read, after gbt has exited,
// and prints into the reader (bpf_seq_printf), not into the run's ring
// buffer.
func (p Point) Pinned() bool { return p.Kind != nil && p.Kind.OnePoint && p.Path != "" }

// Error is an attach-point error with an optional hint.
type Error struct {
	Msg, Hint string
	// Missing says the attach point names nothing the machine has (a
	// tracepoint, function or probe that is not there): what bpftrace's
	// missing_probes setting may turn into a warning or let pass.
	Missing bool
	// Span is where in the attach point the error is, if in a part of it
	// (a positional parameter); zero for the whole attach point.
	Span ast.Span
	// Say, when set, words the message as a bpftrace release does (Msg
	// is the newest's): the checker rewords Msg for its compat.Version.
	Say func(compat.Version) string
	// Unpositioned errors are reported without a source position, as
	// bpftrace reports what it finds only when attaching.
	Unpositioned bool
	// Pattern says a Missing attach point has a wildcard: the newest
	// bpftrace leaves such a point out without a word (its probe is
	// refused only when no point is left).
	Pattern bool
	// Untraceable, when set, is a Missing kprobe point's function, which
	// the kernel's traceable functions do not list: the newest bpftrace
	// warns that it "is not traceable" and, with --unsafe, attaches
	// Point anyway (the kernel's refusal then says why).
	Untraceable string
	Point       *Point
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
		return dst, &Error{Msg: k.partsError(n), Hint: "usage: " + k.Usage}
	}
	n0 := len(dst)
	dst, err := k.expand(dst, Point{Kind: k, Span: ap.Span, Return: k.Return}, ap, env)
	// bpftrace finds a watchpoint's function when it attaches, not as it
	// expands patterns.
	if pe, ok := err.(*Error); ok && pe.Missing && k.Attach != AttachWatchpoint && slices.ContainsFunc(ap.Parts, hasWildcard) {
		pe.Pattern = true
	}
	if pe, ok := err.(*Error); ok && pe.Point != nil && k.Return && lockingKretprobes[pe.Point.Func] {
		// Refused as a locking kretprobe before it is missing as an
		// untraceable function, as bpftrace refuses it.
		return dropLockingKretprobes(append(dst, *pe.Point), n0, ap)
	}
	if err != nil || !k.Return || k.Prog != ProgKprobe || k.User {
		return dst, err
	}
	return dropLockingKretprobes(dst, n0, ap)
}

// expandSpecial expands BEGIN and END (begin and end), naming the point
// as it is spelled.
func expandSpecial(dst []Point, base Point, ap *ast.AttachPoint, _ Env) ([]Point, error) {
	base.Name = ap.Provider
	return append(dst, base), nil
}

// listName lists a kind that is one probe: BEGIN, END.
// expandNamed expands bench:NAME, a block that --bench runs many times
// and times, and test:NAME, a block that --test runs once and judges, as
// the newest bpftrace does; NAME is its row in the results.
func expandNamed(dst []Point, base Point, ap *ast.AttachPoint, _ Env) ([]Point, error) {
	if ap.Parts[0] == "" || hasWildcard(ap.Parts[0]) {
		return dst, &Error{Msg: base.Kind.Name + " probes need a name", Hint: "usage: " + base.Kind.Usage}
	}
	base.Name = base.Kind.Name + ":" + ap.Parts[0]
	return append(dst, base), nil
}

// expandSelf expands self:signal:SIGNAL, which runs its block each time
// gbt receives the signal.
func expandSelf(dst []Point, base Point, ap *ast.AttachPoint, _ Env) ([]Point, error) {
	if ap.Parts[0] != "signal" {
		return dst, &Error{Msg: fmt.Sprintf("%s is not a supported trigger", ap.Parts[0]), Hint: "usage: " + base.Kind.Usage}
	}
	for _, s := range signals {
		if s.name == ap.Parts[1] {
			base.Signal = s.sig
			base.Name = "self:signal:" + s.name
			return append(dst, base), nil
		}
	}
	return dst, &Error{Msg: fmt.Sprintf("%s is not a supported signal", ap.Parts[1]), Hint: "signals: " + strings.Join(signalNames(), ", ")}
}

func signalNames() []string {
	names := make([]string, len(signals))
	for i, s := range signals {
		names[i] = s.name
	}
	return names
}

// listSignals lists the self:signal probes.
// expandFunc expands the points that name one kernel function or event:
// kprobe (with an optional +offset), kretprobe, kfunc, kretfunc,
// rawtracepoint and tp_btf.
func expandFunc(dst []Point, base Point, ap *ast.AttachPoint, env Env) ([]Point, error) {
	k := base.Kind
	switch {
	case bpfVariant(k, ap):
		return expandBPFFuncs(dst, base, ap, env)
	case len(ap.Parts) == 3:
		return dst, &Error{Msg: "Only the 'bpf' variant of this probe supports 4 arguments", Hint: "usage: " + k.Usage}
	case len(ap.Parts) == 2:
		return expandModuleFunc(dst, base, ap, env)
	}
	fn := ap.Parts[0]
	if (k.Tracing == TracingEntry || k.Tracing == TracingExit) && (hasWildcard(fn) || notInKernelBTF(k, fn, env)) {
		// A function the kernel's own BTF does not have may be a
		// module's; if no BTF has it, the point is missing (and
		// missing_probes decides), as in the newest bpftrace.
		return expandTracingGlob(dst, base, ap, env)
	}
	if (k.Prog == ProgRawTP || k.Prog == ProgTracing) && hasWildcard(fn) {
		return dst, &Error{Msg: fmt.Sprintf("wildcards are not supported for %s probes by gbt yet: %s", k.Name, ap.Raw),
			Hint: "name each target: " + k.Usage}
	}
	if k.Prog == ProgKprobe && hasWildcard(fn) && !strings.Contains(fn, "+") {
		return expandKernelFuncs(dst, base, ap, env)
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
	if k.Tracing == TracingEntry || k.Tracing == TracingExit {
		// The kernel's own function (its BTF has it, or cannot say):
		// the newest bpftrace names the point with its module.
		base.Name = k.Newest() + ":vmlinux:" + fn
	}
	if k.Prog == ProgKprobe && !k.User && !traceable(fn, env) {
		return dst, untraceable(base, fn)
	}
	return append(dst, base), nil
}

// traceable reports whether the kernel function fn is one kprobes can
// attach to, as the kernel lists them; true when the list cannot be read
// (the kernel then says at attach time). The list is sorted: the kernel's
// own functions are found by a binary search, a module's by a scan.
func traceable(fn string, env Env) bool {
	if env == nil {
		return true
	}
	all, err := env.TraceableFunctions()
	if err != nil {
		return true
	}
	if _, found := slices.BinarySearch(all, "vmlinux:"+fn); found {
		return true
	}
	for _, mf := range all {
		if _, f := splitModule(mf); f == fn {
			return true
		}
	}
	return false
}

// untraceable is the error of a kprobe point on a function fn the kernel
// does not list as traceable: missing, in the newest bpftrace's words,
// and attached anyway under --unsafe.
func untraceable(pt Point, fn string) *Error {
	name := strings.TrimPrefix(pt.Name, pt.Kind.Name+":")
	return &Error{Missing: true, Msg: fmt.Sprintf("No matches for %s %s.", pt.Kind.Name, name),
		Hint: fmt.Sprintf("list them with gbt -l '%s:*%s*'", pt.Kind.Name, fn), Untraceable: fn, Point: &pt}
}

// notInKernelBTF reports whether the kernel's BTF is readable and has no
// function fn for a kfunc or kretfunc probe.
func notInKernelBTF(k *Kind, fn string, env Env) bool {
	if env == nil {
		return false
	}
	_, _, err := env.FuncArgs(k.Tracing, fn)
	return errors.Is(err, ErrNoStruct)
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
		e := &Error{Missing: true, Hint: "list tracepoints with gbt -l 'tracepoint:" + cat + ":*'",
			Say: func(v compat.Version) string { return v.Sprintf(compat.TracepointsMissing, cat+":"+ev) }}
		e.Msg = e.Say(compat.Newest)
		return dst, e
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

func notFound(tp string, env Env) error {
	e := &Error{Missing: true, Say: func(v compat.Version) string { return v.Sprintf(compat.TracepointMissing, tp) }}
	e.Msg = e.Say(compat.Newest)
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
