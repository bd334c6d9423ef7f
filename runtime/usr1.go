package runtime

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/gbt-dev/gbt/codegen"
)

// printMaps prints every map of the script, as at exit.
func (s *Session) printMaps() error {
	for _, md := range s.obj.Maps {
		if md.Role != codegen.RoleUser {
			continue
		}
		if err := s.printMapAs(md.Name, 0, 0, false); err != nil {
			return err
		}
	}
	return nil
}

// watchUsr1 makes SIGUSR1 print every map while the script runs, as
// bpftrace 0.17 does (the newest bpftrace leaves SIGUSR1 to
// self:signal:SIGUSR1 probes). The event loop prints them between two
// drains; gbt stops listening when the links close.
func (s *Session) watchUsr1() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	s.stops = append(s.stops, func() { signal.Stop(ch) })
	s.polls = append(s.polls, func() error {
		select {
		case <-ch:
			if err := s.printMaps(); err != nil {
				return err
			}
			return s.out.Flush()
		default:
		}
		return nil
	})
}
