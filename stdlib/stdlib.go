// Package stdlib is the one table of gbt's builtins: variables (pid, comm,
// nsecs...), functions (printf, str, exit...) and aggregations (count,
// hist...). Each entry owns its documentation, its type rule (used by
// lang/check through the check.Builtins interface) and its code emitter
// (used by codegen through the Gen interface). Nothing else in gbt switches
// on builtin names.
package stdlib

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/internal/cfmt"
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// Entry is one builtin.
type Entry struct {
	Name string
	Kind check.BuiltinKind
	Doc  string // one line, for --info, REPL completion and docs
	// Type is the type rule: it checks a use and returns the result type.
	Type func(u *check.Use) types.Type
	// Emit generates the BPF code of a use (nil: the checker accepts the
	// builtin but gbt cannot compile it yet, which codegen reports at the
	// use's position).
	Emit Emitter
}

// BuiltinName implements check.Builtin.
func (e *Entry) BuiltinName() string { return e.Name }

// BuiltinKind implements check.Builtin.
func (e *Entry) BuiltinKind() check.BuiltinKind { return e.Kind }

// TypeOf implements check.Builtin.
func (e *Entry) TypeOf(u *check.Use) types.Type { return e.Type(u) }

// Table is the builtin table; it implements check.Builtins.
type Table struct {
	byName map[string]*Entry
	names  []string
}

// New returns the table of every builtin.
func New() *Table {
	t := &Table{byName: map[string]*Entry{}}
	for _, e := range entries() {
		if _, dup := t.byName[e.Name]; dup {
			panic("stdlib: duplicate builtin " + e.Name)
		}
		t.byName[e.Name] = e
		t.names = append(t.names, e.Name)
	}
	sort.Strings(t.names)
	return t
}

// Lookup implements check.Builtins.
func (t *Table) Lookup(name string) (check.Builtin, bool) {
	e, ok := t.byName[name]
	if !ok {
		return nil, false
	}
	return e, true
}

// Entry returns the entry of a name.
func (t *Table) Entry(name string) *Entry { return t.byName[name] }

// Names implements check.Builtins.
func (t *Table) Names() []string { return t.names }

// ---------------------------------------------------------------------------
// Type rule helpers

func fixed(t types.Type) func(*check.Use) types.Type {
	return func(*check.Use) types.Type { return t }
}

// arity checks the argument count with bpftrace's messages.
func arity(u *check.Use, min, max int) bool {
	n := len(u.Args)
	if n >= min && n <= max {
		return true
	}
	name := u.Name()
	switch {
	case max == 0:
		u.Errorf("%s() requires no arguments (%d provided)", name, n)
	case min == max && min == 1:
		u.Errorf("%s() requires one argument (%d provided)", name, n)
	case min == max:
		u.Errorf("%s() requires %d arguments (%d provided)", name, min, n)
	case n < min && min == 1:
		u.Errorf("%s() requires at least one argument (%d provided)", name, n)
	case n < min:
		u.Errorf("%s() requires at least %d arguments (%d provided)", name, min, n)
	default:
		u.Errorf("%s() takes at most %d arguments (%d provided)", name, max, n)
	}
	return false
}

func intArg(u *check.Use, i int) bool {
	if t := u.ArgTypes[i]; !t.IsInt() {
		u.Errorf("%s() only supports integer arguments (%s provided)", u.Name(), t.KindWord())
		return false
	}
	return true
}

func aggregation(k types.AggKind, nargs int) func(*check.Use) types.Type {
	return func(u *check.Use) types.Type {
		if !arity(u, nargs, nargs) {
			return types.Type{}
		}
		signed := false
		if nargs > 0 {
			if !intArg(u, 0) {
				return types.Type{}
			}
			signed = u.ArgTypes[0].Signed
		}
		if k == types.Lhist {
			var p [3]int64
			for i := 1; i < 4; i++ {
				v, ok := u.Const(i)
				if !ok {
					u.Errorf("lhist() expects a integer literal (%s provided)", u.ArgTypes[i].KindWord())
					return types.Type{}
				}
				p[i-1] = v
			}
			switch {
			case p[0] < 0:
				u.Errorf("lhist() min must be non-negative (provided min %d)", p[0])
				return types.Type{}
			case p[2] < 1:
				u.Errorf("lhist() step must be >= 1 (%d provided)", p[2])
				return types.Type{}
			case p[1] <= p[0]:
				u.Errorf("lhist() min must be less than max (provided min %d and max %d)", p[0], p[1])
				return types.Type{}
			case p[1]-p[0] < p[2]:
				u.Errorf("lhist() step is too large for the given range (provided step %d for range %d)", p[2], p[1]-p[0])
				return types.Type{}
			case (p[1]-p[0])/p[2] > 1000:
				u.Errorf("lhist() too many buckets, must be <= 1000 (would need %d)", (p[1]-p[0])/p[2])
				return types.Type{}
			}
			u.SetLhist(p[0], p[1], p[2])
		}
		return types.AggOf(k, signed)
	}
}

