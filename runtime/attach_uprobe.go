package runtime

import (
	"strconv"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gbt-dev/gbt/lang/probe"
)

// attachUprobe attaches a uprobe or uretprobe to a symbol or address.
func attachUprobe(prog *ebpf.Program, pt probe.Point, cookie uint64, pid int) (link.Link, error) {
	ex, err := link.OpenExecutable(pt.Path)
	if err != nil {
		return nil, err
	}
	opts := &link.UprobeOptions{Cookie: cookie, PID: pid}
	if u := pt.USDT; u != nil {
		// The note gives file offsets; the kernel counts the semaphore up
		// while the probe is attached, which turns on guarded probes.
		opts.Address, opts.RefCtrOffset = u.Offset, u.Semaphore
		return ex.Uprobe(u.Provider+":"+u.Name, prog, opts)
	}
	sym := pt.Func
	if addr, err := strconv.ParseUint(sym, 0, 64); err == nil {
		opts.Address, sym = addr, ""
	}
	if pt.Kind.Name == "uretprobe" {
		return ex.Uretprobe(sym, prog, opts)
	}
	return ex.Uprobe(sym, prog, opts)
}
