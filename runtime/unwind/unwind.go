// Package unwind walks the user stack of an x86-64 process from its
// registers and a copy of its stack, with the call frame information
// (.eh_frame) of the files it has mapped: what dw_ustack prints, for
// programs built without frame pointers.
//
// A Table is the CFI of one ELF file (ReadTable); rowAt interprets its
// DW_CFA_* instructions up to an address, evalExpr its DWARF expressions;
// an Unwinder finds the file of each address through /proc/PID/maps and
// steps from frame to frame. It reads nothing of the process but its memory
// maps and files: the stack comes as a copy (Memory), taken by BPF code.
package unwind

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"sync"

	"github.com/gbt-dev/gbt/runtime/procmaps"
)

// Regs are the registers of one frame by DWARF number (RegSP, RegBP...;
// RegRA holds the frame's instruction pointer), with which of them are
// known.
type Regs struct {
	vals  [numRegs]uint64
	known uint32
}

// Set makes register reg (a DWARF number) known as v.
func (r *Regs) Set(reg uint64, v uint64) {
	if reg < numRegs {
		r.vals[reg] = v
		r.known |= 1 << reg
	}
}

// Get returns register reg, if it is known.
func (r *Regs) Get(reg uint64) (uint64, bool) {
	if reg >= numRegs || r.known&(1<<reg) == 0 {
		return 0, false
	}
	return r.vals[reg], true
}

// Memory is the user memory an unwind reads.
type Memory interface {
	// ReadU64 returns the 8 bytes at addr, if it holds them.
	ReadU64(addr uint64) (uint64, bool)
}

// StackCopy is Memory holding the bytes Data copied from address Addr.
type StackCopy struct {
	Addr uint64
	Data []byte
}

// ReadU64 implements Memory.
func (s StackCopy) ReadU64(addr uint64) (uint64, bool) {
	if addr < s.Addr || addr-s.Addr > uint64(len(s.Data)) || addr-s.Addr+8 > uint64(len(s.Data)) {
		return 0, false
	}
	return binary.LittleEndian.Uint64(s.Data[addr-s.Addr:]), true
}

// step returns the registers of the caller of the frame regs are of, by
// the rules of its address.
func step(rw *row, regs *Regs, mem Memory) (Regs, error) {
	var cfa uint64
	if rw.cfa.expr != nil {
		v, err := evalExpr(rw.cfa.expr, regs, mem, nil)
		if err != nil {
			return Regs{}, fmt.Errorf("CFA: %w", err)
		}
		cfa = v
	} else {
		v, ok := regs.Get(rw.cfa.reg)
		if !ok {
			return Regs{}, fmt.Errorf("CFA: register %d is not known", rw.cfa.reg)
		}
		cfa = v + uint64(rw.cfa.off)
	}
	var next Regs
	for reg := uint64(0); reg < numRegs; reg++ {
		rl := rw.regs[reg]
		switch rl.kind {
		case ruleSame:
			if v, ok := regs.Get(reg); ok {
				next.Set(reg, v)
			}
		case ruleUndefined:
		case ruleOffset:
			v, ok := mem.ReadU64(cfa + uint64(rl.n))
			if !ok {
				return Regs{}, fmt.Errorf("register %d: %#x is outside the stack copy", reg, cfa+uint64(rl.n))
			}
			next.Set(reg, v)
		case ruleValOffset:
			next.Set(reg, cfa+uint64(rl.n))
		case ruleRegister:
			v, ok := regs.Get(uint64(rl.n))
			if !ok {
				return Regs{}, fmt.Errorf("register %d: register %d is not known", reg, rl.n)
			}
			next.Set(reg, v)
		case ruleExpr, ruleValExpr:
			v, err := evalExpr(rl.expr, regs, mem, []uint64{cfa})
			if err != nil {
				return Regs{}, fmt.Errorf("register %d: %w", reg, err)
			}
			if rl.kind == ruleExpr {
				var ok bool
				if v, ok = mem.ReadU64(v); !ok {
					return Regs{}, fmt.Errorf("register %d: %#x is outside the stack copy", reg, v)
				}
			}
			next.Set(reg, v)
		}
	}
	if rw.regs[RegSP].kind == ruleSame {
		next.Set(RegSP, cfa) // the CFA is the caller's stack pointer
	}
	return next, nil
}

// Unwinder walks the stacks of processes. Memory maps are read once per
// process (again when an address falls outside them) and CFI once per
// file. It is safe for concurrent use.
type Unwinder struct {
	mu    sync.Mutex
	root  string // "/proc"
	procs map[int][]mapping
	files map[string]*file
}

// New returns an Unwinder over /proc.
func New() *Unwinder {
	return &Unwinder{root: "/proc", procs: map[int][]mapping{}, files: map[string]*file{}}
}

// mapping is one executable mapping of a file.
type mapping struct {
	start, end, off uint64
	path            string
}

// file is the CFI of one ELF file and where its segments load.
type file struct {
	table *Table
	loads []elf.ProgHeader
	dyn   bool
	err   error
}

