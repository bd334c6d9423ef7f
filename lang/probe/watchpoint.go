package probe

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
)

// Watch is a watchpoint: a hardware breakpoint on an address, of a length
// of 1, 2, 4 or 8 bytes, and a mode of r, w and x letters.
//
// A watchpoint on a function's argument (watchpoint:FUNC+argN, bpftrace
// 0.17's; the newest bpftrace has dropped it) has no address of its own:
// a uprobe on the function Point.Func of the traced program Point.Path
// reads argument Arg at each call and has the breakpoint set on its
// value. The calling task is stopped until it is, unless Async
// (asyncwatchpoint).
type Watch struct {
	Addr  uint64
	Len   uint64
	Mode  string
	Arg   int
	Async bool
}

// OnArg says whether the watchpoint is on a function's argument.
func (w *Watch) OnArg() bool { return w.Addr == 0 }

// expandWatchpoint expands watchpoint:ADDRESS:LENGTH:MODE and
// watchpoint:FUNC+argN:LENGTH:MODE, or with async asyncwatchpoint, which
// has only the second form.
func expandWatchpoint(async bool) func(dst []Point, base Point, ap *ast.AttachPoint, env Env) ([]Point, error) {
	return func(dst []Point, base Point, ap *ast.AttachPoint, env Env) ([]Point, error) {
		n, err := strconv.ParseUint(ap.Parts[1], 0, 64)
		if err != nil || (n != 1 && n != 2 && n != 4 && n != 8) {
			return dst, &Error{Msg: fmt.Sprintf("watchpoint length must be 1, 2, 4 or 8 (%s provided)", ap.Parts[1])}
		}
		mode := ap.Parts[2]
		if mode == "" || strings.Trim(mode, "rwx") != "" || (strings.Contains(mode, "x") && mode != "x") {
			return dst, &Error{Msg: fmt.Sprintf("invalid watchpoint mode %q", mode), Hint: "modes: r, w, rw (read or write) or x (execute)"}
		}
		suffix := ":" + strconv.FormatUint(n, 10) + ":" + mode
		fn, arg, onArg := strings.Cut(ap.Parts[0], "+")
		if !onArg {
			if async {
				return dst, &Error{Msg: base.Kind.Name + " requires a function name", Hint: "asyncwatchpoint:FUNCTION+argN:LENGTH:MODE"}
			}
			addr, err := strconv.ParseUint(ap.Parts[0], 0, 64)
			if err != nil || addr == 0 {
				return dst, &Error{Msg: fmt.Sprintf("invalid watchpoint address %q", ap.Parts[0]),
					Hint: "an address, or FUNCTION+argN: the address a function of the traced process is given"}
			}
			base.Watch = &Watch{Addr: addr, Len: n, Mode: mode}
			base.Name = "watchpoint:0x" + strconv.FormatUint(addr, 16) + suffix
			return append(dst, base), nil
		}
		i, err := strconv.Atoi(strings.TrimPrefix(arg, "arg"))
		switch {
		case fn == "":
			return dst, &Error{Msg: "Invalid function/address argument"}
		case !strings.HasPrefix(arg, "arg") || err != nil || i < 0:
			return dst, &Error{Msg: "Invalid function argument", Hint: "FUNCTION+argN, N from 0 to " + strconv.Itoa(MaxRegArgs-1)}
		case i >= MaxRegArgs:
			return dst, &Error{Msg: fmt.Sprintf("x86_64 doesn't support arg%d", i), Hint: "the first 6 arguments are in registers: arg0 to arg5"}
		}
		base.Watch = &Watch{Len: n, Mode: mode, Arg: i, Async: async}
		argPart := ""
		if i != 0 {
			argPart = ":" + strconv.Itoa(i) // bpftrace 0.17 names it so
		}
		if env == nil {
			base.Func, base.Name = fn, base.Kind.Name+":"+fn+argPart+suffix
			return append(dst, base), nil
		}
		exe, err := env.TracedProgram()
		if errors.Is(err, ErrUnavailable) {
			return dst, &Error{Msg: "-p PID or -c CMD required for watchpoint", Hint: "FUNCTION is a function of the program of -c CMD, or of the process of -p PID"}
		}
		if err != nil {
			return dst, &Error{Msg: err.Error()}
		}
		base.Path = exe
		prefix := base.Kind.Name + ":" + exe + ":"
		if !hasWildcard(fn) {
			base.Func, base.Name = fn, prefix+fn+argPart+suffix
			return append(dst, base), nil
		}
		funcs, err := env.UserFunctions(exe)
		if err != nil {
			return dst, &Error{Msg: err.Error()}
		}
		k := len(dst)
		for _, f := range funcs {
			if Match(fn, f.Name) {
				p := base
				p.Func, p.Name = f.Name, prefix+f.Name+argPart+suffix
				dst = append(dst, p)
			}
		}
		if len(dst) == k {
			return dst, &Error{Missing: true, Msg: fmt.Sprintf("No matches for %s %s:%s.", base.Kind.Name, exe, fn)}
		}
		return dst, nil
	}
}
