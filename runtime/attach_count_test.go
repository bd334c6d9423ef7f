package runtime

import (
	"testing"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/probe"
)

func TestAttachCounts(t *testing.T) {
	span := func(col int) ast.Span { return ast.Span{Start: ast.Pos{Line: 1, Col: col}} }
	prog := func(pts ...probe.Point) *codegen.Program { return &codegen.Program{Points: pts} }
	usdt := func(col int, name string) probe.Point {
		return probe.Point{Kind: probe.Lookup("usdt"), Span: span(col), Name: name}
	}
	named := func(kind string, col int) probe.Point {
		return probe.Point{Kind: probe.Lookup(kind), Span: span(col), Name: kind + ":a"}
	}
	tests := []struct {
		name                string
		progs               []*codegen.Program
		wantPoints, wantPrb int
	}{
		{"one point", []*codegen.Program{prog(usdt(1, "a"))}, 1, 1},
		// usdt_multiple_locations: testprobe*, locations 2+1+3, one program each
		{"usdt locations", []*codegen.Program{
			prog(usdt(1, "p")), prog(usdt(1, "p")),
			prog(usdt(1, "p2")),
			prog(usdt(1, "p3")), prog(usdt(1, "p3")), prog(usdt(1, "p3")),
		}, 6, 3},
		{"one probe in two blocks", []*codegen.Program{prog(usdt(1, "a")), prog(usdt(20, "a"))}, 2, 2},
		{"wildcard in one program", []*codegen.Program{prog(usdt(1, "f1"), usdt(1, "f2"))}, 2, 2},
		{"none", nil, 0, 0},
		// A test or bench probe does not run in a trace: it does not count.
		{"test and bench", []*codegen.Program{prog(named("test", 1)), prog(named("bench", 20)), prog(usdt(40, "a"))}, 1, 1},
	}
	for _, tt := range tests {
		points, probes := attachCounts(&codegen.Object{Programs: tt.progs}, probe.ModeTrace)
		if points != tt.wantPoints || probes != tt.wantPrb {
			t.Errorf("%s: attachCounts = %d, %d; want %d, %d", tt.name, points, probes, tt.wantPoints, tt.wantPrb)
		}
	}
}
