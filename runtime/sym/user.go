package sym

import (
	"debug/elf"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"sync"

	"github.com/gbt-dev/gbt/runtime/debugfile"
	"github.com/gbt-dev/gbt/runtime/procmaps"
)

// User resolves addresses in processes to symbols of their executables
// and shared libraries: /proc/PID/maps gives the file and offset of an
// address, the file's PT_LOAD segments its virtual address, and .symtab
// (else .dynsym) the function containing it. Memory maps are read once per
// process and symbol tables once per file, so a process that has exited
// still resolves if it was seen before. It is safe for concurrent use.
type User struct {
	mu       sync.Mutex
	fallback []string                // fixed-address executables for processes that are gone
	procs    map[int][]mapping       // by pid; nil slice: unreadable (gone)
	early    map[int][]mapping       // by pid: read by Snapshot, for when procs cannot be
	files    map[string]*fileSymbols // by path as the process saw it
	root     string                  // "/proc": where pid directories live
	// debugDirs hold separate debug files, whose symbol tables name the
	// functions of stripped binaries.
	debugDirs []string
}

// SetDebugDirs sets the directories of separate debug files whose
// symbol tables name the functions of stripped binaries (by default
// /usr/lib/debug). Call it before resolving.
func (u *User) SetDebugDirs(dirs []string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.debugDirs = dirs
}

// NewUser returns an empty resolver over /proc.
func NewUser() *User {
	return &User{procs: map[int][]mapping{}, files: map[string]*fileSymbols{}, root: "/proc", debugDirs: debugfile.DefaultDirs()}
}

// mapping is one executable mapping of a file.
type mapping struct {
	start, end, off uint64
	path            string
}

// fileSymbols are the function symbols of one ELF file, sorted by address.
type fileSymbols struct {
	dyn   bool // ET_DYN: addresses are relative to where it is mapped
	loads []elf.ProgHeader
	addrs []uint64
	sizes []uint64
	names []string
	err   error
}

// Resolve returns the function containing addr in process pid, the offset
// into it, and the file it is in.
func (u *User) Resolve(addr uint64, pid int) (name string, off uint64, module string, ok bool) {
	name, off, _, module, ok = u.Locate(addr, pid)
	return name, off, module, ok
}

// Locate is Resolve that also gives addr's address in the file's own
// address space (as its symbols and debug info have it).
func (u *User) Locate(addr uint64, pid int) (name string, off, vaddr uint64, module string, ok bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	maps, seen := u.procs[pid]
	if !seen {
		maps = u.readMaps(pid)
		if maps == nil {
			maps = u.early[pid]
		}
		u.procs[pid] = maps
	}
	i := sort.Search(len(maps), func(i int) bool { return maps[i].end > addr })
	if i == len(maps) || addr < maps[i].start {
		name, off, module, ok = u.resolveFallback(addr)
		return name, off, addr, module, ok
	}
	m := maps[i]
	fs := u.symbols(pid, m.path)
	if fs.err != nil {
		return "", 0, 0, m.path, false
	}
	vaddr = addr
	if fs.dyn {
		var ok bool
		if vaddr, ok = procmaps.LinkAddr(fs.loads, addr, m.start, m.off); !ok {
			return "", 0, 0, m.path, false
		}
	}
	j := sort.Search(len(fs.addrs), func(j int) bool { return fs.addrs[j] > vaddr }) - 1
	if j < 0 || (fs.sizes[j] > 0 && vaddr >= fs.addrs[j]+fs.sizes[j]) {
		return "", 0, vaddr, m.path, false
	}
	return fs.names[j], vaddr - fs.addrs[j], vaddr, m.path, true
}

// Snapshot reads pid's memory maps now, to resolve its addresses with if
// the process has exited by the time they are resolved (a profile of a
// process that ends before the trace does). While the process lives its
// maps are read afresh when first needed, which sees what it mapped since.
func (u *User) Snapshot(pid int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if ms := u.readMaps(pid); ms != nil {
		if u.early == nil {
			u.early = map[int][]mapping{}
		}
		u.early[pid] = ms
	}
}

// AddFallback names an executable whose symbols resolve addresses of
// processes whose memory maps cannot be read (they have exited): a
// fixed-address (ET_EXEC) executable maps at its link-time addresses, so
// the uprobe targets of a script symbolize even after their processes end.
func (u *User) AddFallback(path string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.fallback = append(u.fallback, path)
}

