package runtime

import (
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/stdlib"
)

// noKfuncs is an environment in which the kernel functions --no-feature
// turned off are not allowed: the builtins that would call one do without
// (stdlib.KfuncFeatures), as on a kernel that lacks it.
type noKfuncs struct {
	probe.Env
	off map[string]bool // kernel function names
}

// withoutKfuncs returns env without the kernel functions of the features
// in noFeatures, or env itself when they name none.
func withoutKfuncs(env probe.Env, noFeatures []string) probe.Env {
	off := map[string]bool{}
	for _, f := range noFeatures {
		if fn, ok := stdlib.KfuncFeatures[f]; ok {
			off[fn] = true
		}
	}
	if len(off) == 0 {
		return env
	}
	return noKfuncs{Env: env, off: off}
}

// KfuncAllowed implements probe.Env: false for a function turned off.
func (e noKfuncs) KfuncAllowed(name string, k *probe.Kind, target string) (bool, error) {
	if e.off[name] {
		return false, nil
	}
	return e.Env.KfuncAllowed(name, k, target)
}
