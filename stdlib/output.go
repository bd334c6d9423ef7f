package stdlib

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/runtime/output"
)

// outputEntries print and stop: printf, cat, debugf, exit, and unwatch,
// which asks user space to act now. (system() is in unsafe.go.)
func outputEntries() []*Entry {
	printfEv := &Codec{Name: "printf", Encode: formatEncode, Decode: formatDecode(func(h Host, line []byte) error {
		return h.Printer().Printf(line)
	})}
	catEv := &Codec{Name: "cat", Encode: formatEncode, Decode: formatDecode(catFile)}
	exitEv := &Codec{Name: "exit", Encode: exitEncode, Decode: func(ev *Event, h Host) (Handler, error) {
		return func(rec []byte) error {
			code := 0
			if len(ev.Offs) == 1 {
				code = int(int32(binary.LittleEndian.Uint64(rec[ev.Offs[0]:])))
			}
			h.Exit(code)
			return nil
		}, nil
	}}
	errorfEv := &Codec{Name: "errorf", Encode: formatEncode, Decode: scriptMessage(diag.Error)}
	warnfEv := &Codec{Name: "warnf", Encode: formatEncode, Decode: scriptMessage(diag.Warning)}
	unwatchEv := &Codec{Name: "unwatch", Encode: unwatchEncode, Decode: func(ev *Event, h Host) (Handler, error) {
		return func(rec []byte) error { h.Unwatch(binary.LittleEndian.Uint64(rec[ev.Offs[0]:])); return nil }, nil
	}}
	sendPrintf := sends(printfEv)
	return []*Entry{
		{Name: "printf", Kind: check.Func, Doc: "printf(fmt, ...): print formatted output", Type: func(u *check.Use) types.Type {
			if !formatArity(u) {
				return types.Type{}
			}
			checkSeqPrintf(u, CheckPrintf(u, 0))
			return types.Type{Kind: types.Void}
		}, Emit: StmtEmitter(func(g Gen, c *ast.Call) {
			if !seqPrintfEmit(g, c) {
				sendPrintf(g, c)
			}
		}), Events: []*Codec{printfEv}},
		{Name: "cat", Kind: check.Func, Doc: "cat(fmt, ...): print a file's contents", Type: func(u *check.Use) types.Type {
			if !formatArity(u) {
				return types.Type{}
			}
			CheckPrintf(u, 0)
			return types.Type{Kind: types.Void}
		}, Emit: sends(catEv), Events: []*Codec{catEv}},
		{Name: "errorf", Kind: check.Func, Doc: "errorf(fmt, ...): print an error message with the call's source location (to stderr)", Type: func(u *check.Use) types.Type {
			if !formatArity(u) {
				return types.Type{}
			}
			CheckPrintf(u, 0)
			return types.Type{Kind: types.Void}
		}, Emit: sends(errorfEv), Events: []*Codec{errorfEv}},
		{Name: "warnf", Kind: check.Func, Doc: "warnf(fmt, ...): print a warning with the call's source location (to stderr; not with --no-warnings)", Type: func(u *check.Use) types.Type {
			if !formatArity(u) {
				return types.Type{}
			}
			CheckPrintf(u, 0)
			return types.Type{Kind: types.Void}
		}, Emit: sends(warnfEv), Events: []*Codec{warnfEv}},
		{Name: "debugf", Kind: check.Func, Doc: "debugf(fmt, ...): print to the kernel's trace pipe (bpf_trace_printk; at most 3 values)", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 4) {
				return types.Type{}
			}
			CheckPrintf(u, 0)
			u.Warnf("The debugf() builtin is not recommended for production use. For more information see bpf_trace_printk in bpf-helpers(7).")
			return types.Type{Kind: types.Void}
		}, Emit: StmtEmitter(debugfEmit)},
		{Name: "exit", Kind: check.Func, Doc: "exit([code]): stop tracing, print maps and quit (with code)", Type: func(u *check.Use) types.Type {
			switch len(u.Args) {
			case 0:
			case 1:
				intArg(u, 0)
			default:
				u.Errorf("exit() takes up to one argument (%d provided)", len(u.Args))
			}
			return types.Type{Kind: types.Void}
		}, Emit: sends(exitEv), EndsProbe: true, Events: []*Codec{exitEv}},
		{Name: "unwatch", Kind: check.Func, Doc: "unwatch(addr): remove the watchpoints at addr (soon after: user space does it)", Type: oneInt(types.Type{Kind: types.Void}),
			Emit: sends(unwatchEv), Events: []*Codec{unwatchEv}},
	}
}

// formatEncode sends a record with a printf-style format's arguments
// (printf, cat, system): each at its offset after the id, integers in 8
// bytes.
func formatEncode(g Gen, c *ast.Call, ev *Event) {
	ev.Format = g.StrLit(c.Args[0])
	for _, a := range c.Args[1:] {
		ev.AddField(g.TypeOf(a))
	}
	rec := g.Alloc(ev.Size)
	g.Zero(rec, ev.Size)
	sendID(g, ev, rec)
	for i, a := range c.Args[1:] {
		t := ev.Args[i]
		if g.InRegister(t) {
			r := g.TakeReg()
			g.EvalInt(a, r)
			g.Emit(asm.StoreMem(asm.R10, rec+int16(ev.Offs[i]), r, asm.DWord))
			g.FreeReg(r)
			continue
		}
		if t.Kind == types.String {
			g.EvalText(a, t, rec+int16(ev.Offs[i]))
			continue
		}
		g.EvalMem(a, t, rec+int16(ev.Offs[i]))
	}
	g.Send(rec, ev.Size, false)
}

