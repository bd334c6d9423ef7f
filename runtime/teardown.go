package runtime

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime/output"
	"github.com/gbt-dev/gbt/runtime/uring"
)

// finish detaches, runs END, drains the events and prints the maps.
func (s *Session) finish() error {
	s.finishing = true
	s.closeLinks() // the programs stop here; the perf events go after printing
	defer s.detach()
	// Stopped by a signal or the end of -c/-p: what the probes sent
	// before they stopped comes first, as END's output follows it in the
	// ring, handled for a bounded time.
	if s.exitCalled {
		// What the probes sent after exit() (another tick, another CPU)
		// is ignored, as bpftrace ignores the events it reads once exit()
		// was called; END's output comes after, and is printed. Their
		// clear() and zero() are applied: the same runs' map updates
		// happened in BPF and print at exit.
		s.exited = false
		if _, err := s.readRecords(0, time.Now(), true); err != nil {
			return err
		}
	} else {
		s.exited = false
		dropped, err := s.drainBacklog(backlogBudget)
		if err != nil {
			return err
		}
		if dropped > 0 {
			fmt.Fprintf(s.opts.Stderr, "WARNING: %d events still queued at exit were dropped: handling them took over %v\n", dropped, backlogBudget)
		}
		s.dropped = uint64(dropped)
	}
	for i, p := range s.obj.Programs {
		if p.RunAt == probe.RunAtEnd {
			if err := s.runOnce(i); err != nil {
				return err
			}
		}
	}
	// The programs are detached (a tracepoint's detach waits for its
	// runs in flight, the others end within microseconds) and END ran
	// synchronously: what they sent is in the ring, read without waiting
	// for more, and all of it however long it takes: nothing reads the
	// ring after this (a 10 ms window cut END's output and clear()s).
	s.exited = false
	if err := s.drainAll(); err != nil {
		return err
	}
	if err := s.closePackets(); err != nil {
		return err
	}
	switch {
	case s.opts.Format.StacksOnly():
		// Folded stacks or a pprof profile: no blank lines in the stream.
	case s.opts.Format != output.JSON || !s.opts.Compat.Has(compat.JSONNoExitBlankLines):
		// JSON is one record per line, as the newest bpftrace prints it
		// (0.17 puts the blank lines there too).
		s.out.WriteString("\n\n")
	}
	if s.obj.Settings().PrintMapsOnExit && s.opts.Mode == probe.ModeTrace {
		// --test and --bench print their results, not the maps.
		if err := s.printMaps(); err != nil {
			return err
		}
	}
	if err := s.out.Flush(); err != nil {
		return err
	}
	if s.opts.Stacks != nil {
		st, err := s.foldedStacks()
		if err != nil {
			return err
		}
		if err := s.opts.Stacks(st); err != nil {
			return err
		}
	}
	failed := s.reportFailedUpdates()
	lost := s.reportLost()
	if s.exitCode != 0 {
		return ExitCode(s.exitCode)
	}
	if s.opts.Strict && (lost > 0 || s.dropped > 0 || failed > 0) {
		return &StrictError{Lost: lost, Dropped: s.dropped, FailedUpdates: failed}
	}
	return nil
}

// StrictError ends a --strict run in which the output missed something:
// events the full ring buffer refused or that were dropped at exit, or
// map updates that failed because the map was full.
type StrictError struct {
	Lost, Dropped, FailedUpdates uint64
}

func (e *StrictError) Error() string {
	var parts []string
	if e.Lost > 0 {
		parts = append(parts, fmt.Sprintf("%d event%s lost (the ring buffer was full)", e.Lost, plural(int(e.Lost))))
	}
	if e.Dropped > 0 {
		parts = append(parts, fmt.Sprintf("%d event%s dropped at exit", e.Dropped, plural(int(e.Dropped))))
	}
	if e.FailedUpdates > 0 {
		parts = append(parts, fmt.Sprintf("%d map update%s failed (the map was full)", e.FailedUpdates, plural(int(e.FailedUpdates))))
	}
	return "--strict: the output is incomplete: " + strings.Join(parts, ", ")
}

// detach closes every link, then every perf event: with enough of them
// and a release helper, in the helper, after gbt exits (see release.go).
func (s *Session) detach() {
	s.closeLinks()
	if n := len(s.perfFDs); n >= minBackgroundRelease && s.opts.ReleaseHelper != "" {
		err := releaseInBackground(s.opts.ReleaseHelper, s.perfFDs, !s.opts.ReleaseNow)
		if err == nil {
			s.perfFDs = nil
			return
		}
		if s.opts.Verbose {
			fmt.Fprintf(s.opts.Stderr, "gbt: %v; releasing the probes here\n", err)
		}
	}
	if n := len(s.perfFDs); n >= slowRelease && !s.opts.Quiet {
		// The output is complete; say why the exit takes seconds.
		fmt.Fprintf(s.opts.Stderr, "Detaching %d probes (the kernel releases tracepoints one at a time: about %d s)...\n",
			n, (n*35+999)/1000)
	}
	closeAll(s.perfFDs, closeFD)
	s.perfFDs = nil
}

