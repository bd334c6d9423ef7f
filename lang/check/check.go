package check

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/internal/spell"
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// Check resolves and type-checks prog.
//
// Map types are inferred from assignments in every probe, whatever their
// order in the source (a kretprobe may read what a later kprobe writes), so
// the probes are walked twice: the first walk only collects map types, the
// second reports errors against them.
func Check(prog *ast.Program, cfg Config) (*Info, diag.List) {
	if cfg.Strlen <= 0 {
		cfg.Strlen = DefaultStrlen
	}
	c := &checker{cfg: cfg, info: &Info{
		Prog: prog, Maps: map[string]*MapInfo{}, Params: cfg.Params,
		Strlen: cfg.Strlen, Unsafe: cfg.Unsafe,
	}}
	c.enums = map[string]int64{}
	c.argsCache = map[tracepoint]*types.Type{}
	for _, d := range prog.CDefs {
		c.cdef(d)
	}
	c.macros(prog)
	c.expandProbes(prog)
	size := exprEstimate(prog)
	for pass := 0; pass < 2; pass++ {
		if pass == 1 && c.suppressed == 0 && !c.widened {
			// The first walk saw every map defined before use and no type
			// grew: its tables are final.
			break
		}
		c.quiet = pass == 0
		c.warnings = c.warnings[:0]
		if pass > 0 {
			size = len(c.info.Types) // the first pass counted them
		}
		c.info.Types = make(map[ast.Expr]types.Type, size)
		c.info.Consts = make(map[ast.Expr]int64, size/2)
		c.info.Builtins = make(map[ast.Expr]Builtin, size/4)
		for _, pi := range c.info.Probes {
			pi.Vars = nil // made by the first defineVar
			pi.ArgsUsed = false
			pi.own = nil
			if pi.base != nil {
				c.probeAgain(pi)
			} else {
				c.probe(pi)
			}
		}
	}
	c.pointArgs()
	c.diags = append(c.diags, c.warnings...)
	for name := range c.info.Maps {
		c.info.MapNames = append(c.info.MapNames, name)
	}
	sort.Strings(c.info.MapNames)
	c.diags.Sort()
	return c.info, c.diags
}

// exprEstimate guesses the number of expressions in prog's probes, to size
// the side tables: scripts have about one per 8 bytes of probe source.
func exprEstimate(prog *ast.Program) int {
	n := 0
	for _, p := range prog.Probes {
		n += p.End.Offset - p.Start.Offset
	}
	return max(n/8, 64)
}

type checker struct {
	cfg        Config
	info       *Info
	diags      diag.List
	warnings   diag.List // of the current pass: the last pass's are reported
	quiet      bool      // first pass: collect map types, report nothing
	suppressed int       // errors the first pass did not report
	widened    bool      // a map or variable type grew after first use
	probe_     *ProbeInfo
	loops      int      // nesting depth of while/for loops
	lhist      [3]int64 // set by lhist()'s type rule for the map assignment being checked
	// inPlaceExpr is the expression inPlace is typing.
	inPlaceExpr ast.Expr
	enums       map[string]int64
	argsCache   map[tracepoint]*types.Type // tracepoint args records

	// use is the Use handed to a builtin's type rule, which reads it only
	// during the call; argStack holds the argument types of the calls
	// being checked, innermost last. Reusing both spares two allocations
	// per builtin use.
	use      Use
	argStack []types.Type
	vars     slab[VarInfo]
	maps     slab[MapInfo]
}

// slab hands out pointers to values allocated a chunk at a time.
type slab[T any] struct{ chunk []T }

func (s *slab[T]) new(v T) *T {
	if len(s.chunk) == cap(s.chunk) {
		s.chunk = make([]T, 0, 32)
	}
	s.chunk = append(s.chunk, v)
	return &s.chunk[len(s.chunk)-1]
}

// structRecord resolves a record known only by name ("struct task_struct")
// through the Env's BTF. ok is false when the Env knows no struct layouts
// or the kernel has no such type; err says why.
func (c *checker) structRecord(name string) (rec types.Type, err error) {
	se, ok := c.cfg.Env.(probe.StructEnv)
	if !ok || c.cfg.Env == nil {
		return types.Type{}, errNoBTF
	}
	return se.Struct(name)
}

// namedRecord resolves "struct name" for sizeof and offsetof, reporting
// at span when it cannot.
func (c *checker) namedRecord(name string, span ast.Span) (types.Type, bool) {
	return c.fullRecord(types.Type{Kind: types.Record, Name: name}, span)
}

// fullRecord returns rec with its fields, resolving a record known only by
// name through BTF; it reports at span when it cannot.
func (c *checker) fullRecord(rec types.Type, span ast.Span) (types.Type, bool) {
	if rec.Kind != types.Record {
		c.errorf(span, "'%s' is not a struct or union", rec)
		return types.Type{}, false
	}
	if len(rec.Fields) > 0 {
		return rec, true
	}
	full, err := c.structRecord(rec.Name)
	if err != nil {
		if errors.Is(err, probe.ErrNoStruct) {
			c.errorf(span, "Unknown struct/union: '%s'", rec.Name)
		} else {
			c.errorf(span, "Struct/union of type '%s' is not known to gbt: %v", rec.Name, err)
		}
		return types.Type{}, false
	}
	return full, true
}

// maxValueRecord bounds the structs gbt copies as values (print(*p),
// $v = *p, @m = *p): they travel through the 512-byte BPF stack.
const maxValueRecord = 256

// valueRecord resolves a struct used as a value, with every nested struct
// member resolved too (to a bounded depth), so that it can be printed.
func (c *checker) valueRecord(rec types.Type, span ast.Span) (types.Type, bool) {
	full, ok := c.fullRecord(rec, span)
	if !ok {
		return types.Type{}, false
	}
	if full.ByteSize() > maxValueRecord {
		c.errorf(span, "%s is %d bytes: gbt copies structs of up to %d bytes as values; read its fields instead", full.Name, full.ByteSize(), maxValueRecord)
		return types.Type{}, false
	}
	return c.deepRecord(full, 0), true
}

// inPlace types e, whose value is only looked at where it is, never
// copied: the struct of (*p).x, p[i].x and sizeof(*p) may be of any size.
func (c *checker) inPlace(e ast.Expr) types.Type {
	outer := c.inPlaceExpr
	c.inPlaceExpr = e
	defer func() { c.inPlaceExpr = outer }()
	return c.expr(e)
}

// derefRecord resolves rec, the struct *p or p[i] (e) reads: in full,
// nested structs too, to be copied and printed as a value; with its own
// fields only where e is read in place.
func (c *checker) derefRecord(e ast.Expr, rec types.Type) (types.Type, bool) {
	if c.inPlaceExpr == e {
		return c.fullRecord(rec, spanOf(e))
	}
	return c.valueRecord(rec, spanOf(e))
}

// deepRecord resolves the struct members of rec by name, depth levels down
// at most; deeper ones stay known only by name (and print as such).
func (c *checker) deepRecord(rec types.Type, depth int) types.Type {
	if depth > 4 {
		return rec
	}
	fields := make([]types.Field, len(rec.Fields))
	copy(fields, rec.Fields)
	for i, f := range fields {
		if f.Type.Kind != types.Record {
			continue
		}
		sub := f.Type
		if len(sub.Fields) == 0 {
			full, err := c.structRecord(sub.Name)
			if err != nil {
				continue
			}
			sub = full
		}
		fields[i].Type = c.deepRecord(sub, depth+1)
	}
	rec.Fields = fields
	return rec
}

// fieldNamed finds a field of a record by name.
func fieldNamed(rec types.Type, name string) (types.Field, bool) {
	for _, f := range rec.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return types.Field{}, false
}

var errNoBTF = errors.New("reading kernel structs needs the kernel's BTF, which gbt has no access to here")

