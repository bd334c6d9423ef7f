package check

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

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
		skipped := false
		if ap, pe := probe.CheckBlock(p.Points); pe != nil {
			c.diags.Errorf(ap.Span, "%s", pe.Say(c.cfg.Compat))
			continue
		}
		for _, ap := range p.Points {
			var err error
			if pts, err = c.expandPoint(pts, ap); err != nil {
				span := ap.Span
				pe, ok := err.(*probe.Error)
				if ok && pe.Say != nil {
					pe.Msg = pe.Say(c.cfg.Compat)
				}
				if ok && pe.Span.Start.IsValid() {
					span = pe.Span
				}
				if ok && pe.Unpositioned {
					span = ast.Span{}
				}
				if ok && pe.Pattern && c.cfg.Compat.Has(compat.DroppedEmptyPatterns) {
					skipped = true // left out without a word
					continue
				}
				if ok && pe.Untraceable != "" && !c.cfg.Compat.Has(compat.UntraceableKprobesMissing) && pe.Point != nil {
					pts = append(pts, *pe.Point) // 0.17: the kernel says why not
					continue
				}
				if ok && pe.Untraceable != "" {
					c.diags.Warnf(span, "%s is not traceable (either non-existing, inlined, or marked as \"notrace\"); attaching to it will likely fail", pe.Untraceable)
					if c.cfg.Unsafe && pe.Point != nil {
						pts = append(pts, *pe.Point) // the kernel says why not
						continue
					}
				}
				if ok && pe.Missing && c.skipMissing(span, pe) {
					skipped = true
					continue
				}
				d := c.diags.Errorf(span, "%v", err)
				if ok {
					d.Hint = pe.Hint
				}
			}
		}
		if f := c.cfg.ProbeFilter; f != nil && len(pts) > 0 {
			kept := pts[:0]
			for _, pt := range pts {
				if pt.Kind.RunAt != probe.RunOnEvent || f(pt.Name) {
					kept = append(kept, pt)
				}
			}
			if len(kept) == 0 {
				// --probe-filter leaves the probe no point; with no probe
				// left at all, the run says "No probes to attach".
				continue
			}
			pts = kept
		}
		if skipped && len(pts) == 0 {
			// Every point was missing: the probe goes, as in bpftrace,
			// which refuses it unless missing_probes says otherwise (the
			// points were patterns matching nothing, or some were errors).
			span := p.Points[0].Span.Join(p.Points[len(p.Points)-1].Span)
			switch c.cfg.MissingProbes {
			case "warn":
				c.diags.Warnf(span, "Probe has no valid attach points. It is being removed which may cause issues with program behavior.")
			case "ignore":
			default:
				c.diags.Errorf(span, "Probe has no valid attach points. If this is expected, set the 'missing_probes' config variable to 'warn'.")
			}
			continue
		}
		if len(pts) <= len(p.Points) {
			points = points[:room] // pts may be in points' room
		}
		groups := c.splitGroups(pts)
		if len(groups) == 1 {
			c.addProbe(pi, pts)
			continue
		}
		// A block with attach points of several kinds is checked, and
		// compiled, once for each kind (in the order the kinds first
		// appear), since each gives the block its own context: args,
		// retval, what func is; and, for kinds compiled for each point,
		// once for each signature (kfunc:vfs_*, a rawtracepoint beside
		// another).
		for j, group := range groups {
			if j > 0 {
				pi = &ProbeInfo{Probe: p, base: pi}
			}
			c.addProbe(pi, group)
		}
	}
	c.checkAlone()
}

// skipMissing says whether an attach point that names nothing on the
// machine is skipped (missing_probes warn or ignore), and warns of it.
func (c *checker) skipMissing(span ast.Span, pe *probe.Error) bool {
	switch c.cfg.MissingProbes {
	case "warn":
		c.diags.Warnf(span, "%s. Skipping.", strings.TrimSuffix(pe.Msg, "."))
		return true
	case "ignore":
		return true
	}
	return false
}

// expandPoint appends the points of one attach point to dst, after
// substituting its positional parameters. A uprobe on a function of size
// 0 is an error without --unsafe (its points are kept, so that the block
// is checked with them).
func (c *checker) expandPoint(dst []probe.Point, ap *ast.AttachPoint) ([]probe.Point, error) {
	ap, err := probe.Resolve(ap, c.cfg.Params)
	if err != nil {
		return dst, err
	}
	n := len(dst)
	dst, err = probe.AppendExpand(dst, ap, c.cfg.Env)
	if !c.cfg.Compat.Has(compat.NewestProbeNames) {
		for i := range dst[n:] {
			pt := &dst[n+i]
			if k := pt.Kind; k.NewestName != "" {
				if rest, ok := strings.CutPrefix(pt.Name, k.NewestName+":"); ok {
					pt.Name = k.Name + ":" + rest // kfunc:vmlinux:f, as 0.17 names it
				}
			}
		}
	}
	if err == nil && !c.cfg.Unsafe {
		for _, pt := range dst[n:] {
			if pt.NoBoundary {
				return dst, &probe.Error{Unpositioned: true, Msg: fmt.Sprintf("Could not determine boundary for %s (symbol has size 0).\n"+
					"Use --unsafe to force attachment. WARNING: This option could lead to data corruption in the target process.", pt.Func)}
			}
		}
	}
	return dst, err
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
		case probe.ProgRawTP:
			c.rawTracepointArgs(pi)
		}
	}
	c.info.Probes = append(c.info.Probes, pi)
}

