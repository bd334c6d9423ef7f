package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe"
)

// listProbes prints the probes pattern matches (-l), sorted as bpftrace
// sorts them: with a script (-e, or a pattern naming a script file), the
// probes its attach points match; a uprobe or usdt pattern lists the
// functions or probes of files (a wildcard kind too: '*:FILE:*'); no
// pattern lists the kernel's kinds; with -p and no pattern, the uprobes
// and USDT probes of the process's files too.
func (a *app) listProbes(w io.Writer, pattern string) error {
	// -lv 'kfunc:*' writes some 190 000 lines: one write each took more
	// time than finding them.
	bw := bufio.NewWriterSize(w, 64<<10)
	err := a.listProbesTo(bw, pattern)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return err
}

func (a *app) listProbesTo(w io.Writer, pattern string) error {
	l := &lister{app: a, kinds: map[string]*probe.Kind{}, params: map[string][]string{}}
	switch {
	case a.opts.program != "":
		if err := l.addScript("stdin", a.opts.program); err != nil {
			return err
		}
	case strings.HasSuffix(pattern, ".bt") && !strings.Contains(pattern, ":"):
		src, err := os.ReadFile(pattern)
		if err != nil {
			fmt.Fprintf(a.stderr, "WARNING: It appears that '%s' is a filename but the file does not exist. Treating '%s' as a search pattern.\n", pattern, pattern)
			if err := l.add(pattern); err != nil {
				return err
			}
			break
		}
		if err := l.addScript(pattern, string(src)); err != nil {
			return err
		}
	default:
		// A search pattern is lexed as bpftrace lexes one.
		if diags := parse.SearchPattern(pattern); diags.HasErrors() {
			diag.RenderAll(a.stderr, diag.Source{Name: "stdin", Text: pattern}, diags)
			return shownError{diags.Err()}
		}
		// bpftrace takes several patterns separated by commas, struct,
		// union and enum names among them ('kprobe:f,struct file').
		for _, p := range splitPatterns(pattern) {
			if kw, name, _ := strings.Cut(p, " "); kw == "struct" || kw == "union" || kw == "enum" {
				if err := l.addTypes(kw, strings.TrimSpace(name)); err != nil {
					return err
				}
				continue
			}
			if err := l.add(p); err != nil {
				return err
			}
		}
	}
	return l.print(w)
}

