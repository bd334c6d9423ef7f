package runtime

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/lang/probe"
)

// attach attaches every probe; on failure everything attached is detached
// by close.
func (s *Session) attach() error {
	for i, p := range s.obj.Programs {
		if p.Begin || p.End {
			continue
		}
		for j, pt := range p.Points {
			cookie := p.Cookies[j]
			var err error
			switch p.Kind {
			case probe.ProgTracepoint:
				err = s.attachTracepoint(s.progs[i], pt, cookie)
			case probe.ProgPerfEvent:
				err = s.attachPerf(s.progs[i], pt, cookie)
			case probe.ProgTracing:
				var l link.Link
				if l, err = link.AttachTracing(link.TracingOptions{Program: s.progs[i]}); err == nil {
					s.links = append(s.links, l)
				}
			case probe.ProgRawTP:
				var l link.Link
				l, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: pt.Func, Program: s.progs[i]})
				switch {
				case errors.Is(err, unix.ENOENT):
					err = fmt.Errorf("the kernel has no raw tracepoint %s (list them with gbt -l 'tracepoint:*:%s')", pt.Func, pt.Func)
				case errors.Is(err, unix.EINVAL):
					err = fmt.Errorf("%w (does the script read more args than %s has?)", err, pt.Func)
				case err == nil:
					s.links = append(s.links, l)
				}
			case probe.ProgKprobe:
				var l link.Link
				l, err = attachProbe(s.progs[i], pt, cookie, s.opts.PID)
				if err == nil {
					s.links = append(s.links, l)
				}
			default:
				err = fmt.Errorf("probe kind %s cannot be attached by gbt yet", pt.Kind.Name)
			}
			if err != nil {
				return fmt.Errorf("attach %s: %w", pt.Name, err)
			}
			if s.opts.Verbose {
				fmt.Fprintf(s.opts.Stderr, "gbt: attached %s\n", pt.Name)
			}
		}
	}
	return nil
}

// perfEventLink attaches prog to a perf event with a BPF link carrying an
// attach cookie (link.RawLinkOptions cannot pass one) and returns the
// link's fd.
func perfEventLink(prog *ebpf.Program, perfFD int, cookie uint64) (int, error) {
	attr := struct {
		progFD, targetFD, attachType, flags uint32
		cookie                              uint64
	}{uint32(prog.FD()), uint32(perfFD), uint32(ebpf.AttachPerfEvent), 0, cookie}
	fd, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_LINK_CREATE, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	if errno != 0 {
		return -1, fmt.Errorf("create perf event link: %w", errno)
	}
	return int(fd), nil
}

// attachProbe attaches a kprobe, kretprobe, uprobe or uretprobe.
func attachProbe(prog *ebpf.Program, pt probe.Point, cookie uint64, pid int) (link.Link, error) {
	var l link.Link
	var err error
	switch pt.Kind.Name {
	case "kprobe":
		l, err = link.Kprobe(pt.Func, prog, &link.KprobeOptions{Cookie: cookie, Offset: pt.Offset})
	case "kretprobe":
		l, err = link.Kretprobe(pt.Func, prog, &link.KprobeOptions{Cookie: cookie})
	default:
		return attachUprobe(prog, pt, cookie, pid)
	}
	if err != nil && (errors.Is(err, os.ErrNotExist) || errors.Is(err, link.ErrNotSupported)) {
		return nil, fmt.Errorf("this kernel cannot attach kprobes (no kprobe support or kprobe_events): %w", err)
	}
	return l, err
}
