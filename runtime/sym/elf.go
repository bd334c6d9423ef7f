package sym

import (
	"debug/elf"
	"errors"
	"fmt"
	"sort"
)

// Func is a function symbol of an ELF file.
type Func struct {
	Name       string
	Addr, Size uint64 // the symbol's value and size
}

// ELFFunctions returns the function symbols of an executable or shared
// library (from .symtab, else .dynsym), sorted by name and without
// duplicate names: the targets `uprobe:PATH:NAME` can attach to.
func ELFFunctions(path string) ([]Func, error) {
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
	var funcs []Func
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Value == 0 || s.Name == "" || seen[s.Name] {
			continue
		}
		seen[s.Name] = true
		funcs = append(funcs, Func{Name: s.Name, Addr: s.Value, Size: s.Size})
	}
	sort.Slice(funcs, func(i, j int) bool { return funcs[i].Name < funcs[j].Name })
	return funcs, nil
}
