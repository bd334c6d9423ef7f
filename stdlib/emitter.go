package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
)

// Emitter generates the BPF code of a builtin's uses. It is one of the
// kinds below; codegen picks the one its context needs (an integer, a
// value in memory, a statement, an aggregation update). The method is
// unexported so that no other type can be an Emitter.
type Emitter interface{ emitter() }

// Emitter kinds. c is nil for a bare name (pid, kstack).
type (
	// IntEmitter computes an integer value into dst (variables and
	// functions with integer results).
	IntEmitter func(g Gen, c *ast.Call, dst asm.Register)
	// MemEmitter writes a value of the use's type, size bytes, at
	// R10+off, which codegen has zeroed (strings, records).
	MemEmitter func(g Gen, c *ast.Call, off int16, size int)
	// StmtEmitter generates a call that is a statement and yields no value
	// (printf, exit, delete).
	StmtEmitter func(g Gen, c *ast.Call)
	// AggEmitter updates an aggregation value in place: ptr points at this
	// CPU's value, val holds the argument (if any).
	AggEmitter func(g Gen, c *ast.Call, ptr, val asm.Register)
)

// SplitEmitter serves an entry whose values are integers in some probes
// and memory values in others (func: a ksym in kprobes, a usym in uprobes).
type SplitEmitter struct {
	Int IntEmitter
	Mem MemEmitter
}

func (IntEmitter) emitter()   {}
func (MemEmitter) emitter()   {}
func (StmtEmitter) emitter()  {}
func (AggEmitter) emitter()   {}
func (SplitEmitter) emitter() {}

// IntOf returns the integer emitter of an entry, if it has one.
func (e *Entry) IntOf() (IntEmitter, bool) {
	switch em := e.Emit.(type) {
	case IntEmitter:
		return em, em != nil
	case SplitEmitter:
		return em.Int, em.Int != nil
	}
	return nil, false
}

// MemOf returns the memory-value emitter of an entry, if it has one.
func (e *Entry) MemOf() (MemEmitter, bool) {
	switch em := e.Emit.(type) {
	case MemEmitter:
		return em, em != nil
	case SplitEmitter:
		return em.Mem, em.Mem != nil
	}
	return nil, false
}

// StmtOf returns the statement emitter of an entry, if it has one.
func (e *Entry) StmtOf() (StmtEmitter, bool) {
	em, ok := e.Emit.(StmtEmitter)
	return em, ok && em != nil
}

// AggOf returns the aggregation emitter of an entry, if it has one.
func (e *Entry) AggOf() (AggEmitter, bool) {
	em, ok := e.Emit.(AggEmitter)
	return em, ok && em != nil
}

// helperInt calls a helper that takes no arguments; post adjusts R0.
func helperInt(fn asm.BuiltinFunc, post ...asm.Instruction) IntEmitter {
	return func(g Gen, _ *ast.Call, dst asm.Register) {
		g.Emit(fn.Call())
		g.Emit(post...)
		g.Emit(asm.Mov.Reg(dst, asm.R0))
	}
}

// argEmitter evaluates a builtin's only argument (the checker gave it a
// new type).
var argEmitter = IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) { g.EvalInt(c.Args[0], dst) })
