package runtime

import (
	"debug/elf"
	"fmt"
	"strconv"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime/sym"
)

// attachUprobe attaches a uprobe, or a uretprobe when pt.Return, to the
// symbol or address pt.Func (plus pt.Offset bytes) of the executable
// pt.Path; with -p only in that process.
func attachUprobe(s *Session, prog *ebpf.Program, pt probe.Point, cookie uint64) error {
	ex, err := link.OpenExecutable(pt.Path)
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
	ex, err := link.OpenExecutable(pt.Path)
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
