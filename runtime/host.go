package runtime

import (
	"io"

	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/runtime/output"
	"github.com/gbt-dev/gbt/stdlib"
)

// host is the session as the builtins' event decoders see it.
type host struct{ s *Session }

var _ stdlib.Host = host{}

// Printer implements stdlib.Host.
func (h host) Printer() *output.Printer { return h.s.pr }

// Printf implements stdlib.Host: the format resolves probe names and
// timestamps now, and stacks once the session has them (start).
func (h host) Printf(format string, args []types.Type, offs []int) (*output.Printf, error) {
	pf, err := output.CompilePrintf(format, args, offs)
	if err != nil {
		return nil, err
	}
	pf.SetCompat(h.s.opts.Compat)
	pf.SetProbeNames(h.s.obj.ProbeNames)
	pf.SetClock(h.s.clock)
	pf.SetStrTrailer(h.s.obj.Settings().StrTruncTrailer)
	h.s.printfs = append(h.s.printfs, pf)
	return pf, nil
}

// Stderr implements stdlib.Host.
func (h host) Stderr() io.Writer { return h.s.errw }

// ScriptError implements stdlib.Host.
func (h host) ScriptError() { h.s.scriptErrors++ }

// Source implements stdlib.Host.
func (h host) Source() diag.Source {
	if p := h.s.obj.Info.Prog; p != nil && p.File != "" {
		return diag.Source{Name: p.File, Text: p.Text}
	}
	return diag.Source{Name: "stdin"}
}

// Warnings implements stdlib.Host.
func (h host) Warnings() bool { return !h.s.opts.NoWarnings }

// CatBytesMax implements stdlib.Host.
func (h host) CatBytesMax() int {
	if h.s.opts.CatBytesMax <= 0 {
		if n := h.s.obj.Settings().MaxCatBytes; n > 0 {
			return n // max_cat_bytes
		}
		return DefaultCatBytesMax
	}
	return h.s.opts.CatBytesMax
}

// PrintMap implements stdlib.Host.
func (h host) PrintMap(name string, top, div int) error { return h.s.printMap(name, top, div) }

// ClearMap implements stdlib.Host.
func (h host) ClearMap(name string, zero bool) error { return h.s.clearMap(name, zero) }

// Exit implements stdlib.Host.
func (h host) Exit(code int) {
	if h.s.exitCode == 0 {
		h.s.exitCode = code
	}
	if h.s.finishing {
		return // the run is over already; the drains read on
	}
	h.s.exited, h.s.exitCalled = true, true
}

// Unwatch implements stdlib.Host.
func (h host) Unwatch(addr uint64) { h.s.unwatch(addr) }
