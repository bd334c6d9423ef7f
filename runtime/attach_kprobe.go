package runtime

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/probe"
)

// attachKprobe attaches a kprobe at pt.Func (plus pt.Offset), or a
// kretprobe when pt.Return.
func attachKprobe(s *Session, prog *ebpf.Program, pt probe.Point, cookie uint64) error {
	if pt.Offset != 0 && !pt.Return {
		if err := checkKprobeOffset(s, pt); err != nil {
			return &AttachError{Probe: kprobeName(pt), Err: err}
		}
	}
	var l link.Link
	var err error
	if pt.Return {
		l, err = link.Kretprobe(pt.Func, prog, &link.KprobeOptions{Cookie: cookie})
	} else {
		l, err = link.Kprobe(pt.Func, prog, &link.KprobeOptions{Cookie: cookie, Offset: pt.Offset})
	}
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, link.ErrNotSupported) {
			err = fmt.Errorf("this kernel cannot attach kprobes (no kprobe support or kprobe_events): %w", err)
		}
		return &AttachError{Probe: kprobeName(pt), Err: err}
	}
	s.links = append(s.links, l)
	return nil
}

// checkKprobeOffset refuses an offset past the end of the function, in
// bpftrace's words, with the function's size from /proc/kallsyms; the
// kernel's own refusal names neither. (bpftrace reads the size from a
// vmlinux ELF file, which distributions do not install, and skips the
// check without one.) It does not tell whether the offset is at an
// instruction's start: the kernel checks that.
func checkKprobeOffset(s *Session, pt probe.Point) error {
	if _, err := strconv.ParseUint(pt.Func, 0, 64); err == nil {
		return nil // kprobe:0xADDR+off: no function to measure
	}
	k, err := s.kallsyms()
	if err != nil {
		return nil // the kernel checks the offset itself
	}
	if size, ok := k.Size(pt.Func); ok && pt.Offset >= size {
		//lint:ignore ST1005 bpftrace's words, which scripts and suites match
		return fmt.Errorf("Offset outside the function bounds ('%s' size is %d)", pt.Func, size)
	}
	return nil
}

// kprobeName names a kprobe point as bpftrace's attach errors do: an
// address (kprobe:0x12345678) and an offset (kprobe:f+0x10) in decimal,
// kprobe:305419896 and kprobe:f+16.
func kprobeName(pt probe.Point) string {
	kind, _, _ := strings.Cut(pt.Name, ":")
	fn := pt.Func
	if v, err := strconv.ParseUint(fn, 0, 64); err == nil {
		fn = strconv.FormatUint(v, 10)
	}
	if pt.Offset != 0 {
		fn += "+" + strconv.FormatUint(pt.Offset, 10)
	}
	if i := strings.LastIndexByte(pt.Name, ':'); i > len(kind) {
		kind = pt.Name[:i] // kprobe:module:
	}
	return kind + ":" + fn
}

// kprobeMultiLinker attaches a kprobe or kretprobe block of several
// functions with one kprobe_multi link (fprobe) where the kernel has them.
var kprobeMultiLinker = &multiLinker{
	feature:    "kprobe_multi",
	attachType: ebpf.AttachTraceKprobeMulti,
	have:       features.HaveBPFLinkKprobeMulti,
	fits:       kprobeMultiFits,
	attach:     attachKprobeMulti,
}

// kprobeMultiFits reports whether one kprobe_multi link can take the
// points pts: all kprobes or all kretprobes, none at an offset (fprobe
// attaches at a function's entry or return only).
func kprobeMultiFits(pts []probe.Point) bool {
	for _, pt := range pts {
		if pt.Offset != 0 || pt.Return != pts[0].Return {
			return false
		}
	}
	return true
}

// attachKprobeMulti attaches prog, loaded for a kprobe_multi link, at
// every point of p with one link, each function with its cookie.
func attachKprobeMulti(s *Session, prog *ebpf.Program, p *codegen.Program) error {
	opts := link.KprobeMultiOptions{Cookies: p.Cookies}
	for _, pt := range p.Points {
		opts.Symbols = append(opts.Symbols, pt.Func)
	}
	attach := link.KprobeMulti
	if p.Points[0].Return {
		attach = link.KretprobeMulti
	}
	l, err := attach(prog, opts)
	if err != nil {
		return fmt.Errorf("kprobe_multi link of %d functions: %w", len(opts.Symbols), err)
	}
	s.links = append(s.links, l)
	return nil
}
