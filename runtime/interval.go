package runtime

import (
	"time"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/types"
)

// watchInterval prints every aggregation (count(), hist()...) that holds
// something and clears it each
// period (--interval), between two drains of the event loop: what the
// probes printed before the tick comes first, as with an interval probe
// that calls print() and clear() on each map.
func (s *Session) watchInterval(period time.Duration) {
	tick := time.NewTicker(period)
	s.stops = append(s.stops, tick.Stop)
	s.polls = append(s.polls, func() error {
		select {
		case <-tick.C:
		default:
			return nil
		}
		if err := s.drainFor(0); err != nil {
			return err
		}
		for _, md := range s.obj.Maps {
			if md.Role != codegen.RoleUser || md.Info.Value.Kind != types.Agg {
				continue // plain maps hold the script's state: timestamps by tid
			}
			l, es, err := s.readMap(md, s.maps[md.Spec.Name])
			if err != nil {
				return err
			}
			if len(es) == 0 {
				continue // an empty map prints nothing, not an empty line
			}
			if err := s.pr.PrintMap(l, es, s.opts.Top, 0); err != nil {
				return err
			}
			if err := s.clearMap(md.Name, false); err != nil {
				return err
			}
		}
		return s.out.Flush()
	})
}
