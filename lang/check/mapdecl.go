package check

import (
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/types"
)

// mapKinds are the BPF map kinds a map declaration may name, in the order
// bpftrace's hint lists them.
var mapKinds = []string{"percpulruhash", "percpuhash", "lruhash", "hash"}

// mapKindPerCPU says whether a declarable map kind is per-CPU; the second
// result is false for an unknown kind.
func mapKindPerCPU(kind string) (percpu, ok bool) {
	switch kind {
	case "hash", "lruhash":
		return false, true
	case "percpuhash", "percpulruhash":
		return true, true
	}
	return false, false
}

// mapDecls checks the map declarations (`let @m = hash(N);`) against the
// maps the probes use, and records each used map's declaration. The first
// declaration of a map counts, as in bpftrace.
func (c *checker) mapDecls(decls []*ast.MapDecl) {
	seen := map[string]bool{}
	for _, d := range decls {
		percpu, ok := mapKindPerCPU(d.Kind)
		if !ok {
			c.errorf(d.Span, "Invalid bpf map type: %s", d.Kind).
				WithHint("Valid map types: %s", strings.Join(mapKinds, ", "))
			continue
		}
		if seen[d.Name] {
			continue
		}
		seen[d.Name] = true
		if d.MaxEntries == 0 || d.MaxEntries > 1<<32-1 {
			c.errorf(d.Span, "max entries of %s must be between 1 and 4294967295", d.Name)
			continue
		}
		mi := c.info.Maps[d.Name]
		if mi == nil {
			c.diags.Warnf(d.Span, "Unused map: %s", d.Name)
			continue
		}
		mi.Decl = d
		if !mi.Value.IsValid() {
			continue
		}
		if wantPerCPU := mi.Value.Kind == types.Agg; wantPerCPU != percpu {
			from := "hash"
			if wantPerCPU {
				from = "percpuhash"
			}
			use := mi.Span // the map's name, as bpftrace underlines it
			if use.End.Line == use.Start.Line {
				use.End.Col, use.End.Offset = use.Start.Col+len(d.Name), use.Start.Offset+len(d.Name)
			}
			c.errorf(use, "Incompatible map types. Type from declaration: %s. Type from value/key type: %s", d.Kind, from)
		}
	}
}
