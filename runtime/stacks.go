package runtime

import (
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strconv"
	"sync"

	"github.com/cilium/ebpf"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/runtime/debugfile"
	"github.com/gbt-dev/gbt/runtime/output"
	"github.com/gbt-dev/gbt/runtime/sym"
	"github.com/gbt-dev/gbt/runtime/unwind"
)

// stacks resolves kstack and ustack values through their stack-trace maps
// (one per kind and depth), kernel addresses through /proc/kallsyms (read
// once, the first time one is printed) and user addresses through the
// processes' memory maps and ELF symbols.
type stacks struct {
	maps map[stackKey]*ebpf.Map
	mu   sync.Mutex
	// kernel reads /proc/kallsyms once and keeps what it read.
	kernel func() (*sym.Kernel, error)
	usyms  *sym.User
	cache  map[stackValue][]output.Frame
	// dwarf holds dw_ustack's copies of stacks (nil without dw_ustack),
	// which unwinder walks.
	dwarf    *ebpf.Map
	unwinder *unwind.Unwinder
	// source, with show_debug_info, adds the file and line of each user
	// frame and the functions inlined there, from the binaries' DWARF.
	source *sourceFrames
}

type stackKey struct {
	user, buildID bool
	depth         int
}

type stackValue struct {
	stackKey
	perf, raw bool
	v         uint64
}

// newStacks returns the resolver of a session's stack maps.
func newStacks(s *Session) *stacks {
	st := &stacks{maps: map[stackKey]*ebpf.Map{}, kernel: s.kallsyms, usyms: sym.NewUser(), cache: map[stackValue][]output.Frame{}}
	debugDirs := append(slices.Clone(s.opts.DebugDirs), debugfile.DefaultDirs()...)
	st.usyms.SetDebugDirs(debugDirs)
	if s.obj.Settings().ShowDebugInfo {
		st.source = newSourceFrames(debugDirs)
	}
	kernel := usesKind(s.obj, types.Ksym)
	for _, md := range s.obj.Maps {
		if md.Role == codegen.RoleDwStack {
			st.dwarf, st.unwinder = s.maps[md.Spec.Name], unwind.New()
		}
		if md.Role == codegen.RoleStack {
			st.maps[stackKey{md.Stack.UserStack(), md.Stack.BuildIDStack(), md.Stack.Len}] = s.maps[md.Spec.Name]
			kernel = kernel || !md.Stack.UserStack()
		}
	}
	if kernel {
		go st.kernel() // what it read waits in the OnceValues for the first use
	}
	if s.opts.PID > 0 {
		// -p: its frames resolve even if it exits before the maps print.
		st.usyms.Snapshot(s.opts.PID)
	}
	if st.unwinder != nil {
		for _, pid := range append([]int{s.opts.PID}, s.opts.DwarfPIDs...) {
			if pid > 0 {
				st.unwinder.Snapshot(pid)
				st.usyms.Snapshot(pid)
			}
		}
	}
	seen := map[string]bool{}
	for _, p := range s.obj.Programs {
		for _, pt := range p.Points {
			if pt.Path != "" && !seen[pt.Path] {
				seen[pt.Path] = true
				st.usyms.AddFallback(pt.Path)
			}
		}
	}
	return st
}

// needsStacks reports whether a session prints stacks or symbols.
func needsStacks(s *Session) bool {
	return s.mapByRole(codegen.RoleStack) != nil || s.mapByRole(codegen.RoleDwStack) != nil || usesKind(s.obj, types.Ksym) || usesKind(s.obj, types.Usym)
}