// splitGroups groups points by kind (splitKinds), and the points of a
// kind whose context is its target's arguments, which compiles one
// program for each point (kfunc, kretfunc, tp_btf, rawtracepoint), by
// their arguments' signature: each group is checked with its own args.
func (c *checker) splitGroups(points []probe.Point) [][]probe.Point {
	var groups [][]probe.Point
	for _, g := range splitKinds(points) {
		groups = append(groups, c.splitSignatures(g)...)
	}
	return groups
}

// splitSignatures splits points of one kind by the arguments (and return
// value) of their targets, in the order the signatures first appear;
// points whose signature the kernel's BTF does not give stay together.
func (c *checker) splitSignatures(points []probe.Point) [][]probe.Point {
	k := points[0].Kind
	if c.cfg.Env == nil || len(points) < 2 || !k.PerPoint || (k.Prog != probe.ProgTracing && k.Prog != probe.ProgRawTP) {
		return [][]probe.Point{points}
	}
	target := k.Tracing
	if k.Prog == probe.ProgRawTP {
		target = probe.TracingTracepoint
	}
	type signature struct {
		args, ret types.Type
		ok        bool
	}
	var sigs []signature
	var out [][]probe.Point
	for _, pt := range points {
		args, ret, err := c.targetArgs(target, pt)
		s := signature{args, ret, err == nil}
		i := slices.IndexFunc(sigs, func(o signature) bool {
			return o.ok == s.ok && (!s.ok || sameRecord(o.args, s.args) && o.ret.Equal(s.ret))
		})
		if i < 0 {
			sigs, out = append(sigs, s), append(out, nil)
			i = len(out) - 1
		}
		out[i] = append(out[i], pt)
	}
	return out
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
	for i, pt := range pi.Points {
		var args, ret types.Type
		err := probe.ErrUnavailable
		if c.cfg.Env != nil {
			args, ret, err = c.targetArgs(pi.Kind.Tracing, pt)
		}
		if errors.Is(err, probe.ErrUnavailable) {
			c.errorf(pi.Probe.Points[0].Span, "%s probes need the kernel's BTF, which gbt has no access to here", pi.Kind.Name)
			return
		}
		if err != nil {
			c.errorf(pi.Probe.Points[min(i, len(pi.Probe.Points)-1)].Span, "%v", err)
			return
		}
		if i == 0 {
			pi.Args = &args
			if pi.Kind.Tracing == probe.TracingExit {
				pi.Ret = &ret
			}
			if pt.BPF != nil {
				// The record places retval; args itself is refused, in
				// the newest bpftrace's words.
				pi.argsWhy = "The args builtin cannot be used for 'fentry/fexit:bpf' probes"
			}
		} else if pi.Kind.Tracing == probe.TracingEntry && pi.Args != nil && !sameRecord(*pi.Args, args) {
			// A kfunc wildcard may match functions of any signature: one
			// program each, args then unusable (nothing else depends on
			// them, unlike a kretfunc's retval slot).
			pi.Args, pi.argsWhy = nil, fmt.Sprintf("%s and %s have different arguments: give each its own probe", pi.Points[0].Name, pt.Name)
		} else if pi.Args != nil && (!sameRecord(*pi.Args, args) || (pi.Ret != nil && !pi.Ret.Equal(ret))) {
			c.errorf(pi.Probe.Points[min(i, len(pi.Probe.Points)-1)].Span, "%s and %s have different arguments: give each its own probe", pi.Points[0].Name, pt.Name)
			return
		}
	}
}