// formatDecode formats each record of a call site with its format, then
// lets act print or use the text.
func formatDecode(act func(h Host, text []byte) error) func(ev *Event, h Host) (Handler, error) {
	return func(ev *Event, h Host) (Handler, error) {
		pf, err := h.Printf(ev.Format, ev.Args, ev.Offs)
		if err != nil {
			return nil, err // the runtime names the event
		}
		var line []byte
		return func(rec []byte) error {
			line = pf.Append(line[:0], rec)
			return act(h, line)
		}, nil
	}
}

// RuntimeWarning returns the codec of the records codegen sends itself,
// with no builtin involved, where an operation goes wrong at run time in a
// way the checker cannot foresee (a variable index outside an array): user
// space prints the event's Format, plain text, as a warning at the
// event's Span, as bpftrace prints its runtime errors.
func RuntimeWarning() *Codec { return runtimeWarning }

var runtimeWarning = &Codec{Name: "runtime warning", Encode: func(g Gen, _ *ast.Call, ev *Event) {
	rec := g.Alloc(ev.Size)
	sendID(g, ev, rec)
	g.Send(rec, ev.Size, false)
}, Decode: scriptMessage(diag.Warning)}

// scriptMessage prints errorf's and warnf's text as bpftrace does, after
// the call's location, then the macro calls it was expanded from:
// "stdin:1:9-62: ERROR: text".
func scriptMessage(sev diag.Severity) func(ev *Event, h Host) (Handler, error) {
	return func(ev *Event, h Host) (Handler, error) {
		var out bytes.Buffer
		return formatDecode(func(h Host, text []byte) error {
			if sev == diag.Error {
				h.ScriptError()
			}
			if sev == diag.Warning && !h.Warnings() {
				return nil
			}
			out.Reset()
			if err := diag.Message(&out, h.Source(), ev.Span, sev, string(bytes.TrimRight(text, "\n"))); err != nil {
				return err
			}
			_, err := h.Stderr().Write(out.Bytes())
			return err
		})(ev, h)
	}
}

// catFile prints (up to Host.CatBytesMax of) a file for cat().
func catFile(h Host, path []byte) error {
	b, err := os.ReadFile(string(path))
	if err != nil {
		// In the words of the release the output follows (0.17: "...':
		// No such file...", the newest: "...' (No such file...)").
		msg := h.Printer().Compat().Sprintf(compat.CatOpenFailed, path, output.ErrnoText(err))
		fmt.Fprintf(h.Stderr(), "ERROR: %s\n", msg)
		return nil
	}
	return h.Printer().Message("cat", b[:min(len(b), h.CatBytesMax())])
}

// exitEncode tells user space to stop and ends the probe.
func exitEncode(g Gen, c *ast.Call, ev *Event) {
	if c != nil && len(c.Args) == 1 {
		ev.AddField(types.I64)
	}
	rec := g.Alloc(ev.Size)
	sendID(g, ev, rec)
	if ev.Size > 8 {
		r := g.TakeReg()
		g.EvalInt(c.Args[0], r)
		g.Emit(asm.StoreMem(asm.R10, rec+int16(ev.Offs[0]), r, asm.DWord))
		g.FreeReg(r)
	}
	g.Send(rec, ev.Size, true)
	g.ExitProbe()
}

// unwatchEncode sends the address at once.
func unwatchEncode(g Gen, c *ast.Call, ev *Event) {
	ev.AddField(types.U64)
	rec := g.Alloc(ev.Size)
	sendID(g, ev, rec)
	r := g.TakeReg()
	g.EvalInt(c.Args[0], r)
	g.Emit(asm.StoreMem(asm.R10, rec+int16(ev.Offs[0]), r, asm.DWord))
	g.FreeReg(r)
	g.Send(rec, ev.Size, true)
}

// debugfEmit calls bpf_trace_printk(fmt, size, a, b, c): the format and
// any string values are copied to the frame, integer values are parked
// there while the others are computed, then loaded into R3-R5.
func debugfEmit(g Gen, c *ast.Call) {
	format := g.StrLit(c.Args[0])
	ft := types.StringOf(len(format) + 1)
	foff := g.Alloc(ft.ByteSize())
	g.EvalMem(c.Args[0], ft, foff)
	slots := make([]int16, len(c.Args)-1)
	strs := make([]bool, len(c.Args)-1)
	for i, a := range c.Args[1:] {
		t := g.TypeOf(a)
		if t.Kind == types.String {
			slots[i] = g.Alloc(t.ByteSize())
			strs[i] = true
			g.EvalMem(a, t, slots[i])
			continue
		}
		slots[i] = g.Alloc(8)
		g.EvalInt(a, asm.R1)
		g.Emit(asm.StoreMem(asm.R10, slots[i], asm.R1, asm.DWord))
	}
	for i, off := range slots {
		r := asm.R3 + asm.Register(i)
		if strs[i] {
			g.Emit(asm.Mov.Reg(r, asm.R10), asm.Add.Imm(r, int32(off)))
		} else {
			g.Emit(asm.LoadMem(r, asm.R10, off, asm.DWord))
		}
	}
	g.Emit(asm.Mov.Reg(asm.R1, asm.R10), asm.Add.Imm(asm.R1, int32(foff)), asm.Mov.Imm(asm.R2, int32(len(format)+1)), asm.FnTracePrintk.Call())
}
