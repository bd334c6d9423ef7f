package probe

import (
	"errors"
	"fmt"
	"path"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
)

// iterCtxPrefix names the context of an iterator program: the kernel's
// struct bpf_iter__NAME (bpf_iter__task: meta and task), which its BTF
// describes and each iterator target registers.
const iterCtxPrefix = "struct bpf_iter__"

// iterCtx is the record an iter point's ctx points to.
func iterCtx(pt Point) string { return iterCtxPrefix + pt.Func }

// BPFFS is where the kernel's BPF file system is mounted, and where a
// pinned iterator's relative path is.
const BPFFS = "/sys/fs/bpf"

// expandIter expands iter:NAME[:PIN], a BPF iterator over the kernel's
// objects of one kind (task, task_file, task_vma, ...): runtime reads it
// once, its program running for each object, and ends the run. With PIN
// (a path, relative to BPFFS unless absolute) the iterator's link is
// pinned there instead, and the run ends: each read of that file runs
// the program, whose printf writes to the reader (point Path). The
// kernel's BTF has a struct bpf_iter__NAME for each iterator it has,
// which bpftrace asks too.
func expandIter(dst []Point, base Point, ap *ast.AttachPoint, env Env) ([]Point, error) {
	name := ap.Parts[0]
	if hasWildcard(name) || len(ap.Parts) == 2 && hasWildcard(ap.Parts[1]) {
		return dst, &Error{Msg: "iter probe type does not support wildcards", Hint: "usage: " + base.Kind.Usage}
	}
	if name == "" {
		return dst, &Error{Msg: "iter should specify a iterator's name", Hint: "usage: " + base.Kind.Usage}
	}
	if env != nil {
		if _, err := env.Struct(iterCtxPrefix + name); errors.Is(err, ErrNoStruct) {
			return dst, &Error{Msg: fmt.Sprintf("iter %s not available for your kernel version.", name)}
		}
	}
	base.Func = name
	base.Name = base.Kind.Name + ":" + name
	if len(ap.Parts) == 2 {
		pin := ap.Parts[1]
		if pin == "" {
			return dst, &Error{Msg: "iter: empty pin path", Hint: "usage: " + base.Kind.Usage}
		}
		base.Name += ":" + pin
		if !path.IsAbs(pin) {
			pin = path.Join(BPFFS, pin)
		}
		base.Path = pin
	}
	return append(dst, base), nil
}

// CheckBlock checks the attach points of one block against the rules of
// their kinds that no single point shows: a OnePoint kind's block has no
// other attach point. It returns the error and the attach point it is at.
func CheckBlock(aps []*ast.AttachPoint) (*ast.AttachPoint, *Error) {
	if len(aps) < 2 {
		return nil, nil
	}
	for _, ap := range aps {
		if k := Lookup(ap.Provider); k != nil && k.OnePoint {
			return ap, &Error{Msg: compat.Newest.Sprintf(compat.OnePointOnly, k.Name),
				Say: func(v compat.Version) string { return v.Sprintf(compat.OnePointOnly, k.Name) }}
		}
	}
	return nil, nil
}

// iterTargets are the kernel's BPF iterator targets (each registers a
// struct bpf_iter__NAME), which -l lists where the kernel's BTF has them.
var iterTargets = []string{
	"bpf_link", "bpf_map", "bpf_map_elem", "bpf_prog", "bpf_sk_storage_map", "cgroup",
	"dmabuf", "ipv6_route", "kmem_cache", "ksym", "netlink", "sockmap", "task",
	"task_file", "task_vma", "tcp", "udp", "unix",
}

// listIters lists the iterators the kernel's BTF has: iter:task, ...
func listIters(k *Kind, env Env) ([]string, error) {
	if env == nil {
		return nil, nil
	}
	var names []string
	for _, n := range iterTargets {
		if _, err := env.Struct(iterCtxPrefix + n); err == nil {
			names = append(names, k.Name+":"+n)
		}
	}
	return names, nil
}

// ctxParams are what -lv prints under iter:NAME: the parameters of the
// kernel's bpf_iter_NAME, which declares the iterator's context, but the
// iterator's meta, as the newest bpftrace lists them ("struct
// task_struct * task", "u32 fd").
func ctxParams(env Env, name string) ([]string, error) {
	params, _, err := env.FuncParams(TracingEntry, "bpf_iter_"+name)
	if err != nil {
		return nil, err
	}
	if len(params) > 0 {
		params = params[1:]
	}
	return params, nil
}