func (c *checker) errorf(span ast.Span, format string, args ...any) *diag.Diagnostic {
	if c.quiet {
		c.suppressed++
		return &diag.Diagnostic{}
	}
	return c.diags.Errorf(span, format, args...)
}

func (c *checker) cdef(d *ast.CDef) {
	if d.Kind != "enum" {
		return
	}
	next := int64(0)
	for _, f := range d.Fields {
		if f.Value != nil {
			if lit, ok := f.Value.(*ast.IntLit); ok {
				next = int64(lit.Value)
			} else if u, ok := f.Value.(*ast.Unary); ok && u.Op == "-" {
				if lit, ok := u.X.(*ast.IntLit); ok {
					next = -int64(lit.Value)
				}
			}
		}
		c.enums[f.Name] = next
		next++
	}
}

// ---------------------------------------------------------------------------
// Probes

func (c *checker) expandProbes(prog *ast.Program) {
	infos := make([]ProbeInfo, len(prog.Probes))
	c.info.Probes = make([]*ProbeInfo, 0, len(prog.Probes))
	// Most attach points are one point each: points has room for one
	// per attach point, and a probe's points go in its share of that room
	// unless they outgrow it.
	total := 0
	for _, p := range prog.Probes {
		total += len(p.Points)
	}
	points := make([]probe.Point, 0, total)
	for i, p := range prog.Probes {
		pi := &infos[i]
		pi.Probe = p
		room := len(points) + len(p.Points)
		pts := points[len(points):len(points):room]
		// bpftrace 0.17 allows one BEGIN and one END; gbt runs several in
		// source order.
		for _, ap := range p.Points {
			var err error
			if pts, err = c.expandPoint(pts, ap); err != nil {
				span := ap.Span
				pe, ok := err.(*probe.Error)
				if ok && pe.Span.Start.IsValid() {
					span = pe.Span
				}
				d := c.diags.Errorf(span, "%v", err)
				if ok {
					d.Hint = pe.Hint
				}
			}
		}
		if len(pts) <= len(p.Points) {
			points = points[:room] // pts may be in points' room
		}
		if !mixedKinds(pts) {
			c.addProbe(pi, pts)
			continue
		}
		// A block with attach points of several kinds is checked, and
		// compiled, once for each kind (in the order the kinds first
		// appear), since each gives the block its own context: args,
		// retval, what func is.
		for j, group := range splitKinds(pts) {
			if j > 0 {
				pi = &ProbeInfo{Probe: p, base: pi}
			}
			c.addProbe(pi, group)
		}
	}
}

// expandPoint appends the points of one attach point to dst, after
// substituting its positional parameters.
func (c *checker) expandPoint(dst []probe.Point, ap *ast.AttachPoint) ([]probe.Point, error) {
	ap, err := probe.Resolve(ap, c.cfg.Params)
	if err != nil {
		return dst, err
	}
	return probe.AppendExpand(dst, ap, c.cfg.Env)
}

// addProbe makes pi the probe of points, all of one kind, and reads the
// args those points give.
func (c *checker) addProbe(pi *ProbeInfo, points []probe.Point) {
	if len(points) > 0 {
		pi.Kind = points[0].Kind
		pi.Points = points[:len(points):len(points)]
		switch pi.Kind.Prog {
		case probe.ProgTracepoint:
			if c.cfg.Env != nil {
				c.tracepointArgs(pi)
			}
		case probe.ProgTracing:
			c.tracingArgs(pi)
		}
	}
	c.info.Probes = append(c.info.Probes, pi)
}

// mixedKinds reports whether points are of more than one kind.
func mixedKinds(points []probe.Point) bool {
	for _, pt := range points {
		if pt.Kind != points[0].Kind {
			return true
		}
	}
	return false
}

// splitKinds groups points by kind, in the order the kinds first appear;
// each group keeps the order of its points.
func splitKinds(points []probe.Point) [][]probe.Point {
	var groups [][]probe.Point
	for _, pt := range points {
		i := slices.IndexFunc(groups, func(g []probe.Point) bool { return g[0].Kind == pt.Kind })
		if i < 0 {
			groups = append(groups, nil)
			i = len(groups) - 1
		}
		groups[i] = append(groups[i], pt)
	}
	return groups
}

// tracingArgs builds the args record of a kfunc, kretfunc or tp_btf probe
// from the kernel's BTF: one 8-byte slot per argument of the function or
// tracepoint. Several points must share a signature.
func (c *checker) tracingArgs(pi *ProbeInfo) {
	fe, ok := c.cfg.Env.(probe.FuncEnv)
	if !ok || c.cfg.Env == nil {
		c.errorf(pi.Probe.Points[0].Span, "%s probes need the kernel's BTF, which gbt has no access to here", pi.Kind.Name)
		return
	}
	kind := pi.Kind.Name
	if kind == "kretfunc" {
		kind = "kfunc"
	}
	for i, pt := range pi.Points {
		args, _, err := fe.FuncArgs(kind, pt.Func)
		if err != nil {
			c.errorf(pi.Probe.Points[min(i, len(pi.Probe.Points)-1)].Span, "%v", err)
			return
		}
		if i == 0 {
			pi.Args = &args
		} else if !sameRecord(*pi.Args, args) {
			c.errorf(pi.Probe.Points[min(i, len(pi.Probe.Points)-1)].Span, "%s and %s have different arguments: give each its own probe", pi.Points[0].Name, pt.Name)
			return
		}
	}
}

// sameRecord reports whether two records have the same fields.
func sameRecord(a, b types.Type) bool {
	if len(a.Fields) != len(b.Fields) {
		return false
	}
	for i, f := range a.Fields {
		g := b.Fields[i]
		if f.Name != g.Name || f.Offset != g.Offset || !f.Type.Equal(g.Type) {
			return false
		}
	}
	return true
}

// tracepointArgs builds the args record of a tracepoint probe from its
// format file. With several attach points, fields must agree in every
// format that has them; a field one point lacks is reported where used.
func (c *checker) tracepointArgs(pi *ProbeInfo) {
	pi.Args = c.argsRecord(pi.Points[0], pi.Probe.Points[0].Span)
}

// pointArgs gives each attach point of a probe that reads args its own
// record: wildcard or listed tracepoints may lay their fields out
// differently (sys_enter_open has filename at 16, sys_enter_openat at 24),
// and codegen then compiles one program per layout.
func (c *checker) pointArgs() {
	for _, pi := range c.info.Probes {
		if !pi.ArgsUsed || len(pi.Points) < 2 || pi.Kind == nil || pi.Kind.Prog != probe.ProgTracepoint {
			continue
		}
		pi.PointArgs = make([]*types.Type, len(pi.Points))
		for i, pt := range pi.Points {
			pi.PointArgs[i] = c.argsRecord(pt, pi.Probe.Points[0].Span)
		}
	}
}

// tracepoint names a tracepoint.
type tracepoint struct{ category, event string }

// argsRecord builds (once per event) the args record of a tracepoint from
// its format file.
func (c *checker) argsRecord(pt probe.Point, span ast.Span) *types.Type {
	key := tracepoint{pt.Category, pt.Event}
	if rec, ok := c.argsCache[key]; ok {
		return rec
	}
	text, err := c.cfg.Env.TracepointFormat(pt.Category, pt.Event)
	if err != nil {
		c.argsCache[key] = nil
		return nil
	}
	var f *probe.Format
	if fe, ok := c.cfg.Env.(probe.FormatEnv); ok {
		f, err = fe.ParsedFormat(text) // shared: only read here
	} else {
		f, err = probe.ParseFormat(text)
	}
	if err != nil {
		c.diags.Errorf(span, "%v", err)
		c.argsCache[key] = nil
		return nil
	}
	rec := types.Type{Kind: types.Record, Name: "struct _tracepoint_" + pt.Category + "_" + pt.Event,
		Fields: make([]types.Field, 0, len(f.Fields))}
	user := pt.Category == "syscalls"
	for _, fld := range f.Fields {
		if fld.Common {
			continue
		}
		rec.Fields = append(rec.Fields, types.Field{Name: fld.Name, Type: fieldType(fld, user, c.cfg.Strlen), Offset: fld.Offset})
		if end := fld.Offset + fld.Size; end > rec.Size {
			rec.Size = end
		}
	}
	c.argsCache[key] = &rec
	return &rec
}

