package probe

import (
	"errors"
	"fmt"

	"github.com/gbt-dev/gbt/lang/ast"
)

// expandRawTracepoint expands rawtracepoint:[MODULE:]NAME, either part a
// glob, against the raw tracepoints the Env knows (from BTF). Without
// that list a plain name is taken as written and the kernel says at
// attach time whether it has it.
func expandRawTracepoint(dst []Point, base Point, ap *ast.AttachPoint, env Env) ([]Point, error) {
	mod, name := "*", ap.Parts[0]
	if len(ap.Parts) == 2 {
		mod, name = ap.Parts[0], ap.Parts[1]
	}
	var all []string
	err := ErrUnavailable
	if env != nil {
		all, err = env.RawTracepoints()
	}
	if err != nil {
		if hasWildcard(mod) || hasWildcard(name) {
			if errors.Is(err, ErrUnavailable) {
				return dst, &Error{Msg: fmt.Sprintf("cannot expand %s: the raw tracepoints are listed in the kernel's BTF, which gbt has no access to here", ap.Raw)}
			}
			return dst, &Error{Msg: fmt.Sprintf("cannot expand %s: %v", ap.Raw, err)}
		}
		base.Func = name
		base.Name = base.Kind.Name + ":" + name
		return append(dst, base), nil
	}
	n := len(dst)
	for _, mt := range all {
		if !Match(mod+":"+name, mt) {
			continue
		}
		p := base
		_, p.Func = splitModule(mt)
		p.Name = base.Kind.Name + ":" + mt // with its module, as the newest bpftrace names it
		if len(ap.Parts) == 1 && !hasWildcard(name) {
			dst = append(dst, p)
			break // one tracepoint of that name, whichever module
		}
		dst = append(dst, p)
	}
	if len(dst) > n {
		return dst, nil
	}
	if len(ap.Parts) == 1 {
		return dst, &Error{Missing: true, Msg: "Probe has no valid attach points. If this is expected, set the 'missing_probes' config variable to 'warn'.",
			Hint: fmt.Sprintf("list raw tracepoints with gbt -l 'rawtracepoint:*%s*'", name)}
	}
	return dst, &Error{Missing: true, Msg: fmt.Sprintf("No matches for rawtracepoint %s:%s.", mod, name),
		Hint: fmt.Sprintf("list raw tracepoints with gbt -l 'rawtracepoint:*:%s'", name)}
}

// splitModule splits "module:name".
func splitModule(mt string) (module, name string) {
	for i := 0; i < len(mt); i++ {
		if mt[i] == ':' {
			return mt[:i], mt[i+1:]
		}
	}
	return "", mt
}
