// Package imports resolves a script's root imports (`import "path";`,
// bpftrace 0.24): it reads the files they name through an FS, parses them
// and merges their probes, macros, map declarations and C definitions into
// the script, as bpftrace does.
//
// A path is looked up in the importing script's directory (the working
// directory for -e). A .bt file is a script; a .h file holds C
// definitions; a directory imports its .bt and .h files (not its
// subdirectories). Imported .bt files may import in turn (from the same
// directory as the script's), each file once; they may not have a config
// block. gbt compiles no C, so .bpf.c and .bpf.o files are refused, and
// "stdlib", whose macros gbt always has, imports nothing.
package imports

import (
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
)

// FS is the file system imports read, by path (relative paths from the
// working directory); runtime gives the machine's.
type FS interface {
	Stat(path string) (fs.FileInfo, error)
	ReadFile(path string) ([]byte, error)
	ReadDir(path string) ([]fs.DirEntry, error)
}

// stdlibName is the import of bpftrace's standard library, which gbt has
// built in.
const stdlibName = "stdlib"

// Resolve merges the files prog imports into prog. Errors are positioned
// at the import that failed; on an error prog is unchanged.
func Resolve(prog *ast.Program, fsys FS) diag.List {
	if len(prog.Imports) == 0 {
		return nil
	}
	r := &resolver{fsys: fsys, dir: filepath.Dir(prog.File), names: map[string]bool{}, files: map[string]*ast.Program{}}
	r.imports(prog.Imports)
	if r.diags.HasErrors() {
		return r.diags
	}
	// bpftrace merges the files in the order of their names (a std::map),
	// each by reversing the probes, appending the file's and reversing
	// again: the last file's probes run first, each file's in reverse.
	names := make([]string, 0, len(r.files))
	for name := range r.files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		f := r.files[name]
		slices.Reverse(prog.Probes)
		prog.Probes = append(prog.Probes, f.Probes...)
		slices.Reverse(prog.Probes)
		prog.MacroDefs = append(prog.MacroDefs, f.MacroDefs...)
		prog.MapDecls = append(prog.MapDecls, f.MapDecls...)
		prog.Includes = append(prog.Includes, f.Includes...)
		prog.Macros = append(prog.Macros, f.Macros...)
		prog.CDefs = append(prog.CDefs, f.CDefs...)
	}
	return r.diags
}

type resolver struct {
	fsys  FS
	dir   string // where paths are looked up: the script's directory
	names map[string]bool
	files map[string]*ast.Program // by import name ("lib.bt", "dir/x.bt")
	diags diag.List
}

func (r *resolver) imports(list []*ast.Import) {
	for _, imp := range list {
		if r.names[imp.Path] {
			continue // each path once
		}
		r.names[imp.Path] = true
		r.importPath(imp)
	}
}

// importPath imports what one import statement names.
func (r *resolver) importPath(imp *ast.Import) {
	path := filepath.Join(r.dir, imp.Path)
	st, err := r.fsys.Stat(path)
	if err == nil && !r.safe(path, st) {
		r.diags.Warnf(imp.Span, "skipping due to global write permissions: %q", path)
	}
	switch {
	case err == nil && r.safe(path, st) && st.IsDir():
		entries, err := r.fsys.ReadDir(path)
		if err != nil {
			r.diags.Errorf(imp.Span, "error reading import %q: %v", path, err)
			return
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			if sub := filepath.Join(path, e.Name()); kindOf(e.Name()) != unknown {
				r.importFile(imp, imp.Path+"/"+e.Name(), sub)
			}
		}
	case err == nil && r.safe(path, st):
		if kindOf(path) == unknown {
			r.diags.Errorf(imp.Span, "unknown import type: %q", filepath.Base(path))
			return
		}
		r.importFile(imp, imp.Path, path)
	case imp.Path == stdlibName || strings.HasPrefix(imp.Path, stdlibName+"/"):
		if imp.Path != stdlibName {
			r.diags.Errorf(imp.Span, "gbt has no standard library module %q: bpftrace's are C (.bpf.c), and gbt compiles no C", imp.Path).
				Hint = "gbt's standard library macros (stdlib/base.bt) need no import"
		}
	default:
		r.diags.Errorf(imp.Span, "Unable to find suitable path for import").Hint = "checked: " + path
	}
}

// safe says whether path, and the directory it is in, are not writable by
// everyone: bpftrace refuses to import from such places.
func (r *resolver) safe(path string, st fs.FileInfo) bool {
	if st.Mode().Perm()&0o002 != 0 {
		return false
	}
	dir, err := r.fsys.Stat(filepath.Dir(path))
	return err == nil && dir.Mode().Perm()&0o002 == 0
}

type kind int

const (
	unknown kind = iota
	script       // .bt
	header       // .h
	object       // .bpf.c, .bpf.o: C, which gbt does not compile
)

func kindOf(name string) kind {
	switch {
	case strings.HasSuffix(name, ".bt"):
		return script
	case strings.HasSuffix(name, ".h"):
		return header
	case strings.HasSuffix(name, ".bpf.c"), strings.HasSuffix(name, ".bpf.o"):
		return object
	}
	return unknown
}

// importFile parses one file under its import name, once.
func (r *resolver) importFile(imp *ast.Import, name, path string) {
	if r.files[name] != nil {
		return
	}
	k := kindOf(name)
	if k == object {
		r.diags.Errorf(imp.Span, "cannot import %q: it is BPF C, and gbt compiles no C", name).
			Hint = "write the function as a macro in a .bt file, or use bpftrace"
		return
	}
	src, err := r.fsys.ReadFile(path)
	if err != nil {
		r.diags.Errorf(imp.Span, "error reading import %q: %v", path, err)
		return
	}
	prog, diags := parse.Import(path, string(src))
	r.diags = append(r.diags, diags...)
	if prog == nil {
		return
	}
	if k == header {
		if len(prog.Probes) > 0 || len(prog.MacroDefs) > 0 || len(prog.MapDecls) > 0 || prog.Config != nil || len(prog.Imports) > 0 {
			r.diags.Errorf(imp.Span, "%s: a header (.h) may hold C definitions only", name)
			return
		}
	}
	if prog.Config != nil {
		r.diags.Errorf(prog.Config.Span, "invalid `config` within import")
		return
	}
	r.files[name] = prog
	r.imports(prog.Imports)
}
