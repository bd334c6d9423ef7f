package runtime

import (
	"fmt"
	"maps"
	"slices"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/stdlib"
)

// An attacher attaches a loaded program at one point of its kind, whose
// Point says all the attacher needs. What it opens goes into the session's
// shared bookkeeping (links, linkFDs, perfFDs, stops, polls), which
// teardown closes on every exit path.
type attacher func(s *Session, prog *ebpf.Program, pt probe.Point, cookie uint64) error

// attachers has the attacher of each attach mechanism, each in its own
// file (attach_<mechanism>.go). AttachRunOnce kinds (BEGIN, END) are not
// attached: Run runs them when their Kind.RunAt says.
var attachers = map[probe.Attach]attacher{
	probe.AttachTracepoint:    attachTracepoint,
	probe.AttachRawTracepoint: attachRawTracepoint,
	probe.AttachTracing:       attachTracing,
	probe.AttachKprobe:        attachKprobe,
	probe.AttachUprobe:        attachUprobe,
	probe.AttachUSDT:          attachUSDT,
	probe.AttachPerfEvent:     attachPerf,
	probe.AttachWatchpoint:    attachWatchpoint,
	probe.AttachSignal:        attachSignal,
	probe.AttachBench:         attachBench,
	probe.AttachTest:          attachTest,
	probe.AttachIter:          attachIter,
}

// A multiLinker attaches every point of one program with links that each
// take many functions (kprobe_multi, uprobe_multi) where the kernel has
// them: a program is loaded for such links (its expected attach type) or
// for one link per point, never both. Its attach file has the rest.
type multiLinker struct {
	// feature is the kernel feature's name, as bpftrace's --info and
	// --no-feature spell it: "kprobe_multi".
	feature string
	// attachType is the expected attach type the program is loaded with.
	attachType ebpf.AttachType
	// have probes whether the kernel has such links (features.HaveBPFLink…).
	have func() error
	// fits reports whether the links can take the points of a block.
	fits func(pts []probe.Point) bool
	// attach attaches the program, loaded with attachType, at every
	// point of p.
	attach func(s *Session, prog *ebpf.Program, p *codegen.Program) error
}

// multiLinkers has the multi linker of the mechanisms that have one.
var multiLinkers = map[probe.Attach]*multiLinker{
	probe.AttachKprobe: kprobeMultiLinker,
	probe.AttachUprobe: uprobeMultiLinker,
}

// NoFeatureNames are the names --no-feature takes: the kernel features
// gbt uses where it finds them, which a run may be told not to
// (syscall_tp_btf is gbt's own: attach_syscalls.go).
// kprobe_session is bpftrace's collapse of a kprobe and a kretprobe of the
// same functions into one link; gbt never makes one, so there is nothing
// to turn off, but the name is accepted as bpftrace accepts it. The kernel
// functions builtins call (strnstr: bpf_strnstr) are gbt's too
// (stdlib.KfuncFeatures).
var NoFeatureNames = append([]string{"kprobe_multi", "kprobe_session", "uprobe_multi", syscallFeature}, slices.Sorted(maps.Keys(stdlib.KfuncFeatures))...)

// multiLinkerFor returns the multi linker that attaches program p where
// this kernel has its links (probed), else nil: one link per point.
func (s *Session) multiLinkerFor(p *codegen.Program) *multiLinker {
	return multiLinkerOn(p.Points, s.opts.NoFeatures)
}

// multiLinkerOn returns the multi linker that attaches a block of points
// pts where this kernel has its links (probed), else nil.
func multiLinkerOn(pts []probe.Point, noFeatures []string) *multiLinker {
	if ml := multiLinkShape(pts, noFeatures); ml != nil && ml.have() == nil {
		return ml
	}
	return nil
}

// multiLinkShape returns the multi linker whose links can take pts, the
// points of a block of several functions of one mechanism, unless
// noFeatures (--no-feature) turns it off; else nil.
func multiLinkShape(pts []probe.Point, noFeatures []string) *multiLinker {
	if len(pts) < 2 {
		return nil
	}
	a := pts[0].Kind.Attach
	for _, pt := range pts {
		if pt.Kind.Attach != a {
			return nil
		}
	}
	ml := multiLinkers[a]
	if ml == nil || slices.Contains(noFeatures, ml.feature) || !ml.fits(pts) {
		return nil
	}
	return ml
}

