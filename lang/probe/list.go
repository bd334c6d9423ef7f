package probe

import (
	"fmt"
	"slices"
	"strings"
)

// This file is what gbt -l lists for each kind: the names of its probes,
// as bpftrace 0.2x prints them, and with -lv their parameters.

// List returns the probes of kind k that -l lists, as full names
// ("tracepoint:sched:sched_switch", "fentry:vmlinux:vfs_read"), sorted.
// Kinds whose probes live in files (uprobe, usdt) list nothing here. The
// error of a machine that cannot say is returned with what could be
// listed.
func (k *Kind) List(env Env) ([]string, error) {
	if k.list == nil {
		return nil, nil
	}
	names, err := k.list(k, env)
	slices.Sort(names)
	return slices.Compact(names), err
}

// ListMatching returns the probes of k that -l lists and rest (the
// pattern after the kind's part, "" for every probe) matches. A pattern
// without the module part of kinds whose probes have one (fentry, fexit,
// rawtracepoint) matches in every module, as in bpftrace.
func (k *Kind) ListMatching(env Env, rest string) ([]string, error) {
	if (k.Tracing == TracingEntry || k.Tracing == TracingExit) && (rest == "bpf" || strings.HasPrefix(rest, "bpf:")) {
		// Running BPF programs are listed only when asked for, as in
		// bpftrace.
		return listBPFFuncs(k, env, rest)
	}
	names, err := k.List(env)
	if rest == "" {
		return names, err
	}
	var out []string
	for _, n := range names {
		_, tail, _ := strings.Cut(n, ":")
		pat := rest
		switch nt, nr := strings.Count(tail, ":"), strings.Count(rest, ":"); {
		case k.listModules && nt > nr:
			pat = "*:" + rest
		case strings.HasSuffix(tail, ":") && nr < nt:
			pat = rest + ":"
		case strings.HasSuffix(tail, ":") && nr >= nt && !strings.HasSuffix(rest, ":"):
			// profile:hz:99 lists as profile:hz:, software:faults:10
			// as software:faults:.
			parts := strings.SplitAfter(rest, ":")
			pat = strings.Join(parts[:nt], "")
		}
		if Match(pat, tail) {
			out = append(out, n)
		}
	}
	return out, err
}

// listName lists a kind by its name alone (BEGIN, END).
func listName(k *Kind, _ Env) ([]string, error) { return []string{k.Name}, nil }

// listEvents lists the events of software and hardware probes as
// bpftrace -l does, with their short names: "software:cpu-clock:",
// "software:cpu:".
func listEvents(k *Kind, _ Env) ([]string, error) {
	var out []string
	for _, e := range k.events.events {
		out = append(out, k.Name+":"+e.Name+":")
		if e.Alias != "" {
			out = append(out, k.Name+":"+e.Alias+":")
		}
	}
	return out, nil
}

// rateUnits are the units of profile and interval probes.
var rateUnits = []string{"hz", "s", "ms", "us"}

// listUnits lists profile and interval probes by unit: "profile:hz:".
func listUnits(k *Kind, _ Env) ([]string, error) {
	var out []string
	for _, u := range rateUnits {
		out = append(out, k.Name+":"+u+":")
	}
	return out, nil
}

func listTracepoints(k *Kind, env Env) ([]string, error) {
	tps, err := env.Tracepoints()
	out := make([]string, 0, len(tps))
	for _, tp := range tps {
		out = append(out, k.Name+":"+tp)
	}
	return out, err
}

func listRawTracepoints(k *Kind, env Env) ([]string, error) {
	rts, err := env.RawTracepoints()
	out := make([]string, 0, len(rts))
	for _, rt := range rts {
		out = append(out, k.Name+":"+rt)
	}
	return out, err
}

// listKprobes lists the traceable kernel functions by name, those of
// modules too, as bpftrace lists them: "kprobe:vfs_read".
func listKprobes(k *Kind, env Env) ([]string, error) {
	funcs, err := env.TraceableFunctions()
	out := make([]string, 0, len(funcs))
	for _, f := range funcs {
		_, fn := splitModule(f)
		out = append(out, k.Name+":"+fn)
	}
	return out, err
}

// listTracing lists the functions fentry and fexit can attach to: those
// both traceable and described by BTF, as "fentry:MODULE:function" (the
// newest bpftrace's names of kfunc and kretfunc).
func listTracing(name string) func(k *Kind, env Env) ([]string, error) {
	return func(k *Kind, env Env) ([]string, error) {
		traceable, err := env.TraceableFunctions()
		if err != nil {
			return nil, err
		}
		withBTF, err := env.BTFFunctions()
		if err != nil {
			return nil, err
		}
		var out []string
		for _, f := range traceable {
			if _, ok := slices.BinarySearch(withBTF, f); ok {
				out = append(out, name+":"+f)
			}
		}
		return out, nil
	}
}

func listSignals(k *Kind, _ Env) ([]string, error) {
	var out []string
	for _, n := range signalNames() {
		out = append(out, k.Name+":signal:"+n)
	}
	return out, nil
}

// Params returns the parameters -lv prints under a probe that List
// returned, one declaration each ("int irq", "struct file * file"); nil
// for kinds whose parameters gbt does not know.
func (k *Kind) Params(env Env, listed string) ([]string, error) {
	_, tail, _ := strings.Cut(listed, ":")
	switch {
	case k.Prog == ProgTracepoint:
		cat, ev, _ := strings.Cut(tail, ":")
		f, err := env.TracepointFormat(cat, ev)
		if err != nil {
			return nil, err
		}
		var out []string
		for _, fld := range f.Fields {
			if fld.Common {
				continue
			}
			decl := fld.CType + " " + fld.Name
			if fld.ArrayN > 0 {
				decl += fmt.Sprintf("[%d]", fld.ArrayN)
			}
			out = append(out, decl)
		}
		return out, nil
	case k.Ctx != nil:
		return ctxParams(env, tail)
	case k.Tracing != TracingNone || k.Prog == ProgRawTP || k.Prog == ProgKprobe && !k.User:
		// A kprobe's function, as a kfunc's, has its parameters in the
		// kernel's BTF (the newest bpftrace lists them too).
		target := k.Tracing
		switch {
		case k.Prog == ProgRawTP:
			target = TracingTracepoint
		case k.Prog == ProgKprobe:
			target = TracingEntry
		}
		fn := tail
		if k.listModules {
			_, fn, _ = strings.Cut(tail, ":")
		}
		out, ret, err := env.FuncParams(target, fn)
		if err != nil {
			return nil, err
		}
		if k.Return && ret != "" {
			out = append(out, ret+" retval")
		}
		return out, nil
	}
	return nil, nil
}