// resolveFallback looks addr up in the fallback executables.
func (u *User) resolveFallback(addr uint64) (string, uint64, string, bool) {
	for _, path := range u.fallback {
		fs := u.symbols(0, path)
		if fs.err != nil || fs.dyn {
			continue
		}
		inFile := false
		for _, p := range fs.loads {
			if addr >= p.Vaddr && addr < p.Vaddr+p.Memsz {
				inFile = true
			}
		}
		if !inFile {
			continue
		}
		j := sort.Search(len(fs.addrs), func(j int) bool { return fs.addrs[j] > addr }) - 1
		if j >= 0 && (fs.sizes[j] == 0 || addr < fs.addrs[j]+fs.sizes[j]) {
			return fs.names[j], addr - fs.addrs[j], path, true
		}
	}
	return "", 0, "", false
}

// Format renders addr as bpftrace does in user stacks: "name+off", or the
// hex address when no symbol covers it.
func (u *User) Format(addr uint64, pid int) string {
	if name, off, _, ok := u.Resolve(addr, pid); ok {
		return WithOffset(name, off)
	}
	return "0x" + strconv.FormatUint(addr, 16)
}

// Name renders addr as usym() does: the function name, or NoSymbol's.
func (u *User) Name(addr uint64, pid int) string {
	if name, _, _, ok := u.Resolve(addr, pid); ok {
		return name
	}
	return NoSymbol(addr)
}

// WithOffset renders an address as a symbol and the offset into it, as
// bpftrace prints stack frames: "vfs_read+12".
func WithOffset(name string, off uint64) string {
	return name + "+" + strconv.FormatUint(off, 10)
}

// NoSymbol renders an address ksym() or usym() found no symbol for as
// bpftrace does: in hex with 0x, and 0 as "0" (C++'s showbase).
func NoSymbol(addr uint64) string {
	if addr == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(addr, 16)
}

// readMaps reads the executable file mappings of pid, sorted by address
// (nil when the process is gone).
func (u *User) readMaps(pid int) []mapping {
	var ms []mapping
	for _, m := range procmaps.Exec(filepath.Join(u.root, strconv.Itoa(pid), "maps")) {
		ms = append(ms, mapping{start: m.Start, end: m.End, off: m.Offset, path: m.Path})
	}
	return ms
}

// symbols loads the symbol table of path, opened through the process's
// root so that files in containers resolve.
func (u *User) symbols(pid int, path string) *fileSymbols {
	if fs, ok := u.files[path]; ok {
		return fs
	}
	fs := &fileSymbols{}
	u.files[path] = fs
	f, err := procmaps.OpenELF(u.root, pid, path)
	if err != nil {
		fs.err = err
		return fs
	}
	defer f.Close()
	fs.dyn = f.Type == elf.ET_DYN
	fs.loads = procmaps.LoadSegments(f)
	syms, err := f.Symbols()
	if errors.Is(err, elf.ErrNoSymbols) || (err == nil && !hasFuncs(syms)) {
		// Stripped: the separate debug file's .symtab has the local
		// functions too (libc's __libc_start_call_main with libc6-dbg),
		// else .dynsym has the exported ones.
		syms, err = separateSymbols(f, path, u.debugDirs)
		if err != nil || !hasFuncs(syms) {
			syms, err = f.DynamicSymbols()
		}
	}
	if err != nil {
		fs.err = fmt.Errorf("symbols of %s: %w", path, err)
		return fs
	}
	type entry struct {
		addr, size uint64
		name       string
	}
	var es []entry
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Value != 0 && s.Name != "" {
			es = append(es, entry{s.Value, s.Size, s.Name})
		}
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].addr < es[j].addr })
	for _, e := range es {
		fs.addrs = append(fs.addrs, e.addr)
		fs.sizes = append(fs.sizes, e.size)
		fs.names = append(fs.names, e.name)
	}
	return fs
}

// separateSymbols reads the symbol table of f's separate debug file.
func separateSymbols(f *elf.File, path string, dirs []string) ([]elf.Symbol, error) {
	sep := debugfile.Find(f, path, dirs, debugfile.HasSymtab)
	if sep == "" {
		return nil, elf.ErrNoSymbols
	}
	df, err := elf.Open(sep)
	if err != nil {
		return nil, err
	}
	defer df.Close()
	return df.Symbols()
}

func hasFuncs(syms []elf.Symbol) bool {
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC {
			return true
		}
	}
	return false
}