// fieldType maps a tracefs field to a type. Syscall pointer arguments point
// into user memory.
func fieldType(f probe.FormatField, user bool, strlen int) types.Type {
	as := types.Kernel
	if user {
		as = types.User
	}
	switch {
	case f.DataLoc:
		t := types.StringOf(strlen)
		t.AddrSpace = types.Kernel
		t.Len = -1 // marks a __data_loc string: read through the u32 locator
		return t
	case f.ArrayN > 0 && f.Char:
		return types.StringOf(f.ArrayN)
	case f.ArrayN > 0:
		elem := types.IntOf(8*f.Size/f.ArrayN, f.Signed)
		if elem.Bits == 0 || elem.Bits > 64 {
			elem = types.U8
		}
		return types.ArrayOf(elem, f.ArrayN)
	case f.Pointer:
		return pointerField(f.CType, as)
	}
	bits := 8 * f.Size
	switch bits {
	case 8, 16, 32, 64:
	default:
		bits = 64
	}
	return types.IntOf(bits, f.Signed)
}

// pointerField types a tracefs pointer field from its C type, a pointer
// into as: "u32 *" points at uint32s, "const char *const *" at pointers to
// int8 (strings), "struct x *" at the struct (resolved through BTF when a
// script reaches into it); void and other types point at bytes.
func pointerField(ctype string, as types.AddrSpace) types.Type {
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(ctype), "*"))
	t = strings.TrimSpace(strings.TrimSuffix(t, "const")) // char *const
	if strings.HasSuffix(t, "*") {
		return types.PointerTo(pointerField(t, as), as)
	}
	var words []string
	for _, w := range strings.Fields(t) {
		if w != "const" && w != "volatile" {
			words = append(words, w)
		}
	}
	name := strings.Join(words, " ")
	elem := types.U8
	switch {
	case (strings.HasPrefix(name, "struct ") || strings.HasPrefix(name, "union ")) && !strings.ContainsAny(name, "()[]"):
		elem = types.Type{Kind: types.Record, Name: name}
	case strings.Contains(name, "char") && name != "unsigned char":
		elem = types.I8
	default:
		if it, ok := fieldTypedefs[name]; ok {
			elem = it
		} else if it, ok := basicType(strings.TrimPrefix(name, "__")); ok {
			elem = it
		}
	}
	return types.PointerTo(elem, as)
}

// fieldTypedefs are the integer typedefs syscall pointer arguments point at
// besides basicType's names (which also serve __u32 and the like).
var fieldTypedefs = map[string]types.Type{
	"loff_t": types.I64, "ssize_t": types.I64, "uid_t": types.U32, "gid_t": types.U32,
	"qid_t": types.U32, "umode_t": types.U16, "key_serial_t": types.I32, "clockid_t": types.I32,
	"aio_context_t": types.U64, "long unsigned int": types.U64,
}

// probeAgain checks the block of pi once more, for a kind of attach point
// other than the block's first: into tables of its own, which pi keeps if
// its kind gives an expression of the block another type, constant or
// field than the first kind did (args of a tracepoint and of a tp_btf
// probe, func of a kprobe and of a uprobe).
func (c *checker) probeAgain(pi *ProbeInfo) {
	shared := tables{types: c.info.Types, consts: c.info.Consts, fields: c.info.Fields}
	own := tables{types: map[ast.Expr]types.Type{}, consts: map[ast.Expr]int64{}}
	c.info.Types, c.info.Consts, c.info.Fields = own.types, own.consts, nil
	c.probe(pi)
	own.fields = c.info.Fields
	if shared.fields == nil && own.fields != nil {
		shared.fields = map[*ast.Field]types.Field{}
	}
	c.info.Types, c.info.Consts, c.info.Fields = shared.types, shared.consts, shared.fields
	if shared.merge(own) {
		pi.own = &own
	}
}

func (c *checker) probe(pi *ProbeInfo) {
	c.probe_ = pi
	p := pi.Probe
	if p.Predicate != nil {
		t := c.expr(p.Predicate)
		if t.IsValid() && !t.IsInt() && t.Kind != types.Pointer {
			c.errorf(spanOf(p.Predicate), "Invalid type for predicate: %s", t)
		}
	}
	c.block(p.Body)
}

// ---------------------------------------------------------------------------
// Statements

func (c *checker) block(b *ast.Block) {
	for i, s := range b.Stmts {
		c.stmt(s)
		if j, ok := s.(*ast.JumpStmt); ok && i < len(b.Stmts)-1 {
			c.warnf(spanOf(j), "All code after a '%s' is unreachable.", j.Keyword)
		}
	}
}

func (c *checker) stmt(s ast.Stmt) {
	switch s := s.(type) {
	case *ast.ExprStmt:
		if call, ok := s.X.(*ast.Call); ok {
			c.call(call, false)
			return
		}
		c.expr(s.X)
	case *ast.AssignStmt:
		c.assign(s)
	case *ast.IfStmt:
		t := c.expr(s.Cond)
		if t.IsValid() && !t.IsInt() && t.Kind != types.Pointer {
			c.errorf(spanOf(s.Cond), "Invalid condition in if(): %s", t)
		}
		c.block(s.Then)
		if s.Else != nil {
			c.stmt(s.Else)
		}
	case *ast.BlockStmt:
		c.block(s.Body)
	case *ast.UnrollStmt:
		c.expr(s.Count)
		n, ok := c.info.Consts[s.Count]
		switch {
		case !ok:
			c.errorf(spanOf(s.Count), "unroll() count must be a constant integer")
		case n < 1:
			c.errorf(ast.Span{Start: s.Pos(), End: s.Body.Pos()}, "unroll minimum value is 1")
		case n > 100:
			c.errorf(ast.Span{Start: s.Pos(), End: s.Body.Pos()}, "unroll maximum value is 100")
		}
		c.block(s.Body)
	case *ast.WhileStmt:
		t := c.expr(s.Cond)
		if t.IsValid() && !t.IsInt() {
			c.errorf(spanOf(s.Cond), "Invalid condition in while(): %s", t)
		}
		c.loops++
		c.block(s.Body)
		c.loops--
	case *ast.ForStmt:
		m := c.info.Maps[s.Map.Name]
		if m == nil {
			c.errorf(spanOf(s.Map), "Undefined map: %s", s.Map.Name)
		} else {
			kv := types.TupleOf(m.Key, m.Value)
			c.defineVar(s.Var, kv)
			c.info.Types[s.Var] = kv
		}
		c.info.Types[s.Map] = types.Type{}
		c.loops++
		c.block(s.Body)
		c.loops--
	case *ast.JumpStmt:
		switch s.Keyword {
		case "break", "continue":
			if c.loops == 0 {
				c.errorf(spanOf(s), "%s used outside of a loop", s.Keyword)
			}
		case "return":
			if s.Value != nil {
				c.expr(s.Value)
			}
		}
	}
}