// mapArg checks that argument i names a map.
func mapArg(u *check.Use, i int) bool {
	if _, ok := u.IsMap(i); !ok {
		u.Errorf("%s() expects a map to be provided", u.Name())
		return false
	}
	return true
}

// maxBufLen bounds buf()'s length: the bytes travel on the BPF stack.
const maxBufLen = 256

// maxFormatArgs is how many arguments printf, cat and system take, the
// format included, as bpftrace.
const maxFormatArgs = 128

// formatArity checks the argument count of a printf-like call, in
// bpftrace's words.
func formatArity(u *check.Use) bool {
	if len(u.Args) > maxFormatArgs {
		u.Errorf("%s() takes up to %d arguments (%d provided)", u.Name(), maxFormatArgs, len(u.Args))
		return false
	}
	return arity(u, 1, maxFormatArgs)
}

// CheckPrintf checks a printf-style format string (argument first) against
// the other arguments and returns the parsed pieces.
func CheckPrintf(u *check.Use, first int) []cfmt.Piece {
	name := u.Name()
	format, ok := literalArg(u, first)
	if !ok {
		return nil
	}
	pieces, err := cfmt.Parse(format)
	if err != nil {
		u.ErrorAt(u.Args[first], "%s: %v", name, err)
		return nil
	}
	verbs := make([]*cfmt.Verb, 0, len(pieces))
	for _, p := range pieces {
		if p.Verb != nil {
			verbs = append(verbs, p.Verb)
		}
	}
	args := u.ArgTypes[first+1:]
	switch {
	case len(args) < len(verbs):
		u.Errorf("%s: Not enough arguments for format string (%d supplied, %d expected)", name, len(args), len(verbs))
		return nil
	case len(args) > len(verbs):
		u.Errorf("%s: Too many arguments for format string (%d supplied, %d expected)", name, len(args), len(verbs))
		return nil
	}
	for i, v := range verbs {
		t := args[i]
		switch {
		case v.IsString() && t.Kind != types.String && t.Kind != types.Buffer && !isPrintable(t):
			u.Errorf("%s: %%%c specifier expects a value of type string (%s supplied)", name, v.Conv, t.KindWord())
			return nil
		case !v.IsString() && !t.IsInt() && t.Kind != types.Pointer:
			if p, ok := u.Args[first+1+i].(*ast.Positional); ok {
				u.ErrorAt(p, "$%d used numerically but given \"%s\". Try using str($%d).", p.Index, u.Param(p.Index), p.Index)
				return nil
			}
			u.Errorf("%s: %%%c specifier expects a value of type integer (%s supplied)", name, v.Conv, t.KindWord())
			return nil
		}
	}
	return pieces
}

// isPrintable reports whether a value renders as text with %s (probe names,
// symbols, tuples...).
func isPrintable(t types.Type) bool {
	switch t.Kind {
	case types.Probe, types.Ksym, types.Usym, types.Username, types.Timestamp, types.Tuple, types.Inet, types.Mac, types.Stack,
		types.CgroupPath, types.Strerror:
		return true
	}
	return false
}

// ---------------------------------------------------------------------------
// The table

