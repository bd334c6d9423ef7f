package stdlib

import (
	"time"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/runtime/output"
)

// timeEntries are clocks and the printing of times: nsecs, elapsed,
// time(), strftime().
func timeEntries() []*Entry {
	u64 := fixed(types.U64)
	timeEv := &Codec{Name: "time", Encode: timeEncode, Decode: timeDecode}
	return []*Entry{
		{Name: "nsecs", Kind: check.VarOrFunc, Doc: "nsecs, nsecs([monotonic|boot|tai|sw_tai]): nanoseconds of a clock (bare: monotonic, since boot)",
			Type: nsecsType, Emit: IntEmitter(nsecsEmit)},
		{Name: "elapsed", Kind: check.Var, Doc: "nanoseconds since gbt started the program", Type: u64,
			Emit: IntEmitter(func(g Gen, _ *ast.Call, dst asm.Register) {
				g.ElapsedBase(dst)
				g.Emit(asm.FnKtimeGetNs.Call(), asm.Sub.Reg(asm.R0, dst), asm.Mov.Reg(dst, asm.R0))
			})},
		{Name: "time", Kind: check.Func, Doc: "time([fmt]): print the current time (strftime format)", Type: func(u *check.Use) types.Type {
			if !arity(u, 0, 1) {
				return types.Type{}
			}
			if len(u.Args) == 1 {
				literalArg(u, 0)
			}
			return types.Type{Kind: types.Void}
		}, Emit: sends(timeEv), Events: []*Codec{timeEv}},
		{Name: "strftime", Kind: check.Func, Doc: "strftime(fmt, nsecs): format a timestamp", Type: func(u *check.Use) types.Type {
			if !arity(u, 2, 2) {
				return types.Type{}
			}
			format, ok := literalArg(u, 0)
			if !ok {
				return types.Type{}
			}
			if !u.ArgTypes[1].IsInt() {
				u.Errorf("strftime() expects an integer timestamp (%s provided)", u.ArgTypes[1].KindWord())
				return types.Type{}
			}
			// The value is the nsecs timestamp; the format travels in the type.
			return types.Type{Kind: types.Timestamp, Name: format}
		}, Emit: IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) { g.EvalInt(c.Args[1], dst) })},
	}
}

// timeEncode sends a record of the id alone: user space reads the clock
// when it handles it.
func timeEncode(g Gen, c *ast.Call, ev *Event) {
	ev.Format = "%H:%M:%S\n"
	if len(c.Args) == 1 {
		ev.Format = g.StrLit(c.Args[0])
	}
	rec := g.Alloc(8)
	sendID(g, ev, rec)
	g.Send(rec, 8, false)
}

// timeDecode prints the wall time in the call's strftime format.
func timeDecode(ev *Event, h Host) (Handler, error) {
	var line []byte
	return func([]byte) error {
		line = output.AppendStrftime(line[:0], ev.Format, time.Now())
		return h.Printer().Message("time", line)
	}, nil
}

// clockHelpers are the clocks nsecs() reads, by mode. sw_tai, bpftrace's
// approximation of TAI for kernels without bpf_ktime_get_tai_ns, reads the
// TAI clock itself: gbt needs Linux 6.1 or later anyway.
var clockHelpers = map[string]asm.BuiltinFunc{
	"monotonic": asm.FnKtimeGetNs,
	"boot":      asm.FnKtimeGetBootNs,
	"tai":       asm.FnKtimeGetTaiNs,
	"sw_tai":    asm.FnKtimeGetTaiNs,
}

func nsecsType(u *check.Use) types.Type {
	if !arity(u, 0, 1) {
		return types.Type{}
	}
	if len(u.Args) == 1 {
		id, ok := u.Args[0].(*ast.Ident)
		if !ok {
			word := u.ArgTypes[0].KindWord()
			if u.ArgTypes[0].IsInt() {
				word = "int" // bpftrace's word here
			}
			u.Errorf("nsecs() only supports timestamp_mode arguments (%s provided)", word)
			return types.Type{}
		}
		if _, known := clockHelpers[id.Name]; !known {
			u.ErrorAt(id, "Invalid timestamp mode: %s", id.Name)
			return types.Type{}
		}
	}
	return types.U64
}

// nsecsEmit reads the clock of the call's mode; the bare name and nsecs()
// read the monotonic clock, as bpftrace 0.17's nsecs.
func nsecsEmit(g Gen, c *ast.Call, dst asm.Register) {
	fn := asm.FnKtimeGetNs
	if c != nil && len(c.Args) == 1 {
		fn = clockHelpers[c.Args[0].(*ast.Ident).Name]
	}
	g.Emit(fn.Call(), asm.Mov.Reg(dst, asm.R0))
}
