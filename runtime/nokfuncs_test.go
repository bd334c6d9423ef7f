package runtime_test

import (
	"testing"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/runtime"
)

// TestNoFeatureStrnstr: strstr() of a run-time needle calls bpf_strnstr
// where the probe may (the canned kernel lets tp_btf programs), and
// --no-feature strnstr makes it search with loops instead.
func TestNoFeatureStrnstr(t *testing.T) {
	const src = `tp_btf:sched_switch { $n = args->next->comm; @i = strstr(args->prev->comm, $n); }`
	for _, tt := range []struct {
		noFeatures []string
		want       bool
	}{
		{nil, true},
		{[]string{"strnstr"}, false},
		{[]string{"kprobe_multi"}, true},
	} {
		obj, _, err := runtime.Compile("t.bt", src, runtime.CompileOptions{Env: probetest.New(), NoFeatures: tt.noFeatures})
		if err != nil {
			t.Fatal(err)
		}
		calls := false
		for _, p := range obj.Programs {
			for _, ins := range p.Insns {
				if name, ok := codegen.KernelFuncName(ins); ok && name == "bpf_strnstr" {
					calls = true
				}
			}
		}
		if calls != tt.want {
			t.Errorf("--no-feature %v: the program calls bpf_strnstr: %v, want %v", tt.noFeatures, calls, tt.want)
		}
	}
}
