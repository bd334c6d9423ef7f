package dwarfinfo

import (
	"bytes"
	"debug/elf"
	"encoding/hex"
	"os"
	"path/filepath"
)

// DefaultDebugDirs are where distributions install separate debug info
// (Debian's -dbgsym packages: /usr/lib/debug/.build-id/xx/yyyy.debug).
var DefaultDebugDirs = []string{"/usr/lib/debug"}

// separateDebugFile finds the file holding the debug info of a stripped
// ELF file f at path, as gdb and bpftrace look for it: by build id under
// each debug directory (DIR/.build-id/xx/yyyy.debug), then by the
// .gnu_debuglink name beside the file, in its .debug directory, and under
// each debug directory followed by the file's directory. It returns ""
// when none has .debug_info.
func separateDebugFile(f *elf.File, path string, dirs []string) string {
	var candidates []string
	if id := buildID(f); len(id) > 1 {
		h := hex.EncodeToString(id)
		for _, d := range dirs {
			candidates = append(candidates, filepath.Join(d, ".build-id", h[:2], h[2:]+".debug"))
		}
	}
	if link := debugLink(f); link != "" {
		dir := filepath.Dir(path)
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		candidates = append(candidates, filepath.Join(dir, link), filepath.Join(dir, ".debug", link))
		for _, d := range dirs {
			candidates = append(candidates, filepath.Join(d, dir, link))
		}
	}
	for _, c := range candidates {
		if c == path {
			continue
		}
		if hasDebugInfo(c) {
			return c
		}
	}
	return ""
}

// buildID returns the GNU build id note of f, or nil.
func buildID(f *elf.File) []byte {
	s := f.Section(".note.gnu.build-id")
	if s == nil {
		return nil
	}
	data, err := s.Data()
	if err != nil || len(data) < 16 {
		return nil
	}
	order := f.ByteOrder
	namesz, descsz, typ := order.Uint32(data), order.Uint32(data[4:]), order.Uint32(data[8:])
	const ntGNUBuildID = 3
	name := (namesz + 3) &^ 3
	if typ != ntGNUBuildID || uint64(12+name)+uint64(descsz) > uint64(len(data)) {
		return nil
	}
	return data[12+name : 12+name+descsz]
}

// debugLink returns the file name in f's .gnu_debuglink section, or "".
func debugLink(f *elf.File) string {
	s := f.Section(".gnu_debuglink")
	if s == nil {
		return ""
	}
	data, err := s.Data()
	if err != nil {
		return ""
	}
	name, _, ok := bytes.Cut(data, []byte{0})
	if !ok || len(name) == 0 || bytes.ContainsRune(name, '/') {
		return ""
	}
	return string(name)
}

// hasDebugInfo says whether the ELF file at path has a .debug_info
// section with contents.
func hasDebugInfo(path string) bool {
	if _, err := os.Stat(path); err != nil {
		return false
	}
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	s := f.Section(".debug_info")
	return s != nil && s.Type != elf.SHT_NOBITS
}
