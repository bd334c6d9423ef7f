package codegen_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/runtime"
)

// TestDiagnosticEvents checks which runtime diagnostics a script sends, by
// -k level: each as "codec helper legacy line:col-col".
func TestDiagnosticEvents(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		level int
		want  []string
	}{
		{"lookup without -k", `i:ms:100 { @[1] = 1; printf("%d\n", @[2]); }`, codegen.HelperErrorsOff, nil},
		{"lookup -k", `i:ms:100 { @[1] = 1; printf("%d\n", @[2]); }`, codegen.HelperErrorsOn,
			[]string{"helper error map_lookup_elem false 1:37-41"}},
		{"lookup -kk", `i:ms:100 { @[1] = 1; printf("%d\n", @[2]); }`, codegen.HelperErrorsLegacy,
			[]string{"helper error map_lookup_elem true 1:37-41"}},
		{"increment reports no lookup", `i:ms:100 { @[1]++; @x += 2; }`, codegen.HelperErrorsOn, nil},
		{"delete -k is 0.17's", `i:ms:100 { @[1] = 1; delete(@[2]); }`, codegen.HelperErrorsOn,
			[]string{"helper error map_delete_elem true 1:22-34"}},
		{"probe read -k", `struct foo {int a;}; BEGIN { $tmp = ((struct foo*) 0)->a; }`, codegen.HelperErrorsOn,
			[]string{"helper error probe_read false 1:38-57"}},
		{"probe read without -k", `struct foo {int a;}; BEGIN { $tmp = ((struct foo*) 0)->a; }`, codegen.HelperErrorsOff, nil},
		{"division by a variable", `BEGIN { $z = 0; @q = 10 / $z; @r = 10 % $z; @s = 10 / 2; }`, codegen.HelperErrorsOff,
			[]string{"runtime error  false 1:22-29", "runtime error  false 1:36-43"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj, _, err := runtime.Compile("stdin", tt.src, runtime.CompileOptions{Env: probetest.New(), NumCPUs: 2, HelperErrors: tt.level})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ev := range obj.Events {
				if ev.Codec.Name != "helper error" && ev.Codec.Name != "runtime error" {
					continue
				}
				helper := ev.Format
				if ev.Codec.Name == "runtime error" {
					helper = ""
				}
				got = append(got, fmt.Sprintf("%s %s %v %d:%d-%d", ev.Codec.Name, helper, ev.Legacy, ev.Span.Start.Line, ev.Span.Start.Col, ev.Span.End.Col))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
