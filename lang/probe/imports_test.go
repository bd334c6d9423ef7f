package probe_test

import (
	"go/build"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/gbt-dev/gbt/"

// machineReader says why the packages of lang/ must not import path:
// the machine is behind probe.Env, so that lang reads nothing from it.
// Every package lang builds on is held to it.
func machineReader(path string) string {
	switch {
	case strings.HasPrefix(path, "github.com/cilium/"):
		return "cilium/ebpf reads BTF and talks to the kernel"
	case strings.HasPrefix(path, "debug/"):
		return "ELF and DWARF readers"
	}
	return ""
}

// fileReader says why lang's own packages must not import path (the
// standard library's packages may: fmt imports os, os imports syscall).
func fileReader(path string) string {
	switch {
	case path == "os", path == "os/exec", path == "os/user", path == "io/ioutil", path == "net", path == "plugin":
		return "it opens files, runs programs or dials"
	case strings.HasPrefix(path, "golang.org/x/sys/"), path == "syscall":
		return "system calls"
	}
	return ""
}

// TestLangReadsNothing: no package of lang/ imports, directly or through
// the packages it builds on, a package that reads the machine; lang's
// own packages (and gbt's packages they import) open no files either.
// Tests may: they read their golden files.
func TestLangReadsNothing(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	var queue []string // import paths to visit
	err = filepath.WalkDir(filepath.Join(root, "lang"), func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if matches, _ := filepath.Glob(filepath.Join(dir, "*.go")); len(matches) > 0 {
			rel, _ := filepath.Rel(root, dir)
			queue = append(queue, module+filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	importedBy := map[string]string{}
	for _, p := range queue {
		importedBy[p] = ""
	}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		var pkg *build.Package
		if rest, ok := strings.CutPrefix(path, module); ok {
			pkg, err = build.ImportDir(filepath.Join(root, filepath.FromSlash(rest)), 0)
		} else {
			pkg, err = build.Import(path, root, 0)
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		ours := strings.HasPrefix(path, module)
		for _, imp := range pkg.Imports {
			why := machineReader(imp)
			if why == "" && ours {
				why = fileReader(imp)
			}
			if why != "" {
				t.Errorf("%s imports %s (%s)", chain(importedBy, path), imp, why)
				continue
			}
			if _, seen := importedBy[imp]; !seen && imp != "C" && imp != "unsafe" {
				importedBy[imp] = path
				queue = append(queue, imp)
			}
		}
	}
	if _, ok := importedBy[module+"lang/probe"]; !ok {
		t.Fatal("lang/probe was not visited")
	}
}

// chain returns how path is reached from a package of lang: a -> b -> path.
func chain(importedBy map[string]string, path string) string {
	steps := []string{path}
	for p := importedBy[path]; p != ""; p = importedBy[p] {
		steps = append(steps, p)
	}
	for i, j := 0, len(steps)-1; i < j; i, j = i+1, j-1 {
		steps[i], steps[j] = steps[j], steps[i]
	}
	return strings.Join(steps, " -> ")
}
