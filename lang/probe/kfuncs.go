package probe

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
)

// ParseFilterFunctions reads tracefs available_filter_functions: one
// function a line, "name" or "name [module]". It returns the names,
// sorted and without duplicates (static functions can share a name),
// less those bpftrace leaves out: the ".part.N" pieces of split functions
// (both bpftraces), the placeholders ftrace lists for addresses it could
// not name, and the functions known to make a kernel unstable when traced
// (the newest bpftrace's list: rcu_*, the idle loop, the XDP dispatcher).
func ParseFilterFunctions(text string) []string {
	var names []string
	for _, line := range strings.Split(text, "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if name == "" || UnsafeKernelFunction(name) || strings.Contains(name, ".part.") {
			continue
		}
		names = append(names, name)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

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

// expandKernelFuncs expands a kprobe or kretprobe whose function is a
// wildcard into one point per kernel function it matches.
func expandKernelFuncs(dst []Point, base Point, ap *ast.AttachPoint, env Env) ([]Point, error) {
	k := base.Kind
	pattern := ap.Parts[0]
	if env == nil {
		return dst, &Error{Msg: "cannot expand wildcards without a probe environment"}
	}
	funcs, err := env.KernelFunctions()
	if err != nil {
		return dst, &Error{Msg: fmt.Sprintf("listing kernel functions: %v", err)}
	}
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
		return dst, &Error{Msg: fmt.Sprintf("No probes to attach for %s", ap.Raw), Hint: "list kernel functions with gbt -l '" + k.Name + ":" + pattern + "'"}
	}
	return dst, nil
}