func entries() []*Entry {
	u64 := fixed(types.U64)
	es := []*Entry{
		// Variables.
		{Name: "pid", Kind: check.Var, Doc: "process id (tgid) of the current task", Type: u64},
		{Name: "tid", Kind: check.Var, Doc: "thread id of the current task", Type: u64},
		{Name: "uid", Kind: check.Var, Doc: "user id of the current task", Type: u64},
		{Name: "gid", Kind: check.Var, Doc: "group id of the current task", Type: u64},
		{Name: "nsecs", Kind: check.Var, Doc: "nanoseconds since boot (monotonic)", Type: u64},
		{Name: "elapsed", Kind: check.Var, Doc: "nanoseconds since gbt started the program", Type: u64},
		{Name: "cpu", Kind: check.Var, Doc: "id of the CPU running the probe", Type: u64},
		{Name: "comm", Kind: check.Var, Doc: "name of the current task (16 bytes)", Type: fixed(types.StringOf(16))},
		{Name: "cgroup", Kind: check.Var, Doc: "cgroup v2 id of the current task", Type: u64},
		{Name: "rand", Kind: check.Var, Doc: "a 32-bit pseudo-random number", Type: u64},
		{Name: "numcpus", Kind: check.Var, Doc: "number of online CPUs", Type: u64},
		{Name: "jiffies", Kind: check.Var, Doc: "kernel jiffies counter", Type: u64},
		{Name: "curtask", Kind: check.Var, Doc: "the current task: struct task_struct * (fields from the kernel's BTF)", Type: func(*check.Use) types.Type {
			return types.PointerTo(types.Type{Kind: types.Record, Name: "struct task_struct"}, types.Kernel)
		}},
		{Name: "cpid", Kind: check.Var, Doc: "pid of the child started with -c", Type: u64},
		{Name: "probe", Kind: check.Var, Doc: "full name of the probe that fired", Type: fixed(types.Type{Kind: types.Probe})},
		{Name: "username", Kind: check.Var, Doc: "user name of the current task", Type: fixed(types.Type{Kind: types.Username})},
		{Name: "func", Kind: check.Var, Doc: "name of the traced function", Type: funcType},
		{Name: "retval", Kind: check.Var, Doc: "return value of the traced function (return probes)", Type: retvalType},
		{Name: "kstack", Kind: check.VarOrFunc, Doc: "kstack, kstack([mode,] [limit]): kernel stack trace (mode bpftrace or perf)", Type: stackType(false)},
		{Name: "ustack", Kind: check.VarOrFunc, Doc: "ustack, ustack([mode,] [limit]): user stack trace (mode bpftrace or perf)", Type: stackType(true)},
		{Name: "ctx", Kind: check.Var, Doc: "the probe's context pointer", Type: fixed(types.Type{Kind: types.Context})},

		// Functions.
		{Name: "printf", Kind: check.Func, Doc: "printf(fmt, ...): print formatted output", Type: func(u *check.Use) types.Type {
			if !formatArity(u) {
				return types.Type{}
			}
			CheckPrintf(u, 0)
			return types.Type{Kind: types.Void}
		}},
		{Name: "exit", Kind: check.Func, Doc: "exit(): stop tracing, print maps and quit", Type: func(u *check.Use) types.Type {
			arity(u, 0, 0)
			return types.Type{Kind: types.Void}
		}},
		{Name: "str", Kind: check.Func, Doc: "str(ptr [, n]): read a NUL-terminated string", Type: strType},
		{Name: "strncmp", Kind: check.Func, Doc: "strncmp(a, b, n): compare at most n bytes; 0 if equal", Type: func(u *check.Use) types.Type {
			if !arity(u, 3, 3) {
				return types.Type{}
			}
			for i := 0; i < 2; i++ {
				if u.ArgTypes[i].Kind != types.String {
					u.Errorf("strncmp() only supports string arguments (%s provided)", u.ArgTypes[i].KindWord())
					return types.Type{}
				}
			}
			if _, ok := u.Const(2); !ok {
				u.Errorf("strncmp() expects an integer literal as third argument")
				return types.Type{}
			}
			return types.I64
		}},
		{Name: "delete", Kind: check.Func, Doc: "delete(@m[key]): remove a map element", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 1) || !mapArg(u, 0) {
				return types.Type{}
			}
			m, _ := u.IsMap(0)
			if info := u.MapInfo(m.Name); info != nil && !info.Keyless() && m.Keys == nil {
				u.Errorf("delete() expects a map element: delete(%s[key])", m.Name)
			}
			return types.Type{Kind: types.Void}
		}},
		{Name: "has_key", Kind: check.Func, Doc: "has_key(@m, key): 1 if the map has the key, else 0", Type: func(u *check.Use) types.Type {
			if !arity(u, 2, 2) || !keyedMapArg(u) {
				return types.Type{}
			}
			m, _ := u.IsMap(0)
			if !u.MapKeyMatches(m.Name, 1) {
				return types.Type{}
			}
			return types.I64
		}},
		{Name: "len", Kind: check.Func, Doc: "len(@m): the number of elements in a map", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 1) {
				return types.Type{}
			}
			if !keyedMapArg(u) {
				return types.Type{}
			}
			return types.I64
		}},
		{Name: "clear", Kind: check.Func, Doc: "clear(@m): remove every element of a map", Type: wholeMap},
		{Name: "zero", Kind: check.Func, Doc: "zero(@m): set every value of a map to zero", Type: wholeMap},
		{Name: "print", Kind: check.Func, Doc: "print(@m [, top [, div]]) or print(value): print now", Type: printType},
		{Name: "time", Kind: check.Func, Doc: "time([fmt]): print the current time (strftime format)", Type: func(u *check.Use) types.Type {
			if !arity(u, 0, 1) {
				return types.Type{}
			}
			if len(u.Args) == 1 {
				literalArg(u, 0)
			}
			return types.Type{Kind: types.Void}
		}},
		{Name: "strftime", Kind: check.Func, Doc: "strftime(fmt, nsecs): format a timestamp", Type: func(u *check.Use) types.Type {
			if !arity(u, 2, 2) {
				return types.Type{}
			}
			format, ok := u.StringLit(0)
			if !ok {
				u.Errorf("strftime() expects a string literal (%s provided)", u.ArgTypes[0].KindWord())
				return types.Type{}
			}
			if !u.ArgTypes[1].IsInt() {
				u.Errorf("strftime() expects an integer timestamp (%s provided)", u.ArgTypes[1].KindWord())
				return types.Type{}
			}
			// The value is the nsecs timestamp; the format travels in the type.
			return types.Type{Kind: types.Timestamp, Name: format}
		}},
		{Name: "join", Kind: check.Func, Doc: "join(argv [, sep]): print a NULL-terminated string array", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 2) {
				return types.Type{}
			}
			if t := u.ArgTypes[0]; !t.IsInt() && t.Kind != types.Pointer {
				u.Errorf("join() only supports int or pointer arguments (%s provided)", t.KindWord())
				return types.Type{}
			}
			if len(u.Args) == 2 {
				if _, ok := u.StringLit(1); !ok {
					u.Errorf("join() expects a string literal delimiter (%s provided)", u.ArgTypes[1].KindWord())
					return types.Type{}
				}
			}
			return types.Type{Kind: types.Void}
		}},
		{Name: "buf", Kind: check.Func, Doc: "buf(ptr, n): read n raw bytes", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 2) {
				return types.Type{}
			}
			n := int64(64)
			if len(u.Args) == 2 {
				if !u.ArgTypes[1].IsInt() {
					u.Errorf("buf() expects an integer length (%s provided)", u.ArgTypes[1].KindWord())
					return types.Type{}
				}
				n = int64(u.Strlen) // a length known when the probe runs: up to BPFTRACE_STRLEN
				if v, ok := u.Const(1); ok {
					if v < 0 || v > maxBufLen {
						u.Errorf("buf() length must be between 0 and %d (%d provided)", maxBufLen, v)
						return types.Type{}
					}
					n = v
				}
			}
			return types.BufferOf(int(n))
		}},
		{Name: "ksym", Kind: check.Func, Doc: "ksym(addr): kernel symbol name of an address", Type: oneInt(types.Type{Kind: types.Ksym})},
		{Name: "usym", Kind: check.Func, Doc: "usym(addr): user symbol name of an address", Type: oneInt(types.Type{Kind: types.Usym})},
		{Name: "kaddr", Kind: check.Func, Doc: "kaddr(name): address of a kernel symbol", Type: resolved(func(ae probe.Env, u *check.Use, name string) (uint64, error) {
			return ae.KernelAddr(name)
		})},
		{Name: "uaddr", Kind: check.Func, Doc: "uaddr(name): address of a symbol of the probed executable (uprobes)", Type: resolved(func(ae probe.Env, u *check.Use, name string) (uint64, error) {
			k := probeKind(u)
			if k == nil || !k.User { // uprobe, uretprobe, usdt
				return 0, fmt.Errorf("uaddr() can only be used in uprobe, uretprobe and usdt probes")
			}
			return ae.UserAddr(u.Probe.Points[0].Path, name)
		})},
		{Name: "reg", Kind: check.Func, Doc: "reg(name): value of a register", Type: regType},
		{Name: "cgroupid", Kind: check.Func, Doc: "cgroupid(path): id of a cgroup (v2)", Type: resolved(func(ae probe.Env, u *check.Use, path string) (uint64, error) {
			return ae.CgroupID(path)
		})},
		{Name: "ntop", Kind: check.Func, Doc: "ntop([af,] addr): format an IP address", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 2) {
				return types.Type{}
			}
			for i, t := range u.ArgTypes {
				if i == len(u.ArgTypes)-1 && ipBytes(t) > 0 {
					continue
				}
				if !t.IsInt() {
					u.ErrorAt(u.Args[i], "ntop() expects an integer (IPv4) or an array of 4 or 16 bytes (%s provided)", t)
					return types.Type{}
				}
			}
			return types.Type{Kind: types.Inet}
		}},
		{Name: "bswap", Kind: check.Func, Doc: "bswap(n): reverse the byte order of an integer of its size", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 1) {
				return types.Type{}
			}
			if t := u.ArgTypes[0]; !t.IsInt() {
				u.Errorf("bswap() only supports integer arguments (%s provided)", t.KindWord())
				return types.Type{}
			}
			return types.IntOf(u.ArgTypes[0].Bits, false)
		}},
		{Name: "macaddr", Kind: check.Func, Doc: "macaddr(addr): format the 6 bytes at a pointer, or a 6-byte array, as a MAC address", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 1) {
				return types.Type{}
			}
			if t := u.ArgTypes[0]; t.Kind != types.Pointer && !(t.Kind == types.Array && t.ByteSize() == 6) {
				u.Errorf("macaddr() argument must be 6 bytes in size")
				return types.Type{}
			}
			return types.Type{Kind: types.Mac}
		}},
		{Name: "uptr", Kind: check.Func, Doc: "uptr(p): p as a pointer into user memory", Type: addrSpaceType(types.User)},
		{Name: "kptr", Kind: check.Func, Doc: "kptr(p): p as a pointer into kernel memory", Type: addrSpaceType(types.Kernel)},
		{Name: "strerror", Kind: check.Func, Doc: "strerror(errno): the error's text, as strerror(3)", Type: oneInt(types.Type{Kind: types.Strerror})},
		{Name: "cgroup_path", Kind: check.Func, Doc: "cgroup_path(id [, filter]): the cgroup's path in each hierarchy (matching filter)", Type: cgroupPathType},
		{Name: "pton", Kind: check.Func, Doc: "pton(\"addr\"): an IPv4 or IPv6 address literal as bytes", Type: ptonType},
		{Name: "strcontains", Kind: check.Func, Doc: "strcontains(s, \"lit\"): 1 if the string contains the literal", Type: strcontainsType},
		{Name: "skboutput", Kind: check.Func, Doc: "skboutput(file, skb, len, offset): write packets to a pcap file", Type: notYet("write the packet's fields with printf or buf() instead")},
		{Name: "debugf", Kind: check.Func, Doc: "debugf(fmt, ...): print to the kernel's trace pipe (bpf_trace_printk; at most 3 values)", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 4) {
				return types.Type{}
			}
			CheckPrintf(u, 0)
			u.Warnf("The debugf() builtin is not recommended for production use. For more information see bpf_trace_printk in bpf-helpers(7).")
			return types.Type{Kind: types.Void}
		}},
		{Name: "path", Kind: check.Func, Doc: "path(struct path *): full path of a file", Type: notYet("path() needs kfunc probes (bpf_d_path), which this kernel refuses; print the dentry's name, e.g. str($f->f_path.dentry->d_name.name)")},
		{Name: "system", Kind: check.Func, Doc: "system(fmt, ...): run a shell command (--unsafe)", Type: unsafeFmt},
		{Name: "cat", Kind: check.Func, Doc: "cat(fmt, ...): print a file's contents", Type: func(u *check.Use) types.Type {
			if !formatArity(u) {
				return types.Type{}
			}
			CheckPrintf(u, 0)
			return types.Type{Kind: types.Void}
		}},
		{Name: "signal", Kind: check.Func, Doc: "signal(sig): send a signal to the current task (--unsafe)", Type: func(u *check.Use) types.Type {
			if !unsafeOK(u) || !arity(u, 1, 1) {
				return types.Type{}
			}
			if name, ok := u.StringLit(0); ok {
				if _, ok := SignalNumber(name); !ok {
					u.Errorf("%s is not a valid signal", name)
				}
			} else if !u.ArgTypes[0].IsInt() {
				u.Errorf("signal() expects a signal name or number (%s provided)", u.ArgTypes[0].KindWord())
			}
			return types.Type{Kind: types.Void}
		}},
		{Name: "override", Kind: check.Func, Doc: "override(rc): override a kprobed function's return value (--unsafe)", Type: func(u *check.Use) types.Type {
			if !unsafeOK(u) || !arity(u, 1, 1) {
				return types.Type{}
			}
			if k := probeKind(u); k == nil || k.Attach != probe.AttachKprobe || k.Return {
				u.Errorf("override() can only be used with kprobes")
				return types.Type{}
			}
			if !u.ArgTypes[0].IsInt() {
				u.Errorf("override() expects an integer return value (%s provided)", u.ArgTypes[0].KindWord())
				return types.Type{}
			}
			return types.Type{Kind: types.Void}
		}},
		{Name: "unwatch", Kind: check.Func, Doc: "unwatch(addr): remove the watchpoints at addr (soon after: user space does it)", Type: oneInt(types.Type{Kind: types.Void})},

		// Aggregations.
		{Name: "count", Kind: check.Agg, Doc: "count(): count events", Type: aggregation(types.Count, 0)},
		{Name: "sum", Kind: check.Agg, Doc: "sum(v): sum of values", Type: aggregation(types.Sum, 1)},
		{Name: "avg", Kind: check.Agg, Doc: "avg(v): average of values", Type: aggregation(types.Avg, 1)},
		{Name: "min", Kind: check.Agg, Doc: "min(v): smallest value", Type: aggregation(types.Min, 1)},
		{Name: "max", Kind: check.Agg, Doc: "max(v): largest value", Type: aggregation(types.Max, 1)},
		{Name: "stats", Kind: check.Agg, Doc: "stats(v): count, average and total", Type: aggregation(types.Stats, 1)},
		{Name: "hist", Kind: check.Agg, Doc: "hist(v): power-of-two histogram", Type: aggregation(types.Hist, 1)},
		{Name: "lhist", Kind: check.Agg, Doc: "lhist(v, min, max, step): linear histogram", Type: aggregation(types.Lhist, 4)},
	}
	for i := 0; i < 10; i++ {
		es = append(es,
			&Entry{Name: fmt.Sprintf("arg%d", i), Kind: check.Var, Doc: fmt.Sprintf("argument %d of the traced function", i), Type: argType},
			&Entry{Name: fmt.Sprintf("sarg%d", i), Kind: check.Var, Doc: fmt.Sprintf("stack argument %d of the traced function", i), Type: argType},
		)
	}
	attachEmitters(es)
	return es
}

