package sym

import (
	"debug/elf"
	"errors"
	"fmt"
	"sort"
)

// ELFFunctions returns the names of the function symbols of an executable
// or shared library (from .symtab, else .dynsym), sorted and without
// duplicates: the targets `uprobe:PATH:NAME` can attach to.
func ELFFunctions(path string) ([]string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read symbols of %s: %w", path, err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if errors.Is(err, elf.ErrNoSymbols) {
		syms, err = f.DynamicSymbols()
	}
	if err != nil {
		return nil, fmt.Errorf("read symbols of %s: %w", path, err)
	}
	seen := map[string]bool{}
	var names []string
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Value == 0 || s.Name == "" || seen[s.Name] {
			continue
		}
		seen[s.Name] = true
		names = append(names, s.Name)
	}
	sort.Strings(names)
	return names, nil
}