// splitPatterns splits a -l argument at the commas outside braces (a
// glob's {a,b} keeps its comma).
func splitPatterns(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

// lister gathers the probes -l prints.
type lister struct {
	app    *app
	names  []string
	kinds  map[string]*probe.Kind // the kind of each name, for -lv
	types  []string               // C definitions of the types named
	params map[string][]string    // -lv parameters of file probes, by name
	warned bool
	// inOrder keeps the names in the order gathered, repeats too: a
	// script's attach points are listed in its order, each one's matches
	// sorted, as the newest bpftrace lists them.
	inOrder bool
}

// addScript adds the probes that each attach point of a script matches.
func (l *lister) addScript(name, src string) error {
	prog, diags := parse.Parse(name, src)
	if diags.HasErrors() {
		diag.RenderAll(l.app.stderr, diag.Source{Name: name, Text: src}, diags)
		return errors.New("cannot list the probes of a script that does not parse")
	}
	for _, p := range prog.Probes {
		for _, ap := range p.Points {
			if k := probe.Lookup(ap.Provider); k != nil && k.RunAt != probe.RunOnEvent {
				continue // begin and end are not listed
			}
			n := len(l.names)
			if err := l.add(ap.Raw); err != nil {
				return err
			}
			slices.Sort(l.names[n:])
		}
	}
	l.inOrder = true
	return nil
}

// add adds the probes pattern matches.
func (l *lister) add(pattern string) error {
	a := l.app
	kindPat, rest, hasRest := strings.Cut(pattern, ":")
	if hasRest {
		if k := probe.Lookup(kindPat); k != nil && fileProbes(k) {
			return l.addFiles(k, rest)
		}
		if hasGlob(kindPat) && strings.Contains(rest, ":") {
			for _, k := range probe.Kinds() {
				if probe.Match(kindPat, k.Name) && fileProbes(k) {
					if err := l.addFiles(k, rest); err != nil {
						return err
					}
				}
			}
		}
	}
	for _, k := range probe.Kinds() {
		var names []string
		var err error
		switch {
		case pattern == "":
			if !k.InList {
				continue
			}
			names, err = k.List(a.env)
		case hasRest:
			if !matchKind(kindPat, k) {
				continue
			}
			names, err = k.ListMatching(a.env, rest)
		default:
			if matchKind(pattern, k) {
				names, err = k.List(a.env)
				break
			}
			all, lerr := k.List(a.env)
			err = lerr
			for _, n := range all {
				if probe.Match(pattern, n) {
					names = append(names, n)
				}
			}
		}
		if err := l.warn(err); err != nil {
			return fmt.Errorf("list %s probes: %w", k.Name, err)
		}
		for _, n := range names {
			l.names = append(l.names, n)
			l.kinds[n] = k
		}
	}
	if a.opts.pid > 0 && (pattern == "" || pattern == "*") {
		for _, k := range probe.Kinds() {
			if fileProbes(k) {
				if err := l.addFiles(k, "*:*"); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// warn prints bpftrace's warning, once, when the machine cannot say
// which kernel functions are traceable; other errors are returned,
// except that a machine without BTF lists nothing of the kinds it
// describes.
func (l *lister) warn(err error) error {
	var te *probe.TraceableError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te):
		if !l.warned {
			l.warned = true
			fmt.Fprintf(l.app.stderr, "WARNING: %v\n", te)
		}
		return nil
	case errors.Is(err, probe.ErrUnavailable), errors.Is(err, os.ErrNotExist):
		return nil
	}
	return err
}

// matchKind says whether pattern names kind k, by its name or an alias.
func matchKind(pattern string, k *probe.Kind) bool {
	if probe.Match(pattern, k.Name) {
		return true
	}
	for _, alias := range k.Aliases {
		if probe.Match(pattern, alias) {
			return true
		}
	}
	return false
}

// print prints the names gathered, sorted and once each (unless
// inOrder), with -v each probe's parameters under it.
func (l *lister) print(w io.Writer) error {
	if !l.inOrder {
		slices.Sort(l.names)
		l.names = slices.Compact(l.names)
	}
	for _, n := range l.names {
		fmt.Fprintln(w, n)
		for _, p := range l.params[n] {
			fmt.Fprintf(w, "    %s\n", p)
		}
		k := l.kinds[n]
		if !l.app.opts.verbose || k == nil {
			continue
		}
		params, err := k.Params(l.app.env, n)
		if err != nil {
			continue // bpftrace lists the probe without its parameters
		}
		for _, p := range params {
			fmt.Fprintf(w, "    %s\n", p)
		}
	}
	for _, def := range l.types {
		fmt.Fprintln(w, def)
	}
	return nil
}

// addTypes adds the kernel's types of a kind whose names match pattern,
// as both bpftraces list them: their names, or with -v their C
// definitions, each after "vmlinux: " as the newest bpftrace prints it.
// A pattern that matches nothing lists nothing.
func (l *lister) addTypes(kind, pattern string) error {
	if !l.app.opts.verbose {
		names, err := l.app.env.TypeNames(kind, pattern)
		l.types = append(l.types, names...)
		return err
	}
	defs, err := l.app.env.TypeDefinitions(kind, pattern)
	for _, def := range defs {
		if l.app.opts.compat.Has(compat.NewestWords) {
			def = "vmlinux: " + def
		}
		l.types = append(l.types, def)
	}
	return err
}

func hasGlob(s string) bool { return strings.ContainsAny(s, "*?{") }

// fileProbes says whether the probes of kind k are listed from files.
func fileProbes(k *probe.Kind) bool {
	return k.Attach == probe.AttachUprobe || k.Attach == probe.AttachUSDT
}

// addFiles adds the probes of kind k in the files rest names
// ("FILE[:...]"); kinds not attached to files add nothing.
func (l *lister) addFiles(k *probe.Kind, rest string) error {
	var b strings.Builder
	var err error
	switch k.Attach {
	case probe.AttachUprobe:
		var args io.Writer // where -lv warns of files without debug info
		if l.app.opts.verbose && !k.Return {
			args = l.app.stderr
		}
		err = listUprobes(&b, l.app.env, k.Name, rest, args)
	case probe.AttachUSDT:
		err = listUSDT(&b, l.app.env, rest)
	}
	// A probe's line, then with -lv its parameters, indented.
	last := ""
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		switch {
		case line == "":
		case strings.HasPrefix(line, " "):
			l.params[last] = append(l.params[last], strings.TrimSpace(line))
		default:
			last = line
			l.names = append(l.names, line)
		}
	}
	return err
}

// listUprobes lists the functions of binaries as probes of kind (uprobe
// or uretprobe): pattern is "FILE:GLOB", FILE as attach points name it.
// With args non-nil (-lv), each function's parameters follow it, as its
// DWARF debug info declares them; a file without debug info is warned
// about on args, once.
func listUprobes(w io.Writer, env probe.Env, kind, pattern string, args io.Writer) error {
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
		args := args
		for _, f := range funcs {
			if !probe.Match(glob, f.Name) {
				continue
			}
			fmt.Fprintf(w, "%s:%s:%s\n", kind, bin.Name, f.Name)
			if args == nil {
				continue
			}
			proto, err := env.UserProto(bin.Path, f.Name)
			if errors.Is(err, probe.ErrNoDebugInfo) {
				fmt.Fprintf(args, "WARNING: No DWARF found for %q, cannot show parameter info\n", bin.Name)
				args = nil // once per file, and no more lookups
				continue
			}
			if err == nil {
				for _, p := range proto.Params {
					fmt.Fprintf(w, "    %s %s\n", p.CType, p.Name)
				}
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