func (c *checker) defineVar(v *ast.Variable, t types.Type) {
	vars := c.probe_.Vars
	if vars == nil {
		vars = map[string]*VarInfo{}
		c.probe_.Vars = vars
	}
	if old, ok := vars[v.Name]; ok {
		if old.Type.IsValid() && t.IsValid() && !old.Type.Compatible(t) {
			c.errorf(spanOf(v), "Type mismatch for %s: trying to assign value of type '%s' when variable already contains a value of type '%s'", v.Name, t, old.Type)
			return
		}
		if t.Kind == types.String && t.Size > old.Type.Size {
			old.Type.Size = t.Size
			c.widened = true
		}
		return
	}
	vars[v.Name] = c.vars.new(VarInfo{Name: v.Name, Type: t, Span: spanOf(v)})
}

func (c *checker) assign(s *ast.AssignStmt) {
	switch lhs := s.LHS.(type) {
	case *ast.Variable:
		var t types.Type
		if s.Op != "=" {
			old, ok := c.probe_.Vars[lhs.Name]
			if !ok {
				c.errorf(spanOf(lhs), "Undefined or undeclared variable: %s", lhs.Name)
			}
			rt := c.expr(s.RHS)
			if ok && !compoundOK(s.Op, old.Type, rt) {
				c.errorf(spanOf(s), "The %s operator can not be used on expressions of types %s, %s", s.Op, old.Type, rt)
			} else if ok {
				if st, sized := c.sized(old.Type, spanOf(lhs)); sized {
					old.Type = st
				}
			}
			t = types.I64
			if ok {
				t = old.Type
			}
		} else {
			t = c.expr(s.RHS)
			if t.Kind == types.Agg {
				c.errorf(spanOf(s.RHS), "%s() should be directly assigned to a map", t.AggKind)
				t = types.Type{}
			}
			if t.Kind == types.Void {
				c.errorf(spanOf(s.RHS), "Value of type none can not be assigned to %s", lhs.Name)
				t = types.Type{}
			}
			// A variable keeps the width of its first value, as in
			// bpftrace: `$x = (uint8)255; $x++` wraps to 0.
		}
		c.defineVar(lhs, t)
		c.info.Types[lhs] = c.probe_.Vars[lhs.Name].Type
	case *ast.MapRef:
		key := c.mapKey(lhs)
		var val types.Type
		c.lhist = [3]int64{}
		if s.Op != "=" {
			rt := c.expr(s.RHS)
			val = types.I64
			if m := c.info.Maps[lhs.Name]; m != nil && m.Value.IsValid() {
				val = m.Value
			}
			if !compoundOK(s.Op, val, rt) {
				c.errorf(spanOf(s), "The %s operator can not be used on expressions of types %s, %s", s.Op, aggOrType(val), rt)
			} else if m := c.info.Maps[lhs.Name]; m != nil {
				if st, sized := c.sized(m.Value, spanOf(lhs)); sized {
					m.Value, val = st, st
				}
			}
		} else if call, ok := s.RHS.(*ast.Call); ok {
			val = c.call(call, true)
		} else {
			val = c.expr(s.RHS)
		}
		if val.Kind == types.Void {
			c.errorf(spanOf(s.RHS), "Value of type none can not be assigned to %s", lhs.Name)
			val = types.Type{}
		}
		if hasCtx(val) {
			c.errorf(spanOf(s.RHS), "context cannot be assigned to a map").
				Hint = "store what it holds instead, e.g. args->name"
			val = types.Type{}
		}
		if val.IsInt() {
			val = types.IntOf(64, val.Signed)
		}
		c.defineMap(lhs, key, val)
		c.info.Types[lhs] = val
	}
}

// compoundOK reports whether `x op= y` is allowed for x of type old and y
// of type y: on integers, and += and -= on pointers (but not on args, the
// probe's context).
func compoundOK(op string, old, y types.Type) bool {
	if y.IsValid() && !y.IsInt() {
		return false
	}
	return old.IsInt() || old.Kind == types.Pointer && !old.Ctx && (op == "+=" || op == "-=")
}

// mapKey checks the keys of a map reference and returns the key type.
func (c *checker) mapKey(m *ast.MapRef) types.Type {
	if m.Keys == nil {
		return types.Type{Kind: types.Void}
	}
	switch len(m.Keys) {
	case 0:
		return types.TupleOf()
	case 1:
		return c.keyElem(m.Keys[0])
	}
	elems := make([]types.Type, len(m.Keys))
	for i, k := range m.Keys {
		if elems[i] = c.keyElem(k); !elems[i].IsValid() {
			return types.Type{}
		}
	}
	return types.TupleOf(elems...)
}

// keyElem checks one key of a map reference and returns its type in the key.
func (c *checker) keyElem(k ast.Expr) types.Type {
	t := c.expr(k)
	switch {
	case t.IsInt():
		return types.IntOf(64, t.Signed)
	case t.Kind == types.Agg || t.Kind == types.Void:
		c.errorf(spanOf(k), "%s can not be used as a map key", t)
		return types.Type{}
	case hasCtx(t):
		c.errorf(spanOf(k), "context cannot be used as a map key").
			Hint = "use what it holds instead, e.g. args->name"
		return types.Type{}
	}
	return t
}

// hasCtx reports whether a value of type t is or holds the probe's
// context (args, ctx), which lives only while the probe runs.
func hasCtx(t types.Type) bool {
	switch t.Kind {
	case types.Context:
		return true
	case types.Pointer:
		return t.Ctx
	case types.Tuple:
		for _, e := range t.Elems {
			if hasCtx(e) {
				return true
			}
		}
	}
	return false
}

