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

// UserAddr implements probe.Env: the address of a symbol of an
// executable that is not position-independent (the address a process of
// it has the symbol at), and its size.
func (e *Env) UserAddr(path, name string) (addr, size uint64, err error) {
	f, err := elf.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC {
		return 0, 0, fmt.Errorf("%s is position-independent: its symbols move with each process (gbt resolves uaddr only in fixed-address executables)", path)
	}
	for _, load := range []func() ([]elf.Symbol, error){f.Symbols, f.DynamicSymbols} {
		syms, err := load()
		if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
			return 0, 0, err
		}
		for _, s := range syms {
			if s.Name == name && s.Value != 0 {
				return s.Value, s.Size, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("no symbol %s in %s", name, path)
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