// literalArg returns argument i of a use, which must be a string literal.
func literalArg(u *check.Use, i int) (string, bool) {
	s, ok := u.StringLit(i)
	if !ok {
		u.Errorf("%s() expects a string literal (%s provided)", u.Name(), u.ArgTypes[i].KindWord())
	}
	return s, ok
}

// notYet is the rule of a builtin gbt knows but cannot compile yet.
func notYet(hint string) func(*check.Use) types.Type {
	return func(u *check.Use) types.Type {
		u.ErrorHint(hint, "%s() is not supported by gbt yet", u.Name())
		return types.Type{}
	}
}

func unsafeOK(u *check.Use) bool {
	if !u.Unsafe {
		u.ErrorHint("run gbt with --unsafe to allow it", "%s() is an unsafe function being used in safe mode", u.Name())
		return false
	}
	return true
}

func unsafeFmt(u *check.Use) types.Type {
	if !unsafeOK(u) || !formatArity(u) {
		return types.Type{}
	}
	CheckPrintf(u, 0)
	return types.Type{Kind: types.Void}
}

// MaxStackDepth is the deepest stack kstack/ustack take: the kernel's
// default perf_event_max_stack.
const MaxStackDepth = 127

// stackType is the type rule of kstack and ustack: bare, or called with a
// mode (bpftrace, perf), a frame limit, or both.
func stackType(user bool) func(u *check.Use) types.Type {
	return func(u *check.Use) types.Type {
		perf, depth := false, MaxStackDepth
		if len(u.Args) > 2 {
			u.Errorf("%s() takes at most 2 arguments (%d provided)", u.Name(), len(u.Args))
			return types.Type{}
		}
		for i, a := range u.Args {
			if id, ok := a.(*ast.Ident); ok && i == 0 {
				switch id.Name {
				case "bpftrace":
				case "perf":
					perf = true
				default:
					u.ErrorAt(a, "%s() mode must be bpftrace or perf (%s provided)", u.Name(), id.Name)
					return types.Type{}
				}
				continue
			}
			n, ok := u.Const(i)
			if !ok {
				u.ErrorAt(a, "%s() expects a stack mode and/or an integer literal limit", u.Name())
				return types.Type{}
			}
			if n < 1 || n > MaxStackDepth {
				u.ErrorAt(a, "%s() limit must be between 1 and %d (%d provided)", u.Name(), MaxStackDepth, n)
				return types.Type{}
			}
			depth = int(n)
		}
		return types.StackOf(user, perf, depth)
	}
}