// Snapshot reads pid's memory maps now, so that its stacks unwind after it
// exits.
func (u *Unwinder) Snapshot(pid int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if ms := u.readMaps(pid); ms != nil {
		u.procs[pid] = ms
	}
}

// Unwind returns the instruction pointers of the stack of process pid,
// innermost first, at most max of them: the frame's own, then each
// caller's return address minus one (an address in the call instruction,
// as bpftrace prints them). It stops where the CFI says the stack ends
// (the return address is undefined), and at the first frame it cannot
// unwind, returning the frames so far and why.
func (u *Unwinder) Unwind(pid int, regs Regs, mem Memory, max int) ([]uint64, error) {
	ip, ok := regs.Get(RegRA)
	if !ok || max <= 0 {
		return nil, errors.New("no instruction pointer")
	}
	frames := []uint64{ip}
	for len(frames) < max {
		f, vaddr, err := u.locate(pid, ip)
		if err != nil {
			return frames, err
		}
		rw, err := f.table.rowAt(vaddr)
		if err != nil {
			return frames, err
		}
		next, err := step(rw, &regs, mem)
		if err != nil {
			return frames, fmt.Errorf("unwinding %#x: %w", ip, err)
		}
		ra, ok := next.Get(RegRA)
		if !ok || ra == 0 {
			return frames, nil // the outermost frame
		}
		sp, _ := regs.Get(RegSP)
		if nsp, ok := next.Get(RegSP); !ok || nsp <= sp {
			return frames, fmt.Errorf("unwinding %#x: the stack pointer does not grow", ip)
		}
		ip = ra - 1
		next.Set(RegRA, ip)
		regs = next
		frames = append(frames, ip)
	}
	return frames, nil
}

// locate returns the CFI of the file mapped at addr in pid and addr's
// link-time address in it.
func (u *Unwinder) locate(pid int, addr uint64) (*file, uint64, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	m, ok := find(u.procs[pid], addr)
	if !ok {
		if ms := u.readMaps(pid); ms != nil {
			u.procs[pid] = ms
			m, ok = find(ms, addr)
		}
	}
	if !ok {
		return nil, 0, fmt.Errorf("%#x is in no file mapped by process %d", addr, pid)
	}
	f := u.file(pid, m.path)
	if f.err != nil {
		return nil, 0, f.err
	}
	if !f.dyn {
		return f, addr, nil
	}
	if vaddr, ok := procmaps.LinkAddr(f.loads, addr, m.start, m.off); ok {
		return f, vaddr, nil
	}
	return nil, 0, fmt.Errorf("%#x is in no segment of %s", addr, m.path)
}

func find(ms []mapping, addr uint64) (mapping, bool) {
	i := sort.Search(len(ms), func(i int) bool { return ms[i].end > addr })
	if i == len(ms) || addr < ms[i].start {
		return mapping{}, false
	}
	return ms[i], true
}

// file reads the CFI of path, opened through the process's root so that
// files in containers are found.
func (u *Unwinder) file(pid int, path string) *file {
	if f, ok := u.files[path]; ok {
		return f
	}
	f := &file{}
	u.files[path] = f
	ef, err := procmaps.OpenELF(u.root, pid, path)
	if err != nil {
		f.err = err
		return f
	}
	defer ef.Close()
	f.dyn = ef.Type == elf.ET_DYN
	f.loads = procmaps.LoadSegments(ef)
	if f.table, err = ReadTable(ef); err != nil {
		f.err = fmt.Errorf("unwind information of %s: %w", path, err)
	}
	return f
}

// readMaps reads the executable file mappings of pid, sorted by address
// (nil when the process is gone).
func (u *Unwinder) readMaps(pid int) []mapping {
	var ms []mapping
	for _, m := range procmaps.Exec(filepath.Join(u.root, strconv.Itoa(pid), "maps")) {
		ms = append(ms, mapping{start: m.Start, end: m.End, off: m.Offset, path: m.Path})
	}
	return ms
}

// ptRegsDwarf maps the DWARF register numbers of x86-64 to their offsets
// in the kernel's struct pt_regs.
var ptRegsDwarf = [numRegs]int{
	0: 80, 1: 96, 2: 88, 3: 40, 4: 104, 5: 112, 6: 32, 7: 152, // rax rdx rcx rbx rsi rdi rbp rsp
	8: 72, 9: 64, 10: 56, 11: 48, 12: 24, 13: 16, 14: 8, 15: 0, // r8-r15
	RegRA: 128, // ip
}

// PtRegsSize is the size of x86-64's struct pt_regs.
const PtRegsSize = 168

// RegsFromPtRegs reads the registers of an x86-64 struct pt_regs (as
// bpf_task_pt_regs gives the user registers of a task).
func RegsFromPtRegs(b []byte) (Regs, error) {
	var r Regs
	if len(b) < PtRegsSize {
		return r, fmt.Errorf("pt_regs of %d bytes, want %d", len(b), PtRegsSize)
	}
	for reg, off := range ptRegsDwarf {
		r.Set(uint64(reg), binary.LittleEndian.Uint64(b[off:]))
	}
	return r, nil
}
