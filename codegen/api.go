package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/stdlib"
)

// The stdlib.Gen methods that give emitters codegen's own helpers. (The
// others are next to what they use: Emit and the context accessors in
// compile.go, EvalInt and EvalMem in expr.go, events in events.go.)

var _ stdlib.Gen = (*gen)(nil)

// ExitProbe implements stdlib.Gen.
func (g *gen) ExitProbe() { g.Emit(asm.Ja.Label(g.exitL)) }

// TaskField implements stdlib.Gen.
func (g *gen) TaskField(field string) (int, bool) {
	if g.c.opts.TaskField == nil {
		return 0, false
	}
	return g.c.opts.TaskField(g.prog.Type, field)
}

// ProbeKind implements stdlib.Gen.
func (g *gen) ProbeKind() *probe.Kind { return g.pi.Kind }

// Strlen implements stdlib.Gen.
func (g *gen) Strlen() int {
	if g.c.info.Strlen > 0 {
		return g.c.info.Strlen
	}
	return check.DefaultStrlen
}

// Mark implements stdlib.Gen.
func (g *gen) Mark() int { return g.mark() }

// Reset implements stdlib.Gen.
func (g *gen) Reset(mark int) { g.reset(mark) }

// Zero implements stdlib.Gen.
func (g *gen) Zero(off int16, size int) { g.zero(off, size) }

// Addr implements stdlib.Gen.
func (g *gen) Addr(dst asm.Register, off int16) { g.addr(dst, off) }

// TakeReg implements stdlib.Gen.
func (g *gen) TakeReg() asm.Register { return g.reg() }

// Lend implements stdlib.Gen.
func (g *gen) Lend(dst asm.Register, f func()) { g.lend(dst, f) }

// FreeReg implements stdlib.Gen.
func (g *gen) FreeReg(r asm.Register) { g.release(r) }

// InRegister implements stdlib.Gen.
func (g *gen) InRegister(t types.Type) bool { return isScalar(t) }

// LoadConst implements stdlib.Gen.
func (g *gen) LoadConst(dst asm.Register, v int64) { g.loadConst(dst, v) }

// Store implements stdlib.Gen.
func (g *gen) Store(e ast.Expr, t types.Type, off int16) { g.storeValue(e, t, off) }

// Space implements stdlib.Gen.
func (g *gen) Space(ptr types.Type) types.AddrSpace { return g.space(ptr) }

// AddrOf implements stdlib.Gen.
func (g *gen) AddrOf(e ast.Expr, dst asm.Register) (types.AddrSpace, bool) { return g.addrOf(e, dst) }

// InFrame implements stdlib.Gen.
func (g *gen) InFrame(e ast.Expr, t types.Type) int16 { return g.inFrame(e, t) }

// CompareStrings implements stdlib.Gen.
func (g *gen) CompareStrings(a, b ast.Expr, limit int, dst asm.Register) {
	g.stringCompare(a, b, limit, dst)
}

// userMap returns the map m names, or reports at the current statement
// that it could not be created (its diagnostic is already given).
func (g *gen) userMap(m *ast.MapRef) *MapDesc {
	md := g.c.maps[m.Name]
	if md == nil {
		panic(unsupported{span: g.cur, msg: "map " + m.Name + " could not be created"})
	}
	return md
}

// MapKey implements stdlib.Gen.
func (g *gen) MapKey(m *ast.MapRef, via asm.Register) int16 {
	return g.buildKeyVia(m, g.userMap(m), via)
}

// MapPtr implements stdlib.Gen.
func (g *gen) MapPtr(dst asm.Register, m *ast.MapRef) asm.Instruction {
	g.userMap(m)
	return g.mapPtr(dst, m.Name)
}

// ContinueCallback implements stdlib.Gen.
func (g *gen) ContinueCallback() asm.Instruction { return g.callback(cbContinue) }
