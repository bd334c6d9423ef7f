package stdlib

import (
	"errors"
	"fmt"
	"os/exec"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// unsafeEntries act on the system and need --unsafe: system, signal,
// write_user, override.
func unsafeEntries() []*Entry {
	systemEv := &Codec{Name: "system", Encode: formatEncode, Decode: formatDecode(runSystem)}
	return []*Entry{
		{Name: "system", Kind: check.Func, Doc: "system(fmt, ...): run a shell command (--unsafe)", Type: unsafeFmt,
			Emit: sends(systemEv), Events: []*Codec{systemEv}},
		{Name: "signal", Kind: check.Func, Doc: "signal(sig): send a signal to the current process (--unsafe)", Type: signalType,
			Emit: StmtEmitter(signalEmit(asm.FnSendSignal))},
		{Name: "signal_thread", Kind: check.Func, Doc: "signal_thread(sig): send a signal to the current thread (--unsafe)", Type: signalType,
			Emit: StmtEmitter(signalEmit(asm.FnSendSignalThread))},
		{Name: "write_user", Kind: check.Func, Doc: "write_user(dst, src, len): write len bytes of src (a string or integer) to user address dst (--unsafe)",
			Type: writeUserType, Emit: StmtEmitter(writeUserEmit),
			Needs: "write_user() needs bpf_probe_write_user, which a kernel in lockdown (integrity or confidentiality) refuses"},
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
		}, Emit: StmtEmitter(func(g Gen, c *ast.Call) {
			g.EvalInt(c.Args[0], asm.R2)
			g.Emit(asm.Mov.Reg(asm.R1, asm.R6), asm.FnOverrideReturn.Call())
		}), Needs: "override() needs a kernel built with CONFIG_BPF_KPROBE_OVERRIDE (and CONFIG_FUNCTION_ERROR_INJECTION), on a function that allows error injection"},
	}
}

// signalType is the rule of signal and signal_thread: a signal name or
// number.
func signalType(u *check.Use) types.Type {
	if !unsafeOK(u) || !arity(u, 1, 1) {
		return types.Type{}
	}
	if name, ok := u.StringLit(0); ok {
		if _, ok := SignalNumber(name); !ok {
			u.Errorf("%s is not a valid signal", name)
		}
	} else if !u.ArgTypes[0].IsInt() {
		u.Errorf("%s() expects a signal name or number (%s provided)", u.Name(), u.ArgTypes[0].KindWord())
	}
	return types.Type{Kind: types.Void}
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

// runSystem runs a command for system() (only compiled with --unsafe);
// its output is printed in event order.
func runSystem(h Host, cmdline []byte) error {
	cmd := exec.Command("/bin/sh", "-c", string(cmdline))
	cmd.Stderr = h.Stderr()
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			fmt.Fprintf(h.Stderr(), "gbt: system(%q): %v\n", cmdline, err)
		}
	}
	return h.Printer().Message("syscall", out) // bpftrace names the record "syscall"
}

// Signal numbers signal() accepts by name (x86-64 Linux).
var signals = map[string]int32{
	"SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGILL": 4, "SIGTRAP": 5, "SIGABRT": 6, "SIGBUS": 7,
	"SIGFPE": 8, "SIGKILL": 9, "SIGUSR1": 10, "SIGSEGV": 11, "SIGUSR2": 12, "SIGPIPE": 13,
	"SIGALRM": 14, "SIGTERM": 15, "SIGCHLD": 17, "SIGCONT": 18, "SIGSTOP": 19, "SIGTSTP": 20,
}

// SignalNumber resolves "KILL", "SIGKILL" or "9".
func SignalNumber(name string) (int32, bool) {
	if n, ok := signals[name]; ok {
		return n, true
	}
	n, ok := signals["SIG"+name]
	return n, ok
}

// signalEmit sends a signal with bpf_send_signal (to the current
// process) or bpf_send_signal_thread (to the current thread).
func signalEmit(fn asm.BuiltinFunc) StmtEmitter {
	return func(g Gen, c *ast.Call) {
		if lit, ok := c.Args[0].(*ast.StrLit); ok {
			n, _ := SignalNumber(lit.Value)
			g.Emit(asm.Mov.Imm(asm.R1, n))
		} else {
			g.EvalInt(c.Args[0], asm.R1)
		}
		g.Emit(fn.Call())
	}
}

// writeUserType is write_user's rule: a user address (pointer or
// integer), a string or integer value, and an integer length. It
// returns nothing, as in the newest bpftrace.
func writeUserType(u *check.Use) types.Type {
	if !u.Unsafe {
		// The newest bpftrace's words.
		u.ErrorHint("run gbt with --unsafe to allow it", "write_user() is unsafe. To use you need the --unsafe flag")
		return types.Type{}
	}
	if !arity(u, 3, 3) {
		return types.Type{}
	}
	if t := u.ArgTypes[0]; !t.IsInt() && t.Kind != types.Pointer {
		u.ErrorAt(u.Args[0], "write_user() expects a user address as first argument (%s provided)", t.KindWord())
	}
	if t := u.ArgTypes[1]; !t.IsInt() && t.Kind != types.String {
		u.ErrorAt(u.Args[1], "write_user() expects a string or an integer as second argument (%s provided)", t.KindWord())
	}
	if t := u.ArgTypes[2]; !t.IsInt() {
		u.ErrorAt(u.Args[2], "write_user() expects an integer length as third argument (%s provided)", t.KindWord())
	}
	return types.Type{Kind: types.Void}
}

// writeUserEmit copies src into the frame and writes at most its size
// (len clamped to it; nothing for 0) to dst with bpf_probe_write_user.
func writeUserEmit(g Gen, c *ast.Call) {
	st := g.TypeOf(c.Args[1])
	size := st.ByteSize()
	if st.IsInt() {
		st, size = types.U64, 8
	}
	src := g.Alloc(size)
	g.Zero(src, size)
	g.Store(c.Args[1], st, src)
	dst, n := g.TakeReg(), g.TakeReg()
	g.EvalInt(c.Args[0], dst)
	g.EvalInt(c.Args[2], n)
	skip, fits := g.Label(), g.Label()
	g.Emit(asm.JEq.Imm(n, 0, skip), asm.JLE.Imm(n, int32(size), fits), asm.Mov.Imm(n, int32(size)))
	g.Place(fits)
	g.Emit(asm.Mov.Reg(asm.R1, dst))
	g.Addr(asm.R2, src)
	g.Emit(asm.Mov.Reg(asm.R3, n), asm.FnProbeWriteUser.Call())
	g.Place(skip)
	g.FreeReg(n)
	g.FreeReg(dst)
}