// slowRelease is the number of perf events whose release (about 35 ms
// each, serialized by the kernel) is worth a message.
const slowRelease = 40

// closeLinks closes the links and stops what gbt runs itself: no program
// runs after it returns.
func (s *Session) closeLinks() {
	for _, stop := range s.stops {
		stop()
	}
	s.stops, s.polls = nil, nil
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { closeAll(s.links, func(l link.Link) { l.Close() }); wg.Done() }()
	go func() { closeLinkFDs(s.linkFDs); wg.Done() }()
	wg.Wait()
	s.links, s.linkFDs = nil, nil
}

// closeLinkFDs closes the links gbt made itself (tracepoints, perf
// events): all at once through io_uring, whose workers start without
// waiting for Go's scheduler (see package uring), else from goroutines.
func closeLinkFDs(fds []int) {
	if err := uring.CloseAll(fds); errors.Is(err, uring.ErrUnavailable) {
		closeAll(fds, closeFD)
	}
}

// closeFD closes fd, unless unwatch() has (-1).
func closeFD(fd int) {
	if fd >= 0 {
		unix.Close(fd)
	}
}

// closeAll closes everything at once: each close of a tracepoint or perf
// event waits for RCU grace periods (20-40 ms here), and concurrent closes
// share them where the kernel does not serialize them.
func closeAll[T any](xs []T, close func(T)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxParallelDetach)
	for _, x := range xs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			close(x)
			<-sem
		}()
	}
	wg.Wait()
}

// maxParallelDetach bounds the goroutines (and threads blocked in close)
// detach uses.
const maxParallelDetach = 64

func (s *Session) close() {
	s.detach()
	if s.reader != nil {
		s.reader.Close()
	}
	if s.control != nil {
		s.control.Close()
	}
	if s.perf != nil {
		s.perf.Close()
	}
	s.closePackets() // on an error's way out; finish closed them otherwise
	for _, p := range s.progs {
		p.Close()
	}
	for _, m := range s.maps {
		m.Close()
	}
	s.out.Flush()
}

// reportFailedUpdates says, once per map, how many updates failed because
// the map was full: the probe went on without them (as in bpftrace, which
// says it only under -k).
func (s *Session) reportFailedUpdates() (total uint64) {
	m := s.mapByRole(codegen.RoleFailed)
	if m == nil {
		return 0
	}
	failed := words(m)
	for _, md := range s.obj.Maps {
		if md.Role != codegen.RoleUser || md.FailSlot < 0 {
			continue
		}
		if md.FailSlot >= len(failed) {
			continue
		}
		n := failed[md.FailSlot]
		total += n
		if n == 0 {
			continue
		}
		try := fmt.Sprintf("Try increasing max_map_keys config (BPFTRACE_MAX_MAP_KEYS, now %d) or manually setting the max entries in a map declaration e.g. `let %s = hash(%d)`",
			md.Spec.MaxEntries, md.Name, 2*md.Spec.MaxEntries)
		if md.Info != nil && md.Info.Decl != nil {
			// The declaration sized it: max_map_keys does not.
			try = fmt.Sprintf("Try declaring it with more entries than %d, e.g. `let %s = %s(%d)`", md.Spec.MaxEntries, md.Name, md.Info.Decl.Kind, 2*md.Spec.MaxEntries)
		}
		fmt.Fprintf(s.opts.Stderr, "WARNING: Map full; can't update element: %d update%s of %s failed. %s\n", n, plural(int(n)), md.Name, try)
	}
	return total
}

// reportLost sums up, once at exit, the events the probes made that were
// not handled: those the full ring buffer refused, by CPU, and those
// dropped at exit. With the "Lost N events" lines of the run they account
// for every event: produced = handled + lost + dropped.
func (s *Session) reportLost() (lost uint64) {
	per := s.lostPerCPU()
	for _, n := range per {
		lost += n
	}
	if lost == 0 {
		return 0
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "WARNING: %d event%s lost in all (", lost, plural(int(lost)))
	sep := ""
	for cpu, n := range per {
		if n > 0 {
			fmt.Fprintf(&sb, "%sCPU %d: %d", sep, cpu, n)
			sep = ", "
		}
	}
	fmt.Fprintf(&sb, "): the ring buffer was full; %d handled, %d dropped at exit. A larger BPFTRACE_PERF_RB_PAGES (now %d MiB in all) or fewer events per second lose fewer\n",
		s.handled, s.dropped, s.ringbufBytes()>>20)
	io.WriteString(s.opts.Stderr, sb.String())
	return lost
}

// ringbufBytes is the size of the ring buffer.
func (s *Session) ringbufBytes() uint32 {
	for _, md := range s.obj.Maps {
		if md.Role == codegen.RoleRingbuf {
			return md.Spec.MaxEntries
		}
	}
	return 0
}
