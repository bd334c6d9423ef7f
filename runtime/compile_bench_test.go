package runtime_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/runtime"
)

// BenchmarkCompileSize compiles scripts that grow in one dimension (terms
// of one expression, maps, probes): the time per element should stay
// flat as the script grows (compile time linear in its size). On a busy
// machine compare CPU time (-cpuprofile, or user+sys of the test binary):
// wall time per element then grows with the heap, not with the work.
func BenchmarkCompileSize(b *testing.B) {
	shapes := []struct {
		name string
		gen  func(n int) string
	}{
		{"terms", func(n int) string { return "BEGIN { @x = " + strings.Repeat("1+", n-1) + "1; exit(); }" }},
		{"varterms", func(n int) string { return "BEGIN { $x = 1; @x = " + strings.Repeat("$x+", n-1) + "$x; exit(); }" }},
		{"statements", func(n int) string {
			return "BEGIN { $x = 0; " + strings.Repeat("$x = $x + 1; ", n) + "exit(); }"
		}},
		{"maps32perprobe", func(n int) string {
			// Within the kernel's 64 maps per program.
			var sb strings.Builder
			for i := range n {
				if i%32 == 0 {
					sb.WriteString("BEGIN { ")
				}
				fmt.Fprintf(&sb, "@m%d = 1; ", i)
				if i%32 == 31 || i == n-1 {
					sb.WriteString("}\n")
				}
			}
			return sb.String()
		}},
		// One probe: refused at the 64th map, whatever n.
		{"maps", func(n int) string {
			var sb strings.Builder
			sb.WriteString("BEGIN { ")
			for i := range n {
				fmt.Fprintf(&sb, "@m%d = 1; ", i)
			}
			sb.WriteString("exit(); }")
			return sb.String()
		}},
	}
	for _, sh := range shapes {
		for _, n := range []int{1000, 16000} {
			src := sh.gen(n)
			b.Run(fmt.Sprintf("%s/%d", sh.name, n), func(b *testing.B) {
				for b.Loop() {
					// Errors (too many instructions, too many maps for
					// the verifier) are fine: what is measured is the
					// time to get to them.
					runtime.Compile("bench.bt", src, runtime.CompileOptions{NumCPUs: 2})
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/element")
			})
		}
	}
}
