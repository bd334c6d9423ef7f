package stdlib

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/runtime/output"
)

// Diagnostics of the running program that codegen sends itself, with no
// builtin involved: runtime errors (a division by zero) and, with -k,
// helper errors (a map lookup that finds nothing, a failed probe read).
// Text output prints them on stderr as warnings at the expression, with
// its source line, as the newest bpftrace does; JSON output writes their
// records to the output stream (even with --no-warnings, as bpftrace).

// DivideByZero is bpftrace's runtime error for a division or modulo by 0,
// whose result is then 1.
const DivideByZero = "Divide or modulo by 0 detected. This can lead to unexpected results. 1 is being used as the result."

// RuntimeError returns the codec of a runtime error: ev.Format is its
// message, ev.Span the expression.
func RuntimeError() *Codec { return runtimeError }

var runtimeError = &Codec{Name: "runtime error", Encode: func(g Gen, _ *ast.Call, ev *Event) {
	rec := g.Alloc(ev.Size)
	sendID(g, ev, rec)
	g.Send(rec, ev.Size, false)
}, Decode: func(ev *Event, h Host) (Handler, error) {
	return diagnostic(ev, h, func([]byte) (string, output.RunDiagnostic) {
		return ev.Format, output.RunDiagnostic{Type: "runtime_error", Msg: ev.Format}
	}), nil
}}

// HelperError returns the codec of a failed helper call (-k): its Encode
// runs right after the call, with the helper's return code in R0 (0 for
// a lookup that found nothing); ev.Format names the helper
// ("map_lookup_elem"), ev.Span the expression, and ev.Legacy asks for
// bpftrace 0.17's words ("Failed to probe_read: Bad address (-14)").
func HelperError() *Codec { return helperError }

var helperError = &Codec{Name: "helper error", Encode: func(g Gen, _ *ast.Call, ev *Event) {
	off := ev.AddField(types.I64)
	rec := g.Alloc(ev.Size)
	g.Emit(asm.StoreMem(asm.R10, rec+int16(off), asm.R0, asm.DWord))
	sendID(g, ev, rec)
	g.Send(rec, ev.Size, false)
}, Decode: func(ev *Event, h Host) (Handler, error) {
	return diagnostic(ev, h, func(rec []byte) (string, output.RunDiagnostic) {
		rc := int64(binary.NativeEndian.Uint64(rec[ev.Offs[0]:]))
		d := output.RunDiagnostic{Type: "helper_error", Msg: output.RetcodeText(rc), Helper: ev.Format, Retcode: rc, Legacy: ev.Legacy}
		return helperErrorText(ev, rc), d
	}), nil
}}

// helperErrorText is a helper error's warning: the newest bpftrace's
// words, or 0.17's with ev.Legacy.
func helperErrorText(ev *Event, rc int64) string {
	lookup := ev.Format == "map_lookup_elem"
	switch {
	case ev.Legacy && lookup:
		return fmt.Sprintf("Failed to %s: %d", ev.Format, rc)
	case ev.Legacy:
		return fmt.Sprintf("Failed to %s: %s (%d)", ev.Format, output.RetcodeText(rc), rc)
	case lookup:
		return fmt.Sprintf("Can't lookup map element because it does not exist.\nAdditional Info - helper: %s, retcode: %d", ev.Format, rc)
	}
	return fmt.Sprintf("%s\nAdditional Info - helper: %s, retcode: %d", output.RetcodeText(rc), ev.Format, rc)
}

// diagnostic returns the handler of a diagnostic's records: describe
// gives the text warning and the JSON record of one.
func diagnostic(ev *Event, h Host, describe func(rec []byte) (string, output.RunDiagnostic)) Handler {
	var out bytes.Buffer
	return func(rec []byte) error {
		h.ScriptError()
		text, d := describe(rec)
		p := h.Printer()
		if p.Format() == output.JSON {
			d.File, d.Line, d.Col = h.Source().Name, ev.Span.Start.Line, ev.Span.Start.Col
			return p.RunDiagnostic(d)
		}
		if !h.Warnings() {
			return nil
		}
		out.Reset()
		diag.Render(&out, h.Source(), &diag.Diagnostic{Severity: diag.Warning, Span: ev.Span, Msg: text})
		_, err := h.Stderr().Write(out.Bytes())
		return err
	}
}