// multiLinkerOf is the multi linker program i was loaded for, or nil.
func (s *Session) multiLinkerOf(i int) *multiLinker {
	if i < len(s.multi) {
		return s.multi[i]
	}
	return nil
}

// attach attaches every probe; on failure everything attached is detached
// by close.
func (s *Session) attach() error {
	for i := range s.obj.Programs {
		if err := s.attachProgram(i, false); err != nil {
			return err
		}
	}
	for _, i := range reverseBlocks(s.obj.Programs) {
		if err := s.attachProgram(i, true); err != nil {
			return err
		}
	}
	return nil
}

// reverseBlocks returns the indexes of programs with the blocks in reverse
// order, the programs of one attach point (a wildcard usdt's, one per
// location) in their own order: the newest-first mechanisms then run the
// blocks in declaration order, and the locations of one attach point are
// attached, and fire, in file order.
func reverseBlocks(progs []*codegen.Program) []int {
	order := make([]int, 0, len(progs))
	for end := len(progs); end > 0; {
		start := end - 1
		for start > 0 && sameAttachPoint(progs[start-1], progs[end-1]) {
			start--
		}
		for i := start; i < end; i++ {
			order = append(order, i)
		}
		end = start
	}
	return order
}

func sameAttachPoint(a, b *codegen.Program) bool {
	return len(a.Points) > 0 && len(b.Points) > 0 && a.Points[0].Span == b.Points[0].Span
}

// attachProgram attaches the points of program i whose mechanism runs
// newest first (reverse) or not.
func (s *Session) attachProgram(i int, reverse bool) error {
	p := s.obj.Programs[i]
	if p.RunAt != probe.RunOnEvent || p.Points[0].Kind.Mode != s.opts.Mode {
		// begin and end run, not attached; the probes of another
		// mode than the run's (test, bench) do not run.
		return nil
	}
	if p.Syscalls != nil {
		calls := fmt.Sprintf("%d system call%s", len(p.Points), plural(len(p.Points)))
		if p.Syscalls.All {
			calls = "every system call"
		}
		return s.attachAll(p, reverse, func() error { return attachSyscalls(s, s.progs[i]) },
			calls+", raw tracepoint "+p.AttachTo)
	}
	if ml := s.multiLinkerOf(i); ml != nil {
		return s.attachAll(p, reverse, func() error { return ml.attach(s, s.progs[i], p) },
			fmt.Sprintf("%d functions, %s links", len(p.Points), ml.feature))
	}
	for j, pt := range p.Points {
		if pt.Kind.NewestFirst != reverse { // see probe.Kind.NewestFirst
			continue
		}
		var err error
		if a := attachers[pt.Kind.Attach]; a != nil {
			err = a(s, s.progs[i], pt, p.Cookies[j])
		} else {
			err = fmt.Errorf("probe kind %s cannot be attached by gbt yet", pt.Kind)
		}
		if err != nil {
			if err = attachFailed(pt.Name, err); s.leaveOut(err, 1) {
				continue
			}
			return err
		}
		if s.opts.Verbose {
			fmt.Fprintf(s.opts.Stderr, "gbt: attached %s\n", pt.Name)
		}
	}
	return nil
}

// attachAll attaches every point of p at once with attach (said as how
// under -v), if its mechanism runs newest first (reverse) or not.
func (s *Session) attachAll(p *codegen.Program, reverse bool, attach func() error, how string) error {
	if p.Points[0].Kind.NewestFirst != reverse {
		return nil
	}
	if err := attach(); err != nil {
		if err = attachFailed(p.Name, err); s.leaveOut(err, probeCount(p.Points)) {
			return nil
		}
		return err
	}
	if s.opts.Verbose {
		fmt.Fprintf(s.opts.Stderr, "gbt: attached %s (%s)\n", p.Name, how)
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

// linkPerfEvent keeps the perf event fd and links prog to it: teardown
// closes the link first, which stops the program, and the perf event
// after printing.
func (s *Session) linkPerfEvent(prog *ebpf.Program, fd int, cookie uint64) error {
	s.perfFDs = append(s.perfFDs, fd)
	lfd, err := perfEventLink(prog, fd, cookie)
	if err != nil {
		return err
	}
	s.linkFDs = append(s.linkFDs, lfd)
	return nil
}