// Stack implements output.StackResolver.
func (st *stacks) Stack(t types.Type, v uint64) ([]output.Frame, bool) {
	key := stackValue{stackKey{t.UserStack(), t.BuildIDStack(), t.Len}, t.PerfStack(), t.RawStack(), v}
	if t.DwarfStack() {
		return st.dwarfStack(key, v)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if frames, ok := st.cache[key]; ok {
		return frames, true
	}
	id := int32(v) // a ustack's upper half is the process id
	pid := int(v >> 32)
	m := st.maps[key.stackKey]
	if id < 0 || m == nil {
		return nil, false // the stack could not be taken
	}
	raw, err := m.LookupBytes(uint32(id))
	if err != nil || raw == nil {
		return nil, false
	}
	if key.buildID {
		frames := buildIDFrames(raw)
		st.cache[key] = frames
		return frames, true
	}
	var frames []output.Frame
	for off := 0; off+8 <= len(raw); off += 8 {
		addr := binary.LittleEndian.Uint64(raw[off:])
		if addr == 0 {
			break
		}
		frames = st.appendFrames(frames, addr, pid, key, off > 0)
	}
	st.cache[key] = frames
	return frames, true
}

// buildIDFrames reads the struct bpf_stack_build_id frames of a build_id
// stack (status, 20-byte build id, offset or ip) as bpftrace prints them:
// "BUILDID 0xOFFSET", or the address in hex when the kernel could not read
// the build id; the first empty frame ends the stack.
func buildIDFrames(raw []byte) []output.Frame {
	const (
		statusEmpty = 0
		statusValid = 1
	)
	var frames []output.Frame
	for off := 0; off+32 <= len(raw); off += 32 {
		status := binary.LittleEndian.Uint32(raw[off:])
		v := binary.LittleEndian.Uint64(raw[off+24:])
		switch status {
		case statusEmpty:
			return frames
		case statusValid:
			frames = append(frames, output.Frame{Addr: v, Sym: hex.EncodeToString(raw[off+4:off+24]) + " " + hexAddr(v)})
		default:
			frames = append(frames, output.Frame{Addr: v, Sym: strconv.FormatUint(v, 16)})
		}
	}
	return frames
}

func (st *stacks) frameSym(addr uint64, pid int, key stackValue) string {
	if key.raw {
		return "" // raw mode prints the address only
	}
	if !key.user {
		if ks, _ := st.kernel(); ks != nil {
			return ks.Format(addr)
		}
		return hexAddr(addr)
	}
	if !key.perf {
		return st.usyms.Format(addr, pid)
	}
	// perf mode names the module: "name+off (/path)", "0x... ([unknown])".
	if name, off, module, ok := st.usyms.Resolve(addr, pid); ok {
		return perfUserFrame(name, off, module)
	}
	return hexAddr(addr) + " ([unknown])"
}

// KernelSymbol implements output.StackResolver.
func (st *stacks) KernelSymbol(addr uint64) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	if ks, _ := st.kernel(); ks != nil {
		if name, _, ok := ks.Resolve(addr); ok {
			return name
		}
	}
	return sym.NoSymbol(addr)
}

// UserSymbol implements output.StackResolver.
func (st *stacks) UserSymbol(addr uint64, pid int) string { return st.usyms.Name(addr, pid) }

// perfUserFrame is a user frame in perf mode: "name+off (/path)".
func perfUserFrame(name string, off uint64, module string) string {
	return sym.WithOffset(name, off) + " (" + module + ")"
}

func hexAddr(addr uint64) string { return "0x" + strconv.FormatUint(addr, 16) }

// dwarfStack unwinds the copy of a dw_ustack: v is its sequence number
// (negative when the copy was not taken) and process id. A copy whose
// slot was taken again before it was read is lost, as a failed stack.
func (st *stacks) dwarfStack(key stackValue, v uint64) ([]output.Frame, bool) {
	seq, pid := int32(v), int(v>>32)
	if seq < 0 || st.dwarf == nil {
		return nil, false
	}
	raw, err := st.dwarf.LookupBytes(uint32(seq) % codegen.DwarfStackSlots)
	if err != nil || len(raw) < codegen.DwarfStackData || binary.LittleEndian.Uint64(raw[codegen.DwarfStackSeq:]) != uint64(seq) {
		return nil, false
	}
	regs, err := unwind.RegsFromPtRegs(raw[codegen.DwarfStackRegs:codegen.DwarfStackData])
	if err != nil {
		return nil, false
	}
	n := min(binary.LittleEndian.Uint64(raw[codegen.DwarfStackLen:]), uint64(len(raw)-codegen.DwarfStackData))
	sp, _ := regs.Get(unwind.RegSP)
	// An unwind that stops early (a frame without CFI) still gives the
	// frames up to there, as bpftrace's does.
	ips, _ := st.unwinder.Unwind(pid, regs, unwind.StackCopy{Addr: sp, Data: raw[codegen.DwarfStackData : codegen.DwarfStackData+n]}, key.depth)
	st.mu.Lock()
	defer st.mu.Unlock()
	frames := make([]output.Frame, 0, len(ips))
	for i, ip := range ips {
		frames = st.appendFrames(frames, ip, pid, key, i > 0)
	}
	return frames, true
}

// appendFrames appends the frames of addr: one, or with show_debug_info
// the functions inlined there too. A caller's frame is a return address.
func (st *stacks) appendFrames(frames []output.Frame, addr uint64, pid int, key stackValue, caller bool) []output.Frame {
	if key.user && !key.raw && st.source != nil {
		if fs := st.source.frames(st.usyms, addr, pid, key.perf, caller); fs != nil {
			return append(frames, fs...)
		}
	}
	return append(frames, output.Frame{Addr: addr, Sym: st.frameSym(addr, pid, key)})
}
