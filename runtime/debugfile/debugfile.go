// Package debugfile finds the separate debug file of a stripped ELF file,
// as gdb and bpftrace look for it: Debian's -dbgsym and -dbg packages
// install them under /usr/lib/debug, by build id.
package debugfile

import (
	"bytes"
	"debug/elf"
	"encoding/hex"
	"os"
	"path/filepath"
)

// DefaultDirs are where distributions install separate debug info
// (Debian's -dbgsym packages: /usr/lib/debug/.build-id/xx/yyyy.debug).
func DefaultDirs() []string { return []string{"/usr/lib/debug"} }

// Find finds the separate debug file of the ELF file f at path: by build
// id under each debug directory (DIR/.build-id/xx/yyyy.debug), then by the
// .gnu_debuglink name beside the file, in its .debug directory, and under
// each debug directory followed by the file's directory. It returns the
// first whose ELF has says true (HasDWARF, HasSymtab), or "".
func Find(f *elf.File, path string, dirs []string, has func(*elf.File) bool) string {
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
		if matches(c, has) {
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

// matches says whether the ELF file at path exists and has says true.
func matches(path string, has func(*elf.File) bool) bool {
	if _, err := os.Stat(path); err != nil {
		return false
	}
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return has(f)
}

// HasDWARF says whether f has a .debug_info section with contents.
func HasDWARF(f *elf.File) bool {
	s := f.Section(".debug_info")
	return s != nil && s.Type != elf.SHT_NOBITS
}

// HasSymtab says whether f has a .symtab section with contents.
func HasSymtab(f *elf.File) bool {
	s := f.Section(".symtab")
	return s != nil && s.Type != elf.SHT_NOBITS && s.Size > 0
}