// ipBytes is the length of an address held in an array of bytes (4 for
// IPv4, 16 for IPv6), or 0.
func ipBytes(t types.Type) int {
	if (t.Kind == types.Array && t.Elem != nil && t.Elem.Kind == types.Int && t.Elem.Bits == 8) && (t.Len == 4 || t.Len == 16) {
		return t.Len
	}
	return 0
}

// keyedMapArg checks that the first argument names a whole map that has
// keys.
func keyedMapArg(u *check.Use) bool {
	m, ok := u.IsMap(0)
	if !ok {
		u.Errorf("%s() expects a map to be provided", u.Name())
		return false
	}
	if m.Keys != nil {
		u.Errorf("%s() expects a whole map, not an element: %s(%s%s)", u.Name(), u.Name(), m.Name, map[bool]string{true: ", key", false: ""}[len(u.Args) > 1])
		return false
	}
	if info := u.MapInfo(m.Name); info != nil && info.Keyless() {
		u.ErrorHint("a map without keys holds one value: read it as "+m.Name, "%s() expects a map with keys (%s has none)", u.Name(), m.Name)
		return false
	}
	return true
}

func wholeMap(u *check.Use) types.Type {
	if !arity(u, 1, 1) || !mapArg(u, 0) {
		return types.Type{}
	}
	if m, _ := u.IsMap(0); m.Keys != nil {
		u.Errorf("%s() expects a whole map, not an element: %s(%s)", u.Name(), u.Name(), m.Name)
	}
	return types.Type{Kind: types.Void}
}

