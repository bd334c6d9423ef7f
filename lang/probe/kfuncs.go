package probe

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
)

// UnsafeKernelFunction reports whether a wildcard must not attach to the
// kernel function name: tracing it can make the kernel unstable (the list
// the newest bpftrace takes from the kernel's kprobe_multi selftests), or
// it is ftrace's placeholder for an address it could not name.
func UnsafeKernelFunction(name string) bool {
	switch name {
	case "arch_cpu_idle", "default_idle", "bpf_dispatcher_xdp_func":
		return true
	}
	return strings.HasPrefix(name, "rcu_") || strings.HasPrefix(name, "__ftrace_invalid_address__")
}

// lockingKretprobes are the functions bpftrace refuses kretprobes on: the
// kretprobe machinery takes these locks itself, so a kretprobe on one can
// deadlock the kernel.
var lockingKretprobes = map[string]bool{
	"_raw_spin_lock": true, "_raw_spin_lock_irqsave": true,
	"_raw_spin_unlock_irqrestore": true, "queued_spin_lock_slowpath": true,
}

// dropLockingKretprobes refuses a kretprobe attach point that names one
// of lockingKretprobes, in the newest bpftrace's words (0.17's, "error:
// kretprobe:F ...", under its compat.Version), and leaves them out of what a wildcard
// expanded to: the points from dst[n:].
func dropLockingKretprobes(dst []Point, n int, ap *ast.AttachPoint) ([]Point, error) {
	wild := hasWildcard(ap.Parts[len(ap.Parts)-1])
	out := dst[:n]
	for _, p := range dst[n:] {
		if !lockingKretprobes[p.Func] {
			out = append(out, p)
			continue
		}
		if !wild {
			fn := p.Func
			e := &Error{Hint: "the kernel's kretprobe machinery may take this lock itself, as bpftrace warns; kprobe:" + fn + " traces its entry",
				Say: func(v compat.Version) string { return v.Sprintf(compat.LockingKretprobe, fn) }}
			e.Msg = e.Say(compat.Newest)
			return dst[:n], e
		}
	}
	if len(out) == n && len(dst) > n {
		return out, &Error{Missing: true, Msg: fmt.Sprintf("No matches for kretprobe %s.", strings.Join(ap.Parts, ":")),
			Hint: "kretprobes on the kernel's spin lock functions are refused: they might lock up the system"}
	}
	return out, nil
}

// expandKernelFuncs expands a kprobe or kretprobe whose function is a
// wildcard into one point per kernel function it matches.
func expandKernelFuncs(dst []Point, base Point, ap *ast.AttachPoint, env Env) ([]Point, error) {
	k := base.Kind
	pattern := ap.Parts[0]
	if env == nil {
		return dst, &Error{Msg: "cannot expand wildcards without a probe environment"}
	}
	all, err := env.TraceableFunctions()
	if err != nil {
		return dst, &Error{Msg: fmt.Sprintf("listing kernel functions: %v", err)}
	}
	funcs := make([]string, 0, len(all))
	for _, mf := range all {
		_, fn := splitModule(mf)
		funcs = append(funcs, fn)
	}
	slices.Sort(funcs)
	funcs = slices.Compact(funcs)
	n := len(dst)
	seen := map[string]bool{}
	for _, alt := range alternatives(pattern) {
		g := compileGlob(alt)
		for _, fn := range funcs {
			if g.match(fn) && !seen[fn] {
				seen[fn] = true
				p := base
				p.Func = fn
				p.Name = k.Name + ":" + fn
				dst = append(dst, p)
			}
		}
	}
	if len(dst) == n {
		return dst, &Error{Missing: true, Msg: fmt.Sprintf("No matches for %s %s.", k.Name, pattern), Hint: "list kernel functions with gbt -l '" + k.Name + ":" + pattern + "'"}
	}
	return dst, nil
}
