package kernel

import (
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/runtime/procmaps"

	"github.com/gbt-dev/gbt/lang/probe"
)

// SetProcess names the process the script traces (-p PID; 0: none): the
// files of attach points are then looked up in its maps and its mount
// namespace. Call it before the Env answers anything.
func (e *Env) SetProcess(pid int) {
	e.mu.Lock()
	e.pid = pid
	e.mu.Unlock()
}

// SetCommand names the program of the -c command ("": none), found in
// PATH as the command will be: TracedProgram's answer.
func (e *Env) SetCommand(path string) {
	e.mu.Lock()
	e.command = path
	e.mu.Unlock()
}

// TracedProgram implements probe.Env: the -c command's program, else the
// -p process's executable.
func (e *Env) TracedProgram() (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case e.command != "":
		return e.command, nil
	case e.pid > 0:
		return "/proc/" + strconv.Itoa(e.pid) + "/exe", nil
	}
	return "", fmt.Errorf("no traced process: %w", probe.ErrUnavailable)
}

func (e *Env) process() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.pid
}

// UserBinaries implements probe.Env.
func (e *Env) UserBinaries(pattern string) ([]probe.UserBinary, error) {
	if pid := e.process(); pid > 0 {
		if bins, ok := processBinaries("/proc", pid, pattern); ok {
			return bins, nil
		}
	}
	return hostBinaries(pattern, libraryDirs("/etc/ld.so.conf")), nil
}

// hasWildcard says whether a file pattern is a glob.
func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?[") }

// processBinaries resolves pattern among the files process pid maps and
// in its mount namespace; ok is false when the process does not decide
// (a relative path, a name it maps no file of).
func processBinaries(proc string, pid int, pattern string) (bins []probe.UserBinary, ok bool) {
	root := filepath.Join(proc, strconv.Itoa(pid), "root")
	mapped := MappedFiles(filepath.Join(proc, strconv.Itoa(pid), "maps"))
	inRoot := func(name string) probe.UserBinary {
		if _, err := os.Stat(root + name); err == nil {
			return probe.UserBinary{Name: name, Path: root + name}
		}
		return probe.UserBinary{Name: name, Path: name}
	}
	switch {
	case pattern == "" || pattern == "*":
		for _, m := range mapped {
			bins = append(bins, inRoot(m))
		}
		return bins, true
	case !strings.Contains(pattern, "/"):
		for _, m := range mapped {
			if libraryMatches(filepath.Base(m), pattern) {
				return []probe.UserBinary{inRoot(m)}, true
			}
		}
		return nil, false
	case hasWildcard(pattern):
		for _, m := range mapped {
			if probe.Match(pattern, m) {
				bins = append(bins, inRoot(m))
			}
		}
		return bins, len(bins) > 0
	case filepath.IsAbs(pattern):
		return []probe.UserBinary{inRoot(pattern)}, true
	}
	return nil, false
}

// libraryMatches says whether file base name is what library name names
// (libc: libc.so.6; libc.so.6 itself; a program's own name).
func libraryMatches(base, name string) bool {
	return base == name || base == "lib"+name+".so" || strings.HasPrefix(base, "lib"+name+".so.") ||
		strings.HasPrefix(base, name+".so.") || base == name+".so"
}

// MappedFiles returns the files of the executable mappings in a
// /proc/PID/maps file, in address order, each once.
func MappedFiles(maps string) []string {
	var files []string
	for _, m := range procmaps.Exec(maps) {
		if !strings.HasSuffix(m.Path, " (deleted)") && !slices.Contains(files, m.Path) {
			files = append(files, m.Path)
		}
	}
	return files
}

// hostBinaries resolves pattern on this machine: a glob of paths, a
// program on $PATH or a library in the linker's directories for a name
// without a slash, else the path itself if it is an ELF file.
func hostBinaries(pattern string, libDirs []string) []probe.UserBinary {
	one := func(p string) []probe.UserBinary { return []probe.UserBinary{{Name: p, Path: p}} }
	switch {
	case hasWildcard(pattern):
		matches, _ := filepath.Glob(pattern)
		var bins []probe.UserBinary
		for _, m := range matches {
			if strings.HasPrefix(pattern, "./") {
				m = "./" + m // as written: Glob cleans the path
			}
			if st, err := os.Stat(m); err == nil && st.Mode().IsRegular() {
				bins = append(bins, probe.UserBinary{Name: m, Path: m})
			}
		}
		return bins
	case pattern == "":
		return nil
	case !strings.Contains(pattern, "/"):
		if _, err := os.Stat(pattern); err == nil {
			return one(pattern)
		}
		if p, err := exec.LookPath(pattern); err == nil {
			return one(p)
		}
		if p := findLibrary(pattern, libDirs); p != "" {
			return one(p)
		}
	}
	if !isTarget(pattern) {
		return nil // bpftrace: "target file does not exist or is not executable"
	}
	return one(pattern)
}

// isTarget says whether path names a file uprobes can attach to, as
// bpftrace decides: a member of a zip archive (ARCHIVE!/MEMBER) whose
// archive exists, a shared object, or an executable with its exec bit.
func isTarget(path string) bool {
	if archive, _, ok := strings.Cut(path, "!/"); ok {
		st, err := os.Stat(archive)
		return err == nil && st.Mode().IsRegular()
	}
	if !isELF(path) {
		return false
	}
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := os.Stat(path)
	return err == nil && (f.Type == elf.ET_DYN || f.Type == elf.ET_EXEC && st.Mode().Perm()&0o111 != 0)
}

// findLibrary looks for library name in dirs as bpftrace (through bcc's
// lookup in ld.so.cache) and the dynamic linker do: libNAME, or NAME, is
// the file NAME, else libNAME.so, else the first libNAME.so.VERSION, each
// only if it is an ELF file (Debian's libc.so is a linker script).
func findLibrary(name string, dirs []string) string {
	lib := "lib" + strings.TrimPrefix(name, "lib")
	for _, d := range dirs {
		versions, _ := filepath.Glob(filepath.Join(d, lib+".so.*"))
		slices.Sort(versions)
		for _, p := range append([]string{filepath.Join(d, name), filepath.Join(d, lib+".so")}, versions...) {
			if isELF(p) {
				return p
			}
		}
	}
	return ""
}

// isELF says whether path is a regular file that starts as ELF files do.
func isELF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return false
	}
	magic := make([]byte, 4)
	_, err = io.ReadFull(f, magic)
	return err == nil && string(magic) == "\x7fELF"
}

// libraryDirs returns the directories of a ld.so.conf file (following its
// include lines) and then the standard ones.
func libraryDirs(conf string) []string {
	var dirs []string
	var read func(string, int)
	read = func(file string, depth int) {
		data, err := os.ReadFile(file)
		if err != nil || depth > 4 {
			return
		}
		for _, line := range strings.Split(string(data), "\n") {
			line, _, _ = strings.Cut(line, "#")
			line = strings.TrimSpace(line)
			if inc, ok := strings.CutPrefix(line, "include "); ok {
				matches, _ := filepath.Glob(strings.TrimSpace(inc))
				for _, m := range matches {
					read(m, depth+1)
				}
			} else if strings.HasPrefix(line, "/") && !slices.Contains(dirs, line) {
				dirs = append(dirs, line)
			}
		}
	}
	read(conf, 0)
	for _, d := range []string{"/lib64", "/usr/lib64", "/lib", "/usr/lib"} {
		if !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	return dirs
}
