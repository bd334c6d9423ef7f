package dwarfinfo

import (
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"debug/dwarf"

	"github.com/gbt-dev/gbt/lang/probe"
)

// LineAddrs returns the address where the code of a source line starts:
// the lowest address of a statement the line tables give that line of a
// file named file (a file name, or the end of its path). A line without
// code is an error wrapping probe.ErrNotInDebugInfo.
func (f *File) LineAddrs(file string, line int) ([]uint64, error) {
	if err := f.index(); err != nil {
		return nil, err
	}
	var best uint64
	found := false
	for _, cu := range f.units {
		lr, err := f.d.LineReader(cu)
		if err != nil {
			return nil, fmt.Errorf("%s: line table: %w", f.path, err)
		}
		if lr == nil {
			continue
		}
		var le dwarf.LineEntry
		for {
			if err := lr.Next(&le); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return nil, fmt.Errorf("%s: line table: %w", f.path, err)
			}
			if le.EndSequence || !le.IsStmt || le.Line != line || le.File == nil || !sameFile(le.File.Name, file) {
				continue
			}
			if !found || le.Address < best {
				best, found = le.Address, true
			}
		}
	}
	if !found {
		return nil, fmt.Errorf("no code at %s:%d: %w", file, line, probe.ErrNotInDebugInfo)
	}
	return []uint64{best}, nil
}

// sameFile reports whether the path a line table names is file: the same
// path, or one that ends in file after a slash.
func sameFile(name, file string) bool {
	name, file = path.Clean(name), path.Clean(file)
	return name == file || strings.HasSuffix(name, "/"+strings.TrimPrefix(file, "./"))
}