// rawTracepointArgs types the args of a rawtracepoint probe from the BTF
// tracepoint of the same name, as bpftrace 0.21 and later do: the
// program's context is the same array of 8-byte arguments. Without BTF a
// probe still reads arg0...argN, and args says why it is missing.
func (c *checker) rawTracepointArgs(pi *ProbeInfo) {
	if c.cfg.Env == nil {
		return
	}
	for i, pt := range pi.Points {
		args, _, err := c.funcArgs(probe.TracingTracepoint, pt.Func)
		switch {
		case errors.Is(err, probe.ErrUnavailable):
			pi.Args, pi.argsWhy = nil, "rawtracepoint args need the kernel's BTF, which gbt has no access to here"
			return
		case err != nil:
			pi.Args, pi.argsWhy = nil, fmt.Sprintf("the kernel's BTF does not describe the arguments of %s", pt.Name)
			return
		case i == 0:
			pi.Args = &args
		case !sameRecord(*pi.Args, args):
			pi.Args, pi.argsWhy = nil, fmt.Sprintf("%s and %s have different arguments: give each its own probe", pi.Points[0].Name, pt.Name)
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

// funcTarget names the target of a tracing program or rawtracepoint.
type funcTarget struct {
	target probe.Tracing
	name   string
}

// funcArgs is what probe.Env.FuncArgs gave for a funcTarget.
type funcArgs struct {
	args, ret types.Type
	err       error
}

// funcArgs asks the environment for the arguments and return type of a
// target once: a block's points are split by signature, then checked.
func (c *checker) funcArgs(target probe.Tracing, name string) (types.Type, types.Type, error) {
	key := funcTarget{target, name}
	if f, ok := c.funcCache[key]; ok {
		return f.args, f.ret, f.err
	}
	args, ret, err := c.cfg.Env.FuncArgs(target, name)
	c.funcCache[key] = funcArgs{args, ret, err}
	return args, ret, err
}

// targetArgs is funcArgs for the target of a point: a kernel function or
// BTF tracepoint, or the function of a running BPF program (fentry:bpf),
// whose context has a slot for each of its parameters and whose return
// value is a long (a BPF program's, and every gbt or bpftrace
// subprogram's).
func (c *checker) targetArgs(target probe.Tracing, pt probe.Point) (types.Type, types.Type, error) {
	if f := pt.BPF; f != nil {
		args := types.Type{Kind: types.Record, Name: "struct " + f.Name + "_args", Ctx: true, Size: 8 * f.Params}
		for i := range f.Params {
			args.Fields = append(args.Fields, types.Field{Name: fmt.Sprintf("arg%d", i), Type: types.U64, Offset: 8 * i})
		}
		return args, types.I64, nil
	}
	return c.funcArgs(target, pt.Func)
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
	f, err := c.cfg.Env.TracepointFormat(pt.Category, pt.Event) // shared: only read here
	if err != nil {
		if errors.As(err, new(*probe.FormatError)) {
			c.diags.Errorf(span, "%v", err)
		}
		c.argsCache[key] = nil
		return nil
	}
	name := "struct tracepoint:" + pt.Category + ":" + pt.Event + "_args" // as the newest bpftrace names it
	if !c.cfg.Compat.Has(compat.NewestWords) {
		name = "struct _tracepoint_" + pt.Category + "_" + pt.Event // 0.17's
	}
	rec := types.Type{Kind: types.Record, Name: name, Fields: make([]types.Field, 0, len(f.Fields))}
	user := pt.Category == "syscalls"
	for _, fld := range f.Fields {
		if fld.Common {
			continue
		}
		t := fieldType(fld, user, c.cfg.Strlen)
		if fld.CType == "bool" && fld.Size == 1 && c.cfg.Compat.Has(compat.BoolType) {
			t = types.Boolean // printed true/false, as the newest bpftrace (0.17: 1/0)
		}
		if fld.Enum != "" && t.Kind == types.Int {
			t.Enum, _ = c.cfg.Env.EnumNamed(fld.Enum) // nil (a plain integer) when BTF has no such enum
		}
		rec.Fields = append(rec.Fields, types.Field{Name: fld.Name, Type: t, Offset: fld.Offset})
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
	pi.scopes = scopes{}
	p := pi.Probe
	if p.Predicate != nil {
		t := c.expr(p.Predicate)
		if t.IsValid() && !t.IsInt() && t.Kind != types.Pointer && !c.literalTruth(p.Predicate, t) {
			c.errorf(spanOf(p.Predicate), "Invalid type for predicate: %s", t)
		}
	}
	c.block(p.Body)
}

// checkAlone reports a OnePoint kind's probe (iter) beside another probe
// that fires on events: reading the iterator ends the run (begin and end
// run as ever).
func (c *checker) checkAlone() {
	var alone, other *ProbeInfo
	for _, pi := range c.info.Probes {
		switch {
		case pi.Kind == nil || pi.Kind.RunAt != probe.RunOnEvent:
		case pi.Kind.OnePoint && alone == nil:
			alone = pi
		default:
			other = pi
		}
	}
	if alone != nil && other != nil {
		c.diags.Errorf(alone.Points[0].Span, "%s probes can't be mixed with other probes: reading the iterator ends the run", alone.Kind.Name).
			Hint = "begin and end probes may go with it; other probes go in another run"
	}
}
