package runtime

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/cilium/ebpf"

	"github.com/gbt-dev/gbt/lang/probe"
)

// attachSignal makes a self:signal probe run each time gbt receives
// pt.Signal: the event loop runs the program with BPF_PROG_TEST_RUN, as
// BEGIN is run, and what it prints comes through the ring buffer as
// usual. Signals that arrive between two turns of the loop run it once,
// as in bpftrace; several probes on one signal run in the order they were
// attached. When the links close, gbt stops listening for the signal.
func attachSignal(s *Session, prog *ebpf.Program, pt probe.Point, _ uint64) error {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.Signal(pt.Signal))
	s.stops = append(s.stops, func() { signal.Stop(ch) })
	s.polls = append(s.polls, func() error {
		select {
		case <-ch:
			if _, err := prog.Run(&ebpf.RunOptions{Context: make([]byte, 8)}); err != nil {
				return fmt.Errorf("run %s: %w", pt.Name, err)
			}
		default:
		}
		return nil
	})
	return nil
}
