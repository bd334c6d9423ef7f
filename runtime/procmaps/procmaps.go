// Package procmaps reads the executable file mappings of a process from
// its /proc/PID/maps file, for the symbolizers and unwinders that turn its
// addresses into files and offsets.
package procmaps

import (
	"bufio"
	"debug/elf"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// A Mapping is an executable mapping of a file: addresses [Start, End)
// hold the file from Offset on.
type Mapping struct {
	Start, End, Offset uint64
	Path               string
}

// Exec returns the executable file mappings listed in a maps file
// (/proc/PID/maps), sorted by address; nil when it cannot be read (the
// process is gone). Anonymous and special mappings ([vdso]) are left out.
func Exec(mapsFile string) []Mapping {
	f, err := os.Open(mapsFile)
	if err != nil {
		return nil
	}
	defer f.Close()
	var ms []Mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// start-end perms offset dev inode path
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || !strings.Contains(fields[1], "x") || !strings.HasPrefix(fields[5], "/") {
			continue
		}
		start, end, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		s, err1 := strconv.ParseUint(start, 16, 64)
		e, err2 := strconv.ParseUint(end, 16, 64)
		o, err3 := strconv.ParseUint(fields[2], 16, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		ms = append(ms, Mapping{Start: s, End: e, Offset: o, Path: strings.Join(fields[5:], " ")})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Start < ms[j].Start })
	return ms
}

// OpenELF opens the ELF file path of a process (its pid's entries under
// proc, /proc normally) through the process's root, so that files in
// another mount namespace (a container) are found, else as named.
func OpenELF(proc string, pid int, path string) (*elf.File, error) {
	f, err := elf.Open(filepath.Join(proc, strconv.Itoa(pid), "root", path))
	if err != nil {
		return elf.Open(path)
	}
	return f, nil
}

// LoadSegments returns the PT_LOAD program headers of f: where its file
// offsets are loaded, to turn a mapped address into a link-time one.
func LoadSegments(f *elf.File) []elf.ProgHeader {
	var loads []elf.ProgHeader
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			loads = append(loads, p.ProgHeader)
		}
	}
	return loads
}

// LinkAddr turns addr, in a mapping of a shared object (ET_DYN) that
// starts at start and maps the file from offset off, into the object's
// link-time address through its load segments; false when no segment
// holds it.
func LinkAddr(loads []elf.ProgHeader, addr, start, off uint64) (uint64, bool) {
	fileOff := addr - start + off
	for _, p := range loads {
		if fileOff >= p.Off && fileOff < p.Off+p.Filesz {
			return fileOff - p.Off + p.Vaddr, true
		}
	}
	return 0, false
}
