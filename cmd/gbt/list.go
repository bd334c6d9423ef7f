package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe"
)

// listProbes prints the probes pattern matches (-l): the probes of files
// for uprobe and usdt patterns (a wildcard kind too: '*:FILE:*'), else
// every kind and tracepoint; with -p and no pattern, the uprobes and USDT
// probes of the process's files too.
func (a *app) listProbes(w io.Writer, pattern string) error {
	if diags := parse.SearchPattern(pattern); diags.HasErrors() {
		diag.RenderAll(a.stderr, diag.Source{Name: "stdin", Text: pattern}, diags)
		return shownError{diags.Err()}
	}
	if kind, rest, ok := strings.Cut(pattern, ":"); ok {
		if k := probe.Lookup(kind); k != nil && fileProbes(k) {
			return a.listFileProbes(w, k, rest)
		}
		if hasGlob(kind) && strings.Contains(rest, ":") {
			for _, k := range probe.Kinds() {
				if probe.Match(kind, k.Name) {
					if err := a.listFileProbes(w, k, rest); err != nil {
						return err
					}
				}
			}
		}
	}
	for _, k := range probe.Kinds() {
		for _, name := range k.Listed() {
			if probe.Match(pattern, name) {
				fmt.Fprintln(w, name)
			}
		}
	}
	tps, err := a.env.Tracepoints()
	if err != nil {
		return err
	}
	for _, tp := range tps {
		name := "tracepoint:" + tp
		if !probe.Match(pattern, name) {
			continue
		}
		fmt.Fprintln(w, name)
		if a.opts.verbose {
			a.listArgs(w, tp)
		}
	}
	if a.opts.pid > 0 && (pattern == "" || pattern == "*") {
		for _, k := range probe.Kinds() {
			if err := a.listFileProbes(w, k, "*:*"); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasGlob(s string) bool { return strings.ContainsAny(s, "*?{") }

// fileProbes says whether the probes of kind k are listed from files.
func fileProbes(k *probe.Kind) bool {
	return k.Attach == probe.AttachUprobe || k.Attach == probe.AttachUSDT
}

// listFileProbes lists the probes of kind k in the files rest names
// ("FILE[:...]"); kinds not attached to files list nothing here.
func (a *app) listFileProbes(w io.Writer, k *probe.Kind, rest string) error {
	switch k.Attach {
	case probe.AttachUprobe:
		return listUprobes(w, a.env, k.Name, rest)
	case probe.AttachUSDT:
		return listUSDT(w, a.env, rest)
	}
	return nil
}

// listArgs prints a tracepoint's args as bpftrace -lv does.
func (a *app) listArgs(w io.Writer, tp string) {
	cat, ev, _ := strings.Cut(tp, ":")
	f, err := a.env.TracepointFormat(cat, ev)
	if err != nil {
		return
	}
	for _, fld := range f.Fields {
		if fld.Common {
			continue
		}
		decl := fld.CType
		if !strings.HasSuffix(decl, "*") {
			decl += " "
		}
		decl += fld.Name
		if fld.ArrayN > 0 {
			decl += fmt.Sprintf("[%d]", fld.ArrayN)
		}
		fmt.Fprintf(w, "    %s\n", decl)
	}
}

// listUprobes lists the functions of binaries as probes of kind (uprobe
// or uretprobe): pattern is "FILE:GLOB", FILE as attach points name it.
func listUprobes(w io.Writer, env probe.Env, kind, pattern string) error {
	file, glob, _ := strings.Cut(pattern, ":")
	if glob == "" {
		glob = "*"
	}
	bins, err := env.UserBinaries(file)
	if err != nil {
		return err
	}
	for _, bin := range bins {
		funcs, err := env.UserFunctions(bin.Path)
		if err != nil {
			if len(bins) > 1 {
				continue // a glob or a process's maps can name non-ELF files
			}
			return err
		}
		for _, f := range funcs {
			if probe.Match(glob, f.Name) {
				fmt.Fprintf(w, "%s:%s:%s\n", kind, bin.Name, f.Name)
			}
		}
	}
	return nil
}

// listUSDT lists the USDT probes of binaries: pattern is
// "FILE[:[PROVIDER:]GLOB]", as bpftrace -l prints them.
func listUSDT(w io.Writer, env probe.Env, pattern string) error {
	file, rest, _ := strings.Cut(pattern, ":")
	if rest == "" {
		rest = "*:*"
	} else if !strings.Contains(rest, ":") {
		rest = "*:" + rest
	}
	bins, err := env.UserBinaries(file)
	if err != nil {
		return err
	}
	for _, bin := range bins {
		sites, err := env.USDTSites(bin.Path)
		if err != nil {
			if len(bins) > 1 {
				continue
			}
			return err
		}
		seen := map[string]bool{}
		for _, s := range sites {
			name := s.Provider + ":" + s.Name
			if !seen[name] && probe.Match(rest, name) {
				seen[name] = true
				fmt.Fprintf(w, "usdt:%s:%s\n", bin.Name, name)
			}
		}
	}
	return nil
}
