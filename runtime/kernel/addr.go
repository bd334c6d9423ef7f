package kernel

import (
	"bufio"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/lang/probe"
)

// KernelAddr implements probe.Env: the address of a kernel symbol of
// any kind (kaddr("avenrun") names data) from /proc/kallsyms.
func (e *Env) KernelAddr(name string) (uint64, error) {
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		return 0, fmt.Errorf("kernel symbols: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		// "address type name [module]"
		line := sc.Text()
		addr, rest, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		_, sym, ok := strings.Cut(rest, " ")
		if !ok {
			continue
		}
		sym, _, _ = strings.Cut(sym, "\t")
		if sym != name {
			continue
		}
		v, err := strconv.ParseUint(addr, 16, 64)
		if err != nil || v == 0 {
			return 0, fmt.Errorf("kernel symbol %s has no address here (kptr_restrict?)", name)
		}
		return v, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("kernel symbols: %w", err)
	}
	return 0, fmt.Errorf("no symbol %s in /proc/kallsyms (data symbols are listed only with CONFIG_KALLSYMS_ALL)", name)
}

// isPIE reports whether a shared object is a position-independent
// executable (DF_1_PIE), not a library.
func isPIE(f *elf.File) bool {
	flags, err := f.DynValue(elf.DT_FLAGS_1)
	return err == nil && len(flags) > 0 && flags[0]&uint64(elf.DF_1_PIE) != 0
}

// UserAddr implements probe.Env: the address of a symbol of an
// executable (the address a process of it has the symbol at), and its
// size; in a position-independent executable, its distance from the
// lowest executable segment, where the kernel puts the process's
// mm->start_code.
func (e *Env) UserAddr(path, name string) (probe.UserSym, error) {
	f, err := elf.Open(path)
	if err != nil {
		return probe.UserSym{}, err
	}
	defer f.Close()
	text, pie := uint64(0), f.Type == elf.ET_DYN
	if pie && !isPIE(f) {
		return probe.UserSym{}, fmt.Errorf("%s is a shared library: its symbols move with each process that loads it (gbt resolves uaddr only in executables)", path)
	}
	if pie {
		text = ^uint64(0)
		for _, p := range f.Progs {
			if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 {
				text = min(text, p.Vaddr)
			}
		}
		if text == ^uint64(0) {
			return probe.UserSym{}, fmt.Errorf("%s has no executable segment", path)
		}
	}
	for _, load := range []func() ([]elf.Symbol, error){f.Symbols, f.DynamicSymbols} {
		syms, err := load()
		if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
			return probe.UserSym{}, err
		}
		for _, s := range syms {
			if s.Name == name && s.Value != 0 {
				return probe.UserSym{Addr: s.Value - text, Size: s.Size, FromText: pie}, nil
			}
		}
	}
	return probe.UserSym{}, fmt.Errorf("no symbol %s in %s", name, path)
}

// CgroupID implements probe.Env: a cgroup v2 directory's id is its
// inode number.
func (e *Env) CgroupID(path string) (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, fmt.Errorf("cgroup %s: %w", path, err)
	}
	return st.Ino, nil
}