func printType(u *check.Use) types.Type {
	if !arity(u, 1, 3) {
		return types.Type{}
	}
	if m, ok := u.IsMap(0); ok && m.Keys == nil {
		for i := 1; i < len(u.Args); i++ {
			if _, ok := u.Const(i); !ok {
				u.Errorf("print() top and div arguments must be integer literals")
				return types.Type{}
			}
		}
		if mi := u.MapInfo(m.Name); len(u.Args) > 1 && mi != nil && mi.Value.AggKind == types.Stats {
			u.Warnf("print()'s top and div arguments are ignored when used on stats() maps.")
		}
		return types.Type{Kind: types.Void}
	}
	if len(u.Args) > 1 {
		u.Errorf("print() of a value takes one argument")
		return types.Type{}
	}
	switch t := u.ArgTypes[0]; {
	case t.Kind == types.Agg:
		u.Errorf("print() of an aggregation element is not supported; print the whole map")
	case t.Kind == types.Pointer && t.Ctx:
		u.ErrorHint("print a field, print(args->name), or the whole record, print(*args)", "%s type passed to print() is not printable", t)
	}
	return types.Type{Kind: types.Void}
}

func strType(u *check.Use) types.Type {
	if !arity(u, 1, 2) {
		return types.Type{}
	}
	t := u.ArgTypes[0]
	if !t.IsInt() && t.Kind != types.Pointer && t.Kind != types.String {
		u.Errorf("str() expects an integer or a pointer type as first argument (%s provided)", t)
		return types.Type{}
	}
	n := u.Strlen
	if len(u.Args) == 2 {
		if !u.ArgTypes[1].IsInt() {
			u.Errorf("str() expects an integer as second argument (%s provided)", u.ArgTypes[1].KindWord())
			return types.Type{}
		}
		if v, ok := u.Const(1); ok {
			if v < 0 {
				u.Errorf("str() length must not be negative (%d provided)", v)
				return types.Type{}
			}
			if int(v)+1 < n {
				n = int(v) + 1
			}
		}
	}
	if t.Kind == types.String && t.Size < n && t.Len != -1 {
		n = t.Size
	}
	return types.StringOf(n)
}

