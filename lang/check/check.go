package check

import (
	"sort"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/diag"
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
		Strlen: cfg.Strlen, Unsafe: cfg.Unsafe, joinSigned: cfg.Compat.Has(compat.SignedIntJoin),
	}}
	c.enums = map[string]int64{}
	c.enumTypes = map[string]*types.Enum{}
	c.enumNames = map[string]*types.Enum{}
	c.argsCache = map[tracepoint]*types.Type{}
	c.funcCache = map[funcTarget]funcArgs{}
	c.cdefs(prog.CDefs)
	c.macros(prog)
	c.includes(prog)
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
			pi.grown, pi.Vars = pi.Vars, nil // Vars made by the first defineVar
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
	c.quiet = false
	c.mapDecls(prog.MapDecls)
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
	loops      int             // nesting depth of while/for loops
	aggParams  types.AggParams // set by an aggregation's type rule for the map assignment being checked
	// inPlaceExpr is the expression inPlace is typing.
	inPlaceExpr ast.Expr
	enums       map[string]int64           // enumerators and #define constants: their values
	enumTypes   map[string]*types.Enum     // the script's enumerators: their enums
	enumNames   map[string]*types.Enum     // the script's named enums, by name
	records     map[string]types.Type      // the script's structs and unions, by name
	argsCache   map[tracepoint]*types.Type // tracepoint args records
	funcCache   map[funcTarget]funcArgs    // BTF args of kfunc, tp_btf and rawtracepoint targets
	// assigning is the assignment being checked, for its messages.
	assigning *ast.AssignStmt

	// textParam is the positional parameter of a builtin's text argument
	// being checked (str($1), str($1 + 1)): it is typed as its text.
	textParam *ast.Positional

	// use is the Use handed to a builtin's type rule, which reads it only
	// during the call; argStack holds the argument types of the calls
	// being checked, innermost last. Reusing both spares two allocations
	// per builtin use.
	use      Use
	argStack []types.Type
	vars     slab[VarInfo]
	maps     slab[MapInfo]

	// pendingKeys holds the keys of maps read before their definition,
	// in the first pass (see readKey).
	pendingKeys map[string]pendingKey
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

func (c *checker) errorf(span ast.Span, format string, args ...any) *diag.Diagnostic {
	if c.quiet {
		c.suppressed++
		return &diag.Diagnostic{}
	}
	return c.diags.Errorf(span, format, args...)
}

// cdef registers the enumerators of an enum definition: their values,
// and the enum they print as.
func (c *checker) cdef(d *ast.CDef) {
	if d.Kind != "enum" {
		return
	}
	enum := &types.Enum{Name: d.Name}
	next := int64(0)
	for _, f := range d.Fields {
		if f.Value != nil {
			if lit, ok := f.Value.(*ast.IntLit); ok {
				next = int64(lit.Value)
			} else if u, ok := f.Value.(*ast.Unary); ok && u.Op == ast.OpSub {
				if lit, ok := u.X.(*ast.IntLit); ok {
					next = -int64(lit.Value)
				}
			}
		}
		c.enums[f.Name] = next
		c.enumTypes[f.Name] = enum
		enum.Variants = append(enum.Variants, types.Variant{Name: f.Name, Value: next})
		next++
	}
	if d.Name != "" {
		c.enumNames[d.Name] = enum
	}
}
