package probe

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
)

// This file is the bpf variant of fentry and fexit (kfunc, kretfunc):
// fentry:bpf:[ID:]NAME traces a function of a running BPF program, the
// program's entry or one of its subprograms, as the newest bpftrace does.

// BPFFunc is a function of a running BPF program that fentry:bpf and
// fexit:bpf probes can trace: only programs loaded with BTF function
// info have them.
type BPFFunc struct {
	ProgID uint32 // the program's id (bpftool prog show)
	Name   string // the function's BTF name: the program's full name for its entry
	// Params is the number of the function's parameters (a program's
	// entry has one, its context): the trampoline's context holds them,
	// 8 bytes each, and then, for fexit, the return value.
	Params int
}

// bpfVariant reports whether a fentry or fexit attach point names BPF
// programs (its first part is "bpf"; no kernel module has that name).
func bpfVariant(k *Kind, ap *ast.AttachPoint) bool {
	return (k.Tracing == TracingEntry || k.Tracing == TracingExit) && len(ap.Parts) >= 1 && ap.Parts[0] == "bpf"
}

// expandBPFFuncs expands fentry:bpf:NAME and fentry:bpf:ID:NAME (NAME a
// glob, ID a number or "*") into one point for each function of a running
// BPF program it matches. A point is named fentry:bpf:ID:NAME (the probe
// builtin), in the newest bpftrace's words, which alone has the variant.
func expandBPFFuncs(dst []Point, base Point, ap *ast.AttachPoint, env Env) ([]Point, error) {
	k := base.Kind
	var id, name string
	switch len(ap.Parts) {
	case 2:
		id, name = "*", ap.Parts[1]
	case 3:
		id, name = ap.Parts[1], ap.Parts[2]
	default:
		return dst, &Error{Msg: "the 'bpf' variant of this probe requires a bpf program name and optional bpf program id",
			Hint: "usage: " + k.Newest() + ":bpf:[id:]program (gbt -l '" + k.Newest() + ":bpf:*' lists them)"}
	}
	var want uint32
	if id != "*" {
		n, err := strconv.ParseUint(id, 10, 32)
		if err != nil {
			return dst, &Error{Msg: "bpf program id must be a number or '*'"}
		}
		want = uint32(n)
	}
	if env == nil {
		return dst, &Error{Msg: "cannot find running BPF programs without a probe environment"}
	}
	funcs, err := env.BPFFuncs()
	if err != nil {
		return dst, &Error{Msg: fmt.Sprintf("cannot resolve %s: listing running BPF programs: %v", ap.Raw, err)}
	}
	n := len(dst)
	gs := compileAlternatives(name)
	for i := range funcs {
		f := &funcs[i]
		if want != 0 && f.ProgID != want || !gs.match(f.Name) {
			continue
		}
		p := base
		p.Func, p.BPF = f.Name, f
		p.Name = bpfPointName(k, f)
		dst = append(dst, p)
	}
	if len(dst) == n {
		return dst, &Error{Missing: true, Msg: fmt.Sprintf("No matches for %s bpf:%s:%s.", k.Newest(), id, name),
			Hint: fmt.Sprintf("running BPF programs with BTF are listed by gbt -l '%s:bpf:*'", k.Newest())}
	}
	return dst, nil
}

func bpfPointName(k *Kind, f *BPFFunc) string {
	return fmt.Sprintf("%s:bpf:%d:%s", k.Newest(), f.ProgID, f.Name)
}

// listBPFFuncs lists what -l 'fentry:bpf:...' asks for, rest being the
// pattern after the kind ("bpf:*", "bpf:123:*", "bpf:name*"): the
// functions of running BPF programs, as fentry:bpf:ID:NAME. Without a
// program id the pattern matches in every program, as in bpftrace.
func listBPFFuncs(k *Kind, env Env, rest string) ([]string, error) {
	funcs, err := env.BPFFuncs()
	if err != nil {
		return nil, err
	}
	pat := rest
	if strings.Count(rest, ":") == 1 {
		pat = "bpf:*:" + strings.TrimPrefix(rest, "bpf:")
	}
	var out []string
	for i := range funcs {
		name := bpfPointName(k, &funcs[i])
		if _, tail, _ := strings.Cut(name, ":"); Match(pat, tail) {
			out = append(out, name)
		}
	}
	return out, nil
}
