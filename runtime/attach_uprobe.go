package runtime

import (
	"strconv"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gbt-dev/gbt/lang/probe"
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
	if addr, err := strconv.ParseUint(sym, 0, 64); err == nil {
		opts.Address, sym = addr, ""
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
