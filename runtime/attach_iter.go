package runtime

import (
	"errors"
	"fmt"
	"io"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gbt-dev/gbt/lang/probe"
)

// attachIter attaches an iter probe's program to its BPF iterator (the
// target was fixed when it was loaded: AttachTraceIter, AttachTo the
// iterator's name), and reads it once on the event loop's first turn:
// each read runs the program on the iterator's next objects (tasks,
// their files, ...), whose output goes through the ring buffer as other
// probes' does. When the iterator is read to its end, what its program
// sent is handled and the run ends, END running as after exit(): as
// bpftrace ends it. exit() in the program then stops nothing the read
// has not stopped: every object's output is printed, as in bpftrace,
// whose program prints into the iterator's own output.
func attachIter(s *Session, prog *ebpf.Program, pt probe.Point, _ uint64) error {
	l, err := link.AttachIter(link.IterOptions{Program: prog})
	if err != nil {
		return err
	}
	s.links = append(s.links, l)
	var (
		done    chan error
		started bool
	)
	s.polls = append(s.polls, func() error {
		if !started {
			started = true
			it, err := l.Open()
			if err != nil {
				return fmt.Errorf("open %s: %w", pt.Name, err)
			}
			s.finishing = true // the read ends the run: exit() has nothing to stop
			done = make(chan error, 1)
			go func() {
				_, err := io.Copy(io.Discard, it)
				done <- errors.Join(err, it.Close())
			}()
			return nil
		}
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("read %s: %w", pt.Name, err)
			}
			if err := s.drainFor(0); err != nil {
				return err
			}
			s.finishing, s.exited = false, true
		default:
		}
		return nil
	})
	return nil
}