func oneInt(res types.Type) func(*check.Use) types.Type {
	return func(u *check.Use) types.Type {
		if !arity(u, 1, 1) {
			return types.Type{}
		}
		if !u.ArgTypes[0].IsInt() && u.ArgTypes[0].Kind != types.Pointer {
			u.Errorf("%s() expects an integer argument (%s provided)", u.Name(), u.ArgTypes[0].KindWord())
			return types.Type{}
		}
		return res
	}
}

func oneString(res types.Type) func(*check.Use) types.Type {
	return func(u *check.Use) types.Type {
		if !arity(u, 1, 1) {
			return types.Type{}
		}
		if _, ok := literalArg(u, 0); !ok {
			return types.Type{}
		}
		return res
	}
}

// resolved is the type rule of builtins whose string argument names
// something the environment turns into a number when the script is
// compiled (kaddr, uaddr, cgroupid): the use becomes that constant.
func resolved(lookup func(ae probe.Env, u *check.Use, name string) (uint64, error)) func(*check.Use) types.Type {
	return func(u *check.Use) types.Type {
		if !arity(u, 1, 1) {
			return types.Type{}
		}
		name, ok := literalArg(u, 0)
		if !ok {
			return types.Type{}
		}
		var v uint64
		err := probe.ErrUnavailable
		if ae, ok := u.Env(); ok {
			v, err = lookup(ae, u, name)
		}
		if errors.Is(err, probe.ErrUnavailable) {
			u.Errorf("%s() needs the running system to resolve %q", u.Name(), name)
			return types.Type{}
		}
		if err != nil {
			u.Errorf("%s(%q): %v", u.Name(), name, err)
			return types.Type{}
		}
		u.Fold(int64(v))
		return types.U64
	}
}

// addrSpaceType is the rule of kptr and uptr: an integer or pointer,
// retyped as a pointer into the address space.
func addrSpaceType(as types.AddrSpace) func(*check.Use) types.Type {
	return func(u *check.Use) types.Type {
		if !arity(u, 1, 1) {
			return types.Type{}
		}
		t := u.ArgTypes[0]
		switch {
		case t.Kind == types.Pointer:
		case t.IsInt():
			t = types.PointerTo(types.U8, as)
		default:
			u.Errorf("%s() only supports integer or pointer arguments (%s provided)", u.Name(), t.KindWord())
			return types.Type{}
		}
		t.AddrSpace = as
		return t
	}
}

func cgroupPathType(u *check.Use) types.Type {
	if !arity(u, 1, 2) {
		return types.Type{}
	}
	if !u.ArgTypes[0].IsInt() {
		u.Errorf("cgroup_path() expects an integer cgroup id (%s provided)", u.ArgTypes[0].KindWord())
		return types.Type{}
	}
	filter := "*"
	if len(u.Args) == 2 {
		f, ok := u.StringLit(1)
		if !ok {
			u.Errorf("cgroup_path() expects a string literal filter (%s provided)", u.ArgTypes[1].KindWord())
			return types.Type{}
		}
		filter = f
	}
	return types.Type{Kind: types.CgroupPath, Name: filter}
}

