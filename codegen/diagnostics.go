package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/stdlib"
)

// Diagnostics the program sends as it runs, at the expression being
// evaluated: runtime errors (a division by zero) always, helper errors
// (a lookup that finds nothing, a failed probe read or delete) with -k.
// stdlib's RuntimeError and HelperError codecs print them.

// HelperErrors are the levels of -k.
const (
	HelperErrorsOff    = 0 // no -k
	HelperErrorsOn     = 1 // -k: the newest bpftrace's words
	HelperErrorsLegacy = 2 // -kk: bpftrace 0.17's words and JSON records
)

// HelperFailed implements stdlib.Gen.
func (g *gen) HelperFailed(helper string, call *ast.Call) {
	span := g.at
	if call != nil {
		span = spanOf(call)
	}
	g.helperError(helper, span)
}

// helperError sends, with -k, the record of a failed helper whose return
// code is in R0. A failed delete is reported in 0.17's words even with a
// single -k: the newest bpftrace does not check deletes.
func (g *gen) helperError(helper string, span ast.Span) {
	level := g.c.opts.HelperErrors
	if level == HelperErrorsOff {
		return
	}
	m := g.mark()
	c := stdlib.HelperError()
	ev := g.NewEvent(c, nil)
	ev.Span, ev.Format = span, helper
	ev.Legacy = level == HelperErrorsLegacy || helper == "map_delete_elem"
	c.Encode(g, nil, ev)
	g.reset(m)
}

// runtimeError sends the record of a runtime error at span.
func (g *gen) runtimeError(span ast.Span, msg string) {
	m := g.mark()
	c := stdlib.RuntimeError()
	ev := g.NewEvent(c, nil)
	ev.Span, ev.Format = span, msg
	c.Encode(g, nil, ev)
	g.reset(m)
}

// checkRead reports, with -k, a probe read that failed: R0 holds what the
// bpf_probe_read helper just returned.
func (g *gen) checkRead() {
	if g.c.opts.HelperErrors == HelperErrorsOff {
		return
	}
	ok := g.Label()
	g.Emit(asm.JEq.Imm(asm.R0, 0, ok))
	span := g.at
	if g.c.opts.HelperErrors == HelperErrorsLegacy && g.atOpen.IsValid() {
		span.Start = g.atOpen // -kk's records are 0.17's, positions too
	}
	g.helperError("probe_read", span)
	g.Place(ok)
}

// evaluating makes e the expression diagnostics point at until the
// function it returns is called.
func (g *gen) evaluating(e ast.Expr) func() {
	prev, prevOpen := g.at, g.atOpen
	g.at, g.atOpen = spanOf(e), parenStart(e)
	return func() { g.at, g.atOpen = prev, prevOpen }
}

// parenStart is where bpftrace 0.17's position of e starts when it differs
// from e's span: at the '(' of a field's parenthesized operand
// (`((struct foo *)0)->a`); zero otherwise.
func parenStart(e ast.Expr) ast.Pos {
	if f, ok := e.(*ast.Field); ok {
		return f.Open
	}
	return ast.Pos{}
}
