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

// FileOffset turns a link-time address of an ELF file (as nm and objdump
// show it, as USDT notes give it) into its offset in the file, which
// uprobes want, through the PT_LOAD segment that maps it; with exec, only
// an executable segment will do.
func FileOffset(f *elf.File, vaddr uint64, exec bool) (uint64, error) {
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && (!exec || p.Flags&elf.PF_X != 0) && vaddr >= p.Vaddr && vaddr < p.Vaddr+p.Memsz {
			return vaddr - p.Vaddr + p.Off, nil
		}
	}
	if exec {
		return 0, fmt.Errorf("address %#x is in no executable segment", vaddr)
	}
	return 0, fmt.Errorf("address %#x is in no loaded segment", vaddr)
}