// PtonBytes parses pton()'s literal: an IPv4 address (it has a '.') in 4
// bytes or an IPv6 address (a ':') in 16, as bpftrace tells them apart.
func PtonBytes(addr string) ([]byte, error) {
	var n int
	switch {
	case strings.Contains(addr, "."):
		n = 4
	case strings.Contains(addr, ":"):
		n = 16
	default:
		return nil, fmt.Errorf("pton() expects an string argument of an IPv4/IPv6 address, got %s", addr)
	}
	a, err := netip.ParseAddr(addr)
	if err != nil || (n == 4) != a.Is4() {
		return nil, fmt.Errorf("pton() expects a valid IPv4/IPv6 address, got %s", addr)
	}
	return a.AsSlice(), nil
}

func ptonType(u *check.Use) types.Type {
	if !arity(u, 1, 1) {
		return types.Type{}
	}
	addr, ok := literalArg(u, 0)
	if !ok {
		return types.Type{}
	}
	b, err := PtonBytes(addr)
	if err != nil {
		u.Errorf("%v", err)
		return types.Type{}
	}
	return types.ArrayOf(types.U8, len(b))
}

func strcontainsType(u *check.Use) types.Type {
	if !arity(u, 2, 2) {
		return types.Type{}
	}
	if u.ArgTypes[0].Kind != types.String {
		u.Errorf("strcontains() expects a string as first argument (%s provided)", u.ArgTypes[0].KindWord())
		return types.Type{}
	}
	if u.ArgTypes[1].Kind != types.String {
		u.Errorf("strcontains() expects a string as second argument (%s provided)", u.ArgTypes[1].KindWord())
		return types.Type{}
	}
	return types.U64
}

func probeKind(u *check.Use) *probe.Kind {
	if u.Probe == nil {
		return nil
	}
	return u.Probe.Kind
}

func argType(u *check.Use) types.Type {
	k := probeKind(u)
	if strings.HasPrefix(u.Name(), "sarg") {
		if k == nil || k.ArgN != probe.ArgsRegs {
			u.Errorf("The %s builtin can only be used with 'kprobes' and 'uprobes' probes", u.Name())
			return types.Type{}
		}
		return types.I64
	}
	if k == nil || k.ArgN == probe.ArgsNone {
		u.Errorf("The %s builtin can only be used with 'kprobes', 'uprobes' and 'usdt' probes", u.Name())
		return types.Type{}
	}
	if i, err := strconv.Atoi(strings.TrimPrefix(u.Name(), "arg")); err == nil && k.ArgN == probe.ArgsRegs && i >= probe.MaxRegArgs {
		u.Errorf("x86_64 doesn't support %s", u.Name())
		return types.Type{}
	}
	if t, ok := usdtArgType(u); ok {
		return t
	}
	return types.U64
}

// usdtArgType is the type of argN in a usdt probe: the size and sign its
// note gives, when every location of the probe agrees (bpftrace types
// them so, and printf("%d") then prints negative values).
func usdtArgType(u *check.Use) (types.Type, bool) {
	if u.Probe == nil || len(u.Probe.Points) == 0 || u.Probe.Points[0].USDT == nil {
		return types.Type{}, false
	}
	i, err := strconv.Atoi(strings.TrimPrefix(u.Name(), "arg"))
	if err != nil {
		return types.Type{}, false
	}
	var t types.Type
	for j, pt := range u.Probe.Points {
		if pt.USDT == nil || i >= len(pt.USDT.Args) {
			u.Errorf("%s: USDT probe %s has no argument %d", u.Name(), pt.Name, i)
			return types.Type{}, true
		}
		a := pt.USDT.Args[i]
		at := types.IntOf(a.Size*8, a.Signed)
		if j > 0 && !at.Equal(t) {
			return types.U64, true
		}
		t = at
	}
	return types.IntOf(64, t.Signed), true
}

func retvalType(u *check.Use) types.Type {
	k := probeKind(u)
	if k == nil || !k.Return {
		u.Errorf("The retval builtin can only be used with 'kretprobe' and 'uretprobe' and 'kfunc' probes")
		return types.Type{}
	}
	return types.U64
}

func funcType(u *check.Use) types.Type {
	k := probeKind(u)
	if k == nil || !k.Func {
		u.Errorf("The func builtin can not be used with '%s' probes", kindName(k))
		return types.Type{}
	}
	if k.User {
		return types.Type{Kind: types.Usym}
	}
	return types.Type{Kind: types.Ksym}
}

// regType is the type rule of reg(name): kinds whose context holds the
// probed task's registers have it.
func regType(u *check.Use) types.Type {
	if k := probeKind(u); k == nil || !k.Regs {
		u.Errorf("reg can not be used with \"%s\" probes", kindName(k))
		return types.Type{}
	}
	return oneString(types.U64)(u)
}

func kindName(k *probe.Kind) string {
	if k == nil {
		return "unknown"
	}
	return k.Name
}
