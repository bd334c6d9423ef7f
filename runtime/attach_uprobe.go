package runtime

import (
	"debug/elf"
	"fmt"
	"slices"
	"strconv"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime/sym"
)

// attachUprobe attaches a uprobe, or a uretprobe when pt.Return, to the
// symbol or address pt.Func (plus pt.Offset bytes) of the executable
// pt.Path; with -p only in that process.
func attachUprobe(s *Session, prog *ebpf.Program, pt probe.Point, cookie uint64) error {
	ex, err := s.executable(pt.Path)
	if err != nil {
		return err
	}
	opts := &link.UprobeOptions{Cookie: cookie, PID: s.opts.PID, Offset: pt.Offset}
	sym := pt.Func
	addr, err := strconv.ParseUint(sym, 0, 64)
	if err != nil && pt.NoBoundary {
		// A symbol of size 0, which link refuses: --unsafe attaches at
		// its address.
		addr, err = symbolValue(pt.Path, sym)
		if err != nil {
			return err
		}
	}
	if err == nil {
		off, err := fileOffset(pt.Path, addr)
		if err != nil {
			return err
		}
		opts.Address, sym = off, "" // link adds opts.Offset
	}
	var l link.Link
	if pt.Return {
		l, err = ex.Uretprobe(sym, prog, opts)
	} else {
		l, err = ex.Uprobe(sym, prog, opts)
	}
	if err != nil {
		return err
	}
	s.links = append(s.links, l)
	return nil
}

// executable opens the user binary path once per session: a wildcard's
// points share its symbol table, read at the first attach.
func (s *Session) executable(path string) (*link.Executable, error) {
	if ex := s.executables[path]; ex != nil {
		return ex, nil
	}
	ex, err := link.OpenExecutable(path)
	if err != nil {
		return nil, err
	}
	if s.executables == nil {
		s.executables = map[string]*link.Executable{}
	}
	s.executables[path] = ex
	return ex, nil
}

// uprobeMultiLinker attaches a uprobe or uretprobe block of several
// functions with one uprobe_multi link per file and direction where the
// kernel has them (6.6 and later), as the newest bpftrace does.
var uprobeMultiLinker = &multiLinker{
	feature:    "uprobe_multi",
	attachType: ebpf.AttachTraceUprobeMulti,
	have:       features.HaveBPFLinkUprobeMulti,
	fits:       uprobeMultiFits,
	attach:     attachUprobeMulti,
}

// uprobeMultiFits reports whether uprobe_multi links can take the points
// pts: functions named by their symbols (an address, or a symbol of size
// 0 that --unsafe allows, goes through a uprobe of its own).
func uprobeMultiFits(pts []probe.Point) bool {
	for _, pt := range pts {
		if _, err := strconv.ParseUint(pt.Func, 0, 64); err == nil || pt.NoBoundary || pt.Func == "" {
			return false
		}
	}
	return true
}

// attachUprobeMulti attaches prog, loaded for uprobe_multi links, at
// every point of p: one link for the entries and one for the returns of
// each file, each function with its offset and cookie; with -p only in
// that process (the link takes the pid).
func attachUprobeMulti(s *Session, prog *ebpf.Program, p *codegen.Program) error {
	type group struct {
		path   string
		ret    bool
		syms   []string
		opts   link.UprobeMultiOptions
		offset bool
	}
	var groups []*group
	for j, pt := range p.Points {
		i := slices.IndexFunc(groups, func(g *group) bool { return g.path == pt.Path && g.ret == pt.Return })
		if i < 0 {
			i = len(groups)
			groups = append(groups, &group{path: pt.Path, ret: pt.Return, opts: link.UprobeMultiOptions{PID: uint32(s.opts.PID)}})
		}
		g := groups[i]
		g.syms = append(g.syms, pt.Func)
		g.opts.Offsets = append(g.opts.Offsets, pt.Offset)
		g.opts.Cookies = append(g.opts.Cookies, p.Cookies[j])
		g.offset = g.offset || pt.Offset != 0
	}
	for _, g := range groups {
		ex, err := s.executable(g.path)
		if err != nil {
			return err
		}
		if !g.offset {
			g.opts.Offsets = nil
		}
		attach := ex.UprobeMulti
		if g.ret {
			attach = ex.UretprobeMulti
		}
		l, err := attach(g.syms, prog, &g.opts)
		if err != nil {
			return fmt.Errorf("uprobe_multi link of %d functions of %s: %w", len(g.syms), g.path, err)
		}
		s.links = append(s.links, l)
	}
	return nil
}

// symbolValue returns the value (link-time address) of the function
// symbol name of an executable.
func symbolValue(path, name string) (uint64, error) {
	f, err := elf.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	for _, read := range []func() ([]elf.Symbol, error){f.Symbols, f.DynamicSymbols} {
		syms, _ := read()
		for _, s := range syms {
			if s.Name == name && elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Value != 0 {
				return s.Value, nil
			}
		}
	}
	return 0, fmt.Errorf("no function symbol %s in %s", name, path)
}

// fileOffset turns an address of an executable, as nm and objdump show
// it (and bpftrace's uprobe:FILE:0xADDR takes it), into the file offset
// the kernel's uprobes want, through the loadable segment holding it.
func fileOffset(path string, addr uint64) (uint64, error) {
	f, err := elf.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	off, err := sym.FileOffset(f, addr, true)
	if err != nil {
		return 0, fmt.Errorf("%w of %s", err, path)
	}
	return off, nil
}

// attachUSDT attaches a uprobe at the location of a USDT probe, pt.USDT.
// The note gives file offsets; the kernel counts the probe's semaphore up
// while the probe is attached, which turns on guarded probes.
func attachUSDT(s *Session, prog *ebpf.Program, pt probe.Point, cookie uint64) error {
	ex, err := s.executable(pt.Path)
	if err != nil {
		return err
	}
	u := pt.USDT
	opts := &link.UprobeOptions{Cookie: cookie, PID: s.opts.PID, Address: u.Offset, RefCtrOffset: u.Semaphore}
	l, err := ex.Uprobe(u.Provider+":"+u.Name, prog, opts)
	if err != nil {
		return err
	}
	s.links = append(s.links, l)
	return nil
}
