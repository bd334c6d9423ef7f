package probe

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
)

// expandModuleFunc expands KIND:MODULE:FUNCTION (kprobe, kretprobe,
// kfunc, kretfunc), either part a glob, against the kernel functions the
// Env lists as "module:function": the traceable ones for kprobes, those
// of the kernel's BTF for kfuncs. A point is named as written when
// neither part is a glob (bpftrace's probe builtin says
// kfunc:vmlinux:vfs_read), else by the module and function it matched.
func expandModuleFunc(dst []Point, base Point, ap *ast.AttachPoint, env Env) ([]Point, error) {
	k := base.Kind
	mod, fn := ap.Parts[0], ap.Parts[1]
	// Only a kprobe (a function entry) takes an offset.
	if i := strings.IndexByte(fn, '+'); i > 0 && k.Prog == ProgKprobe && !k.Return {
		off, err := strconv.ParseUint(fn[i+1:], 0, 64)
		if err != nil {
			return dst, &Error{Msg: fmt.Sprintf("invalid offset in %s", ap.Raw)}
		}
		base.Offset, fn = off, fn[:i]
	}
	if base.Offset != 0 && (hasWildcard(mod) || hasWildcard(fn)) {
		return dst, &Error{Msg: fmt.Sprintf("an offset needs one function, not a wildcard: %s", ap.Raw)}
	}
	if env == nil {
		return dst, &Error{Msg: "cannot resolve a kernel module's functions without a probe environment"}
	}
	if k.Prog == ProgTracing && mod == "vmlinux" && !hasWildcard(fn) {
		// The kernel's own function: its BTF says at once whether it has
		// it, where listing every function with BTF (the modules' too)
		// takes 0.4 s, and seconds in a slow VM.
		if _, _, err := env.FuncArgs(k.Tracing, fn); err == nil {
			base.Func = fn
			base.Name = k.Newest() + ":" + ap.Parts[0] + ":" + ap.Parts[1]
			return append(dst, base), nil
		}
	}
	list, what := env.TraceableFunctions, "traceable kernel functions"
	if k.Prog == ProgTracing {
		list, what = env.BTFFunctions, "kernel functions with BTF"
	}
	all, err := list()
	if err != nil {
		if mod != "vmlinux" || hasWildcard(fn) {
			return dst, &Error{Msg: fmt.Sprintf("cannot resolve %s: listing %s: %v", ap.Raw, what, err)}
		}
		// The kernel's own function, taken as written: the kernel says at
		// attach time whether it has it.
		base.Func = fn
		base.Name = k.Newest() + ":" + ap.Parts[0] + ":" + ap.Parts[1]
		return append(dst, base), nil
	}
	if !hasWildcard(mod) && !hasModule(all, mod) {
		e := &Error{Missing: true, Hint: fmt.Sprintf("a %s probe takes a function, or a loaded module and its function: %s", k.Name, k.Usage),
			Say: func(v compat.Version) string { return v.Sprintf(compat.ModuleNotLoaded, k.Name, mod, ap.Raw) }}
		e.Msg = e.Say(compat.Newest)
		return dst, e
	}
	n := len(dst)
	exact := !hasWildcard(mod) && !hasWildcard(fn)
	for _, mf := range all {
		if !Match(mod+":"+fn, mf) {
			continue
		}
		p := base
		_, p.Func = splitModule(mf)
		p.Name = k.Newest() + ":" + mf
		if exact {
			p.Name = k.Newest() + ":" + ap.Parts[0] + ":" + ap.Parts[1]
		}
		dst = append(dst, p)
	}
	if len(dst) == n && exact && k.Prog == ProgKprobe && !k.User {
		base.Func = fn
		base.Name = k.Newest() + ":" + ap.Parts[0] + ":" + ap.Parts[1]
		return dst, untraceable(base, fn)
	}
	if len(dst) == n {
		return dst, &Error{Missing: true, Msg: fmt.Sprintf("No matches for %s %s:%s.", k.Name, mod, fn),
			Hint: fmt.Sprintf("list them with gbt -l '%s:%s:*'", k.Name, mod)}
	}
	return dst, nil
}

// hasModule reports whether a sorted "module:function" list has a
// function of mod.
func hasModule(all []string, mod string) bool {
	for _, mf := range all {
		if m, _ := splitModule(mf); m == mod {
			return true
		}
	}
	return false
}

// expandTracingGlob expands kfunc:GLOB or kretfunc:GLOB against the
// functions of the kernel's BTF (and its modules'), one point per
// function name, named KIND:FUNCTION.
func expandTracingGlob(dst []Point, base Point, ap *ast.AttachPoint, env Env) ([]Point, error) {
	k := base.Kind
	if env == nil {
		return dst, &Error{Msg: "cannot expand wildcards without a probe environment"}
	}
	all, err := env.BTFFunctions()
	if err != nil {
		return dst, &Error{Msg: fmt.Sprintf("cannot expand %s: listing kernel functions with BTF: %v", ap.Raw, err)}
	}
	n := len(dst)
	seen := map[string]bool{}
	for _, mf := range all {
		_, fn := splitModule(mf)
		if seen[fn] || !Match(ap.Parts[0], fn) {
			continue
		}
		seen[fn] = true
		p := base
		p.Func = fn
		p.Name = k.Newest() + ":" + mf
		dst = append(dst, p)
	}
	if len(dst) == n {
		return dst, &Error{Missing: true, Msg: fmt.Sprintf("No matches for %s %s.", k.Newest(), ap.Parts[0]),
			Hint: fmt.Sprintf("list them with gbt -l '%s:%s'", k.Name, ap.Parts[0])}
	}
	return dst, nil
}