func keyList(t types.Type) string {
	switch t.Kind {
	case types.Void:
		return "[]"
	case types.Tuple:
		parts := make([]string, len(t.Elems))
		for i, e := range t.Elems {
			parts[i] = keyString(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return "[" + keyString(t) + "]"
}

func keyString(t types.Type) string {
	if t.IsInt() && !t.Signed {
		return "unsigned int64"
	}
	return t.String()
}

// defineMap records or checks the key and value types of a map assignment.
func (c *checker) defineMap(m *ast.MapRef, key, val types.Type) {
	info := c.info.Maps[m.Name]
	if info == nil {
		info = c.maps.new(MapInfo{Name: m.Name, Key: key, Value: val, Span: spanOf(m)})
		c.info.Maps[m.Name] = info
	}
	if key.IsValid() {
		if !info.Key.IsValid() {
			info.Key = key
		} else if !sameKeyShape(info.Key, key) {
			c.errorf(spanOf(m), "Argument mismatch for %s: trying to access with arguments: %s when map expects arguments: %s", m.Name, keyList(key), keyList(info.Key))
		} else {
			if w := widen(info.Key, key); !w.Equal(info.Key) {
				info.Key, c.widened = w, true
			}
		}
	}
	if val.IsValid() {
		switch {
		case !info.Value.IsValid():
			info.Value = val
		case !info.Value.Compatible(val):
			c.errorf(spanOf(m), "Type mismatch for %s: trying to assign value of type '%s' when map already contains a value of type '%s'", m.Name, aggOrType(val), aggOrType(info.Value))
		default:
			if w := widen(info.Value, val); !w.Equal(info.Value) {
				info.Value, c.widened = w, true
			}
		}
		if val.Kind == types.Agg && val.AggKind == types.Lhist {
			if info.LhistStep != 0 && (info.LhistMin != c.lhist[0] || info.LhistMax != c.lhist[1] || info.LhistStep != c.lhist[2]) {
				c.errorf(spanOf(m), "lhist() parameters of %s differ from an earlier use", m.Name)
			}
			info.LhistMin, info.LhistMax, info.LhistStep = c.lhist[0], c.lhist[1], c.lhist[2]
		}
	}
}

func aggOrType(t types.Type) string {
	if t.Kind == types.Agg {
		return t.AggKind.String()
	}
	return t.String()
}

func sameKeyShape(a, b types.Type) bool {
	if a.Kind == types.Void || b.Kind == types.Void {
		return a.Kind == b.Kind
	}
	return a.Compatible(b)
}

// widen returns a with strings grown to fit b (elementwise for tuples).
func widen(a, b types.Type) types.Type {
	switch {
	case a.Kind == types.String && b.Kind == types.String && b.Size > a.Size:
		a.Size = b.Size
	case a.Kind == types.Tuple && b.Kind == types.Tuple && len(a.Elems) == len(b.Elems):
		elems := make([]types.Type, len(a.Elems))
		for i := range a.Elems {
			elems[i] = widen(a.Elems[i], b.Elems[i])
		}
		a.Elems = elems
	}
	return a
}

// ---------------------------------------------------------------------------
// Expressions

func (c *checker) expr(e ast.Expr) types.Type {
	t := c.expr1(e)
	c.info.Types[e] = t
	return t
}

func (c *checker) setConst(e ast.Expr, v int64) { c.info.Consts[e] = v }

func (c *checker) expr1(e ast.Expr) types.Type {
	switch e := e.(type) {
	case *ast.IntLit:
		if e.Value > math.MaxInt64 {
			c.setConst(e, int64(e.Value))
			return types.U64
		}
		c.setConst(e, int64(e.Value))
		return types.I64
	case *ast.BoolLit:
		if e.Value {
			c.setConst(e, 1)
		} else {
			c.setConst(e, 0)
		}
		return types.I64
	case *ast.StrLit:
		if strings.IndexByte(e.Value, 0) >= 0 {
			c.errorf(spanOf(e), "string literals may not contain NUL bytes")
		}
		return types.StringOf(len(e.Value) + 1)
	case *ast.Positional:
		return c.positional(e)
	case *ast.Variable:
		v, ok := c.probe_.Vars[e.Name]
		if !ok {
			c.errorf(spanOf(e), "Undefined or undeclared variable: %s", e.Name)
			return types.Type{}
		}
		return v.Type
	case *ast.Ident:
		return c.ident(e)
	case *ast.MapRef:
		return c.mapRead(e, false)
	case *ast.Call:
		return c.call1(e, false) // expr records the type
	case *ast.Unary:
		return c.unary(e)
	case *ast.Binary:
		return c.binary(e)
	case *ast.Ternary:
		return c.ternary(e)
	case *ast.Cast:
		return c.cast(e)
	case *ast.Field:
		return c.field(e)
	case *ast.TupleIndex:
		t := c.expr(e.X)
		if !t.IsValid() {
			return t
		}
		if t.Kind != types.Tuple {
			c.errorf(spanOf(e), "Can not access index %d on expression of type '%s'", e.Index, t)
			return types.Type{}
		}
		if e.Index >= len(t.Elems) {
			c.errorf(spanOf(e), "Invalid tuple index: %d. Found %d elements in tuple.", e.Index, len(t.Elems))
			return types.Type{}
		}
		return t.Elems[e.Index]
	case *ast.Index:
		return c.index(e)
	case *ast.Tuple:
		elems := make([]types.Type, len(e.Elems))
		for i, x := range e.Elems {
			t := c.expr(x)
			if !t.IsValid() {
				return t
			}
			if t.IsInt() {
				t = types.IntOf(64, t.Signed)
			}
			if t.Kind == types.Agg || t.Kind == types.Void {
				c.errorf(spanOf(x), "%s can not be part of a tuple", aggOrType(t))
				return types.Type{}
			}
			elems[i] = t
		}
		return types.TupleOf(elems...)
	case *ast.Sizeof:
		if e.X != nil {
			t := c.inPlace(e.X)
			c.setConst(e, int64(t.ByteSize()))
			return types.U64
		}
		if t, ok := basicType(e.Type.Name); ok && e.Type.Ptr == 0 {
			c.setConst(e, int64(t.ByteSize()))
			return types.U64
		}
		if e.Type.Ptr > 0 {
			c.setConst(e, 8)
			return types.U64
		}
		rec, ok := c.namedRecord(e.Type.Name, spanOf(e))
		if !ok {
			return types.Type{}
		}
		c.setConst(e, int64(rec.ByteSize()))
		return types.U64
	case *ast.Offsetof:
		rec, ok := c.namedRecord(e.Type.Name, spanOf(e))
		if !ok || e.Type.Ptr > 0 {
			if ok {
				c.errorf(spanOf(e), "offsetof() expects a struct or union, not a pointer")
			}
			return types.Type{}
		}
		off := 0
		for i, name := range e.Field {
			f, found := fieldNamed(rec, name)
			if !found {
				c.errorf(spanOf(e), "Struct/union of type '%s' does not contain a field named '%s'", rec.Name, name)
				return types.Type{}
			}
			off += f.Offset
			if i < len(e.Field)-1 {
				if rec, ok = c.fullRecord(f.Type, spanOf(e)); !ok {
					return types.Type{}
				}
			}
		}
		c.setConst(e, int64(off))
		return types.U64
	}
	c.errorf(spanOf(e), "unsupported expression")
	return types.Type{}
}

// index types x[i]: *(x + i) for a pointer x, element i for an array
// (a char array, which gbt keeps as a string, is one of int8). A constant
// index into an array must lie inside it; codegen checks a variable one.
func (c *checker) index(e *ast.Index) types.Type {
	t := c.expr(e.X)
	it := c.expr(e.Index)
	if !t.IsValid() || !it.IsValid() {
		return types.Type{}
	}
	if !it.IsInt() {
		c.errorf(spanOf(e.Index), "The array index operator [] can only be used with an integer index")
		return types.Type{}
	}
	var elem types.Type
	n := -1 // the length of an array
	switch {
	case t.Kind == types.Pointer && t.Ctx:
		c.errorf(spanOf(e), "The array index operator [] can not be used on the args builtin").
			Hint = "args holds the probe's arguments: read one by name, args->name"
		return types.Type{}
	case t.Kind == types.Pointer:
		elem = *t.Elem
	case t.Kind == types.Array:
		elem = *t.Elem
		if t.Len > 0 { // a flexible array member (data[]) has no bound
			n = t.Len
		}
	case t.Kind == types.String:
		elem, n = types.I8, t.Size
	default:
		c.errorf(spanOf(e), "The array index operator [] can only be used on arrays and pointers, found %s.", t.KindWord())
		return types.Type{}
	}
	if v, ok := c.info.Consts[e.Index]; ok && n >= 0 && (v < 0 || v >= int64(n)) {
		c.errorf(spanOf(e), "the index %d is out of bounds for array of size %d", v, n).
			Hint = fmt.Sprintf("the elements are [0] to [%d]", n-1)
		return types.Type{}
	}
	if elem.Kind == types.Record {
		rec, ok := c.derefRecord(e, elem)
		if !ok {
			return types.Type{}
		}
		return rec
	}
	return elem
}

func (c *checker) positional(e *ast.Positional) types.Type {
	if e.Count {
		c.setConst(e, int64(len(c.cfg.Params)))
		return types.I64
	}
	if e.Index > len(c.cfg.Params) {
		// bpftrace treats a missing parameter as 0 (or "" in str()).
		c.setConst(e, 0)
		return types.I64
	}
	p := c.cfg.Params[e.Index-1]
	if v, err := strconv.ParseInt(p, 0, 64); err == nil {
		c.setConst(e, v)
		return types.I64
	}
	return types.StringOf(len(p) + 1)
}

func (c *checker) ident(e *ast.Ident) types.Type {
	if v, ok := c.enums[e.Name]; ok {
		c.setConst(e, v)
		return types.I64
	}
	if e.Name == "args" {
		pi := c.probe_
		if pi.Args == nil || pi.Kind == nil || !pi.Kind.Args {
			kind := "special"
			if pi.Kind != nil && pi.Kind.Prog != probe.ProgTestRun {
				kind = pi.Kind.Name
			}
			c.errorf(spanOf(e), "The args builtin can only be used with tracepoint/kfunc/uprobe probes (%s used here)", kind)
			return types.Type{}
		}
		pi.ArgsUsed = true
		return types.Type{Kind: types.Pointer, Elem: pi.Args, Ctx: true}
	}
	b, ok := c.builtin(e.Name)
	if !ok {
		if ee, isEnum := c.cfg.Env.(probe.EnumEnv); isEnum && c.cfg.Env != nil {
			if v, found := ee.EnumValue(e.Name); found {
				c.enums[e.Name] = v
				c.setConst(e, v)
				return types.I64
			}
		}
	}
	if !ok || (b.BuiltinKind() != Var && b.BuiltinKind() != VarOrFunc) {
		d := c.errorf(spanOf(e), "Unknown identifier: '%s'", e.Name)
		if s := spell.Nearest(e.Name, c.varNames()); s != "" {
			d.Hint = fmt.Sprintf("did you mean %q?", s)
		}
		return types.Type{}
	}
	c.info.Builtins[e] = b
	c.use = Use{Node: e, Probe: c.probe_, Strlen: c.cfg.Strlen, Unsafe: c.cfg.Unsafe, c: c}
	return b.TypeOf(&c.use)
}

func (c *checker) builtin(name string) (Builtin, bool) {
	if c.cfg.Builtins == nil {
		return nil, false
	}
	return c.cfg.Builtins.Lookup(name)
}

func (c *checker) varNames() []string {
	var out []string
	if c.cfg.Builtins == nil {
		return nil
	}
	for _, n := range c.cfg.Builtins.Names() {
		if b, ok := c.cfg.Builtins.Lookup(n); ok && b.BuiltinKind() == Var {
			out = append(out, n)
		}
	}
	return append(out, "args")
}

func (c *checker) funcNames() []string {
	var out []string
	if c.cfg.Builtins == nil {
		return nil
	}
	for _, n := range c.cfg.Builtins.Names() {
		if b, ok := c.cfg.Builtins.Lookup(n); ok && b.BuiltinKind() != Var {
			out = append(out, n)
		}
	}
	return out
}

// mapRead types a map read. asArg: the map is a call argument, where a
// map without keys names the whole map (print(@m), clear(@m)).
func (c *checker) mapRead(m *ast.MapRef, asArg bool) types.Type {
	key := c.mapKey(m)
	info := c.info.Maps[m.Name]
	if info == nil {
		d := c.errorf(spanOf(m), "Undefined map: %s", m.Name)
		var names []string
		for n := range c.info.Maps {
			names = append(names, n)
		}
		if s := spell.Nearest(m.Name, names); s != "" {
			d.Hint = fmt.Sprintf("did you mean %s?", s)
		}
		return types.Type{}
	}
	if asArg && m.Keys == nil {
		return info.Value
	}
	if key.IsValid() && info.Key.IsValid() && !sameKeyShape(info.Key, key) {
		c.errorf(spanOf(m), "Argument mismatch for %s: trying to access with arguments: %s when map expects arguments: %s", m.Name, keyList(key), keyList(info.Key))
		return types.Type{}
	}
	return info.Value
}

func (c *checker) call(e *ast.Call, mapValue bool) types.Type {
	t := c.call1(e, mapValue)
	c.info.Types[e] = t
	return t
}

func (c *checker) call1(e *ast.Call, mapValue bool) types.Type {
	b, ok := c.builtin(e.Name)
	if !ok || b.BuiltinKind() == Var {
		d := c.errorf(ast.Span{Start: e.Pos(), End: e.NameEnd}, "Unknown function: %s", e.Name)
		if s := spell.Nearest(e.Name, c.funcNames()); s != "" {
			d.Hint = fmt.Sprintf("did you mean %q?", s)
		}
		for _, a := range e.Args {
			c.arg(a)
		}
		return types.Type{}
	}
	c.info.Builtins[e] = b
	base := len(c.argStack)
	defer func() { c.argStack = c.argStack[:base] }()
	for _, a := range e.Args {
		if id, ok := a.(*ast.Ident); ok && b.BuiltinKind() == VarOrFunc {
			// A mode word (kstack(perf)): the type rule reads it.
			c.argStack = append(c.argStack, types.Type{Kind: types.Void, Name: id.Name})
			continue
		}
		t := c.arg(a)
		if !t.IsValid() {
			return types.Type{} // already reported
		}
		c.argStack = append(c.argStack, t)
	}
	c.use = Use{Node: e, Args: e.Args, ArgTypes: c.argStack[base:len(c.argStack):len(c.argStack)], Probe: c.probe_,
		MapValue: mapValue, Strlen: c.cfg.Strlen, Unsafe: c.cfg.Unsafe, c: c}
	t := b.TypeOf(&c.use)
	if b.BuiltinKind() == Agg && !mapValue && t.IsValid() {
		c.errorf(spanOf(e), "%s() should be directly assigned to a map", e.Name)
		return types.Type{}
	}
	return t
}

// arg types a call argument; maps without keys name the whole map.
func (c *checker) arg(a ast.Expr) types.Type {
	if m, ok := a.(*ast.MapRef); ok {
		t := c.mapRead(m, true)
		c.info.Types[a] = t
		return t
	}
	return c.expr(a)
}

func (c *checker) unary(e *ast.Unary) types.Type {
	switch e.Op {
	case "++", "--":
		switch x := e.X.(type) {
		case *ast.Variable:
			t := c.expr(x)
			if t.IsValid() && !compoundOK("+=", t, types.I64) {
				c.errorf(spanOf(e), "The %s operator can not be used on expressions of type '%s'", e.Op, t)
			} else if v := c.probe_.Vars[x.Name]; v != nil {
				if st, sized := c.sized(v.Type, spanOf(x)); sized {
					v.Type = st
				}
			}
			return t
		case *ast.MapRef:
			key := c.mapKey(x)
			val := types.I64
			if m := c.info.Maps[x.Name]; m != nil && m.Value.IsValid() {
				val = m.Value
				if !compoundOK("+=", val, types.I64) {
					c.errorf(spanOf(e), "The %s operator can not be used on expressions of type '%s'", e.Op, aggOrType(val))
					return types.Type{}
				}
				if st, sized := c.sized(val, spanOf(x)); sized {
					m.Value, val = st, st
				}
			}
			c.defineMap(x, key, val)
			c.info.Types[x] = val
			return val
		}
		c.errorf(spanOf(e), "The %s operator must be applied to a map or variable", e.Op)
		return types.Type{}
	}
	t := c.expr(e.X)
	if !t.IsValid() {
		return t
	}
	switch e.Op {
	case "!", "~", "-":
		if !t.IsInt() {
			c.errorf(ast.Span{Start: e.Pos(), End: e.X.Pos()}, "The %s operator can not be used on expressions of type '%s'", e.Op, t)
			return types.Type{}
		}
		if v, ok := c.info.Consts[e.X]; ok {
			switch e.Op {
			case "!":
				c.setConst(e, b2i(v == 0))
			case "~":
				c.setConst(e, ^v)
			case "-":
				c.setConst(e, -v)
			}
		}
		if e.Op == "!" {
			return types.I64
		}
		return types.IntOf(64, t.Signed || e.Op == "-")
	case "*":
		switch t.Kind {
		case types.Pointer:
			if t.Ctx {
				for _, f := range t.Elem.Fields {
					if f.Type.Kind == types.String && f.Type.Len == -1 {
						c.errorf(spanOf(e), "gbt cannot copy %s as a value: its field %s is a __data_loc string", t.Elem.Name, f.Name).
							Hint = fmt.Sprintf("read the fields one by one, e.g. str(args->%s)", f.Name)
						return types.Type{}
					}
				}
			}
			if t.Elem.Kind == types.Record {
				rec, ok := c.derefRecord(e, *t.Elem)
				if !ok {
					return types.Type{}
				}
				return rec
			}
			return *t.Elem
		case types.Int:
			return types.I64
		}
		c.errorf(spanOf(e), "The * operator can not be used on expressions of type '%s'", t)
		return types.Type{}
	case "&":
		c.errorf(spanOf(e), "The & operator is not supported")
		return types.Type{}
	}
	return types.Type{}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func isComparison(op string) bool {
	switch op {
	case "==", "!=", "<", "<=", ">", ">=":
		return true
	}
	return false
}

// literalLengthWarning warns, as bpftrace 0.17, when a string is compared
// with a literal longer than the string can hold.
func (c *checker) literalLengthWarning(e *ast.Binary, lt, rt types.Type) {
	lit, ok := e.Y.(*ast.StrLit)
	st := lt
	if !ok {
		lit, ok = e.X.(*ast.StrLit)
		st = rt
	}
	if !ok || st.Len == -1 || len(lit.Value) <= st.Size {
		return
	}
	if _, both := e.X.(*ast.StrLit); both {
		if _, both = e.Y.(*ast.StrLit); both {
			return
		}
	}
	c.warnf(spanOf(e), "The literal is longer than the variable string (size=%d), condition will always be false", st.Size)
}

// warnf records a warning of this pass.
func (c *checker) warnf(span ast.Span, format string, args ...any) *diag.Diagnostic {
	return c.warnings.Warnf(span, format, args...)
}

// signWarnings warns, as bpftrace 0.17 does, about integer operations whose
// result depends on signedness: operands of different signs, and signed
// operands of / and % (BPF divides unsigned). A literal that is not
// negative counts as unsigned.
func (c *checker) signWarnings(e *ast.Binary, lt, rt types.Type, span ast.Span) {
	lsign, rsign := lt.Signed, rt.Signed
	unsignedLit := func(x ast.Expr) bool { _, ok := x.(*ast.IntLit); return ok }
	if lsign != rsign {
		switch {
		case lsign && unsignedLit(e.X):
			lsign = false
		case rsign && unsignedLit(e.Y):
			rsign = false
		case isComparison(e.Op):
			c.warnf(span, "comparison of integers of different signs: '%s' and '%s' can lead to undefined behavior", lt.BpftraceName(), rt.BpftraceName())
		case e.Op == "+" || e.Op == "-" || e.Op == "*" || e.Op == "/" || e.Op == "%":
			c.warnf(span, "arithmetic on integers of different signs: '%s' and '%s' can lead to undefined behavior", lt.BpftraceName(), rt.BpftraceName())
		}
	}
	if e.Op != "/" && e.Op != "%" {
		return
	}
	if (lsign && !unsignedLit(e.X)) || (rsign && !unsignedLit(e.Y)) {
		c.warnf(span, "signed operands for '%s' can lead to undefined behavior (cast to unsigned to silence warning)", e.Op).
			WithHint("BPF divides unsigned: -7 / 2 is 9223372036854775804; cast a value known to be positive, e.g. (uint64)$x / 2")
	}
}

func (c *checker) binary(e *ast.Binary) types.Type {
	lt := c.expr(e.X)
	rt := c.expr(e.Y)
	if !lt.IsValid() || !rt.IsValid() {
		return types.Type{}
	}
	opSpan := c.operatorSpan(e) // bpftrace points at the operator itself
	switch {
	case lt.IsInt() && rt.IsInt():
		c.signWarnings(e, lt, rt, opSpan)
		c.foldBinary(e)
		if isComparison(e.Op) || e.Op == "&&" || e.Op == "||" {
			return types.I64
		}
		return types.IntOf(64, lt.Signed && rt.Signed)
	case lt.Kind == types.String && rt.Kind == types.String:
		if e.Op == "==" || e.Op == "!=" {
			c.literalLengthWarning(e, lt, rt)
			return types.I64
		}
		c.errorf(opSpan, "The %s operator can not be used on expressions of types %s, %s", e.Op, lt, rt)
		return types.Type{}
	case lt.Kind == types.Pointer && rt.IsInt() && (e.Op == "+" || e.Op == "-"):
		return c.pointerArith(lt, spanOf(e.X))
	case lt.IsInt() && rt.Kind == types.Pointer && e.Op == "+":
		return c.pointerArith(rt, spanOf(e.Y))
	case lt.Kind == types.Pointer && rt.Kind == types.Pointer && isComparison(e.Op):
		return types.I64
	case (lt.Kind == types.Pointer && rt.IsInt()) || (lt.IsInt() && rt.Kind == types.Pointer):
		if isComparison(e.Op) || e.Op == "&&" || e.Op == "||" {
			return types.I64
		}
		c.errorf(opSpan, "The %s operator can not be used on expressions of types %s, %s", e.Op, lt, rt)
		return types.Type{}
	case lt.Kind == types.Pointer || rt.Kind == types.Pointer:
		d := c.errorf(opSpan, "The %s operator can not be used on expressions of types %s, %s", e.Op, lt, rt)
		if e.Op == "-" && lt.Kind == types.Pointer && rt.Kind == types.Pointer {
			d.Hint = "to subtract addresses, cast both to integers: (uint64)a - (uint64)b"
		}
		return types.Type{}
	}
	for _, x := range [2]ast.Expr{e.X, e.Y} {
		if p, ok := x.(*ast.Positional); ok && !p.Count && c.info.Types[p].Kind == types.String && (lt.IsInt() || rt.IsInt()) {
			c.errorf(spanOf(p), "$%d used numerically but given \"%s\". Try using str($%d).", p.Index, c.cfg.Params[p.Index-1], p.Index)
			return types.Type{}
		}
	}
	c.errorf(spanOf(e), "Type mismatch for '%s': comparing '%s' with '%s'", e.Op, aggOrType(lt), aggOrType(rt))
	return types.Type{}
}

// pointerArith returns the type of p + n and p - n, where n counts the
// elements p points at (as in C): p's type, with the size of its element
// known, and no longer the probe's context itself.
func (c *checker) pointerArith(p types.Type, span ast.Span) types.Type {
	p.Ctx = false
	p, ok := c.sized(p, span)
	if !ok {
		return types.Type{}
	}
	return p
}

// sized returns t with the size of the struct it points at known, when t
// points at a struct known only by name (a tracepoint's "struct x *"
// field): pointer arithmetic moves by that size.
func (c *checker) sized(t types.Type, span ast.Span) (types.Type, bool) {
	if e := t.Elem; t.Kind == types.Pointer && e != nil && e.Kind == types.Record && e.Size == 0 {
		rec, ok := c.fullRecord(*e, span)
		if !ok {
			return types.Type{}, false
		}
		t.Elem = &types.Type{Kind: types.Record, Name: rec.Name, Size: rec.Size}
	}
	return t, true
}

// operatorSpan is the span of a binary expression's operator token.
func (c *checker) operatorSpan(e *ast.Binary) ast.Span {
	end := e.OpPos
	end.Offset += len(e.Op)
	end.Col += len(e.Op)
	return ast.Span{Start: e.OpPos, End: end}
}

func (c *checker) foldBinary(e *ast.Binary) {
	x, ok1 := c.info.Consts[e.X]
	y, ok2 := c.info.Consts[e.Y]
	if !ok1 || !ok2 {
		return
	}
	lt, rt := c.info.Types[e.X], c.info.Types[e.Y]
	signed := lt.Signed && rt.Signed
	ux, uy := uint64(x), uint64(y)
	var v int64
	switch e.Op {
	case "+":
		v = x + y
	case "-":
		v = x - y
	case "*":
		v = x * y
	case "/", "%":
		// bpftrace 0.17 divides unsigned, and by zero yields 0.
		switch {
		case y == 0:
			v = 0
		case e.Op == "/":
			v = int64(ux / uy)
		default:
			v = int64(ux % uy)
		}
	case "&":
		v = x & y
	case "|":
		v = x | y
	case "^":
		v = x ^ y
	case "<<":
		v = int64(ux << uy) // 0 from a shift by 64 or more, as bpftrace
	case ">>":
		v = int64(ux >> uy)
	case "==":
		v = b2i(x == y)
	case "!=":
		v = b2i(x != y)
	case "<":
		v = b2i(cmpLess(x, y, signed))
	case ">":
		v = b2i(cmpLess(y, x, signed))
	case "<=":
		v = b2i(!cmpLess(y, x, signed))
	case ">=":
		v = b2i(!cmpLess(x, y, signed))
	case "&&":
		v = b2i(x != 0 && y != 0)
	case "||":
		v = b2i(x != 0 || y != 0)
	default:
		return
	}
	c.setConst(e, v)
}

func cmpLess(x, y int64, signed bool) bool {
	if signed {
		return x < y
	}
	return uint64(x) < uint64(y)
}

func (c *checker) ternary(e *ast.Ternary) types.Type {
	ct := c.expr(e.Cond)
	a := c.expr(e.Then)
	b := c.expr(e.Else)
	if !ct.IsValid() || !a.IsValid() || !b.IsValid() {
		return types.Type{}
	}
	if !ct.IsInt() && ct.Kind != types.Pointer {
		c.errorf(spanOf(e.Cond), "Invalid condition in ternary: %s", ct)
		return types.Type{}
	}
	if a.IsInt() && b.IsInt() {
		if v, ok := c.info.Consts[e.Cond]; ok {
			if x, ok := c.info.Consts[e.Then]; ok && v != 0 {
				c.setConst(e, x)
			}
			if y, ok := c.info.Consts[e.Else]; ok && v == 0 {
				c.setConst(e, y)
			}
		}
		return types.IntOf(64, a.Signed && b.Signed)
	}
	if a.Kind == types.String && b.Kind == types.String {
		return widen(a, b)
	}
	if a.Kind != b.Kind || a.Kind == types.Tuple && !a.Compatible(b) {
		c.errorf(spanOf(e), "Ternary operator must return the same type: have '%s' and '%s'", a.KindWord(), b.KindWord())
		return types.Type{}
	}
	return a
}

// basicType resolves the integer type names usable in casts.
func basicType(name string) (types.Type, bool) {
	switch name {
	case "int8", "s8", "char", "signed char":
		return types.I8, true
	case "uint8", "u8", "unsigned char", "bool", "_Bool":
		return types.U8, true
	case "int16", "s16", "short", "signed short":
		return types.I16, true
	case "uint16", "u16", "unsigned short":
		return types.U16, true
	case "int32", "s32", "int", "signed int", "signed", "pid_t":
		return types.I32, true
	case "uint32", "u32", "unsigned int", "unsigned":
		return types.U32, true
	case "int64", "s64", "long", "long long", "signed long", "long int":
		return types.I64, true
	case "uint64", "u64", "unsigned long", "unsigned long long", "size_t":
		return types.U64, true
	}
	return types.Type{}, false
}

func (c *checker) cast(e *ast.Cast) types.Type {
	t := c.expr(e.X)
	if !t.IsValid() {
		return t
	}
	if e.Type.ArrayN > 0 {
		c.errorf(spanOf(e), "casts to arrays are not supported yet")
		return types.Type{}
	}
	if e.Type.Ptr > 0 {
		if !t.IsInt() && t.Kind != types.Pointer {
			c.errorf(spanOf(e), "Cannot cast from \"%s\" to \"%s\"", t, ast.TypeString(e.Type))
			return types.Type{}
		}
		elem, ok := basicType(e.Type.Name)
		if !ok {
			rec, err := c.structRecord(e.Type.Name)
			if errors.Is(err, probe.ErrNoStruct) {
				c.errorf(spanOf(e), "Unknown struct/union: '%s'", e.Type.Name)
				return types.Type{}
			}
			// Its fields are resolved again where a script reaches into it;
			// its size is what p + 1 moves by.
			elem = types.Type{Kind: types.Record, Name: e.Type.Name, Size: rec.Size}
		}
		// A cast keeps the address space of a pointer; an integer made a
		// pointer points where the probe's addresses do (codegen decides:
		// user memory in uprobes), as in bpftrace.
		as := types.AddrNone
		if t.Kind == types.Pointer {
			as = t.AddrSpace
		}
		pt := types.PointerTo(elem, as)
		for i := 1; i < e.Type.Ptr; i++ {
			pt = types.PointerTo(pt, as)
		}
		return pt
	}
	to, ok := basicType(e.Type.Name)
	if !ok {
		c.errorf(spanOf(e.Type), "Cannot resolve unknown type \"%s\"", e.Type.Name)
		return types.Type{}
	}
	if !t.IsInt() && t.Kind != types.Pointer {
		c.errorf(spanOf(e), "Cannot cast from \"%s\" to \"%s\"", t, to)
		return types.Type{}
	}
	if v, ok := c.info.Consts[e.X]; ok {
		c.setConst(e, truncate(v, to))
	}
	return to
}

// truncate converts v to the width and sign of t, as a C cast does.
func truncate(v int64, t types.Type) int64 {
	switch t.Bits {
	case 8:
		if t.Signed {
			return int64(int8(v))
		}
		return int64(uint8(v))
	case 16:
		if t.Signed {
			return int64(int16(v))
		}
		return int64(uint16(v))
	case 32:
		if t.Signed {
			return int64(int32(v))
		}
		return int64(uint32(v))
	}
	return v
}

func (c *checker) field(e *ast.Field) types.Type {
	t := c.inPlace(e.X)
	if !t.IsValid() {
		return t
	}
	rec := t
	if t.Kind == types.Pointer && t.Elem != nil && t.Elem.Kind == types.Record {
		rec = *t.Elem
		if !e.Arrow && !t.Ctx {
			c.errorf(spanOf(e), "Can not access field '%s' on type '%s'. Try dereferencing it first, or using '->'", e.Name, t)
			return types.Type{}
		}
	} else if t.Kind == types.Record && e.Arrow {
		c.errorf(spanOf(e), "Can not access field '%s' on type '%s'. Try using '.'", e.Name, t)
		return types.Type{}
	}
	if rec.Kind != types.Record {
		c.errorf(spanOf(e), "Can not access field '%s' on expression of type '%s'", e.Name, t)
		return types.Type{}
	}
	if len(rec.Fields) == 0 {
		full, ok := c.fullRecord(rec, spanOf(e))
		if !ok {
			return types.Type{}
		}
		rec = full
	}
	var names []string
	for _, f := range rec.Fields {
		if f.Name == e.Name {
			if f.Type.Kind == types.Record && f.Type.ByteSize() <= maxValueRecord {
				// A struct member small enough to be a value: resolve it
				// whole, so that print() shows its members.
				if full, err := c.structRecord(f.Type.Name); err == nil || len(f.Type.Fields) > 0 {
					if len(f.Type.Fields) == 0 {
						f.Type = full
					}
					f.Type = c.deepRecord(f.Type, 0)
				}
			}
			if t.Kind != types.Pointer || !t.Ctx {
				if c.info.Fields == nil {
					c.info.Fields = map[*ast.Field]types.Field{}
				}
				c.info.Fields[e] = f
			}
			return f.Type
		}
		names = append(names, f.Name)
	}
	d := c.errorf(spanOf(e), "Struct/union of type '%s' does not contain a field named '%s'", rec.Name, e.Name)
	if s := spell.Nearest(e.Name, names); s != "" {
		d.Hint = fmt.Sprintf("did you mean %q?", s)
	} else {
		d.Hint = "fields: " + strings.Join(names, ", ")
	}
	return types.Type{}
}
