package runtime

import (
	"errors"
	"io"
	"sync"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/runtime/output"
)

// ErrNotRunning is returned by a Live whose run has ended.
var ErrNotRunning = errors.New("the trace is not running")

// Live reads a running session's maps while it traces, for exporters such
// as the Prometheus endpoint. Options.Live receives it once every probe is
// attached; it is safe for concurrent use, and returns ErrNotRunning once
// the run is over (its maps are gone then).
type Live struct {
	mu sync.Mutex
	s  *Session
	pr *output.Printer // its own: a Printer is not safe for concurrent use
}

// MapSamples are the elements of one map, reduced over CPUs.
type MapSamples struct {
	Name    string     // "@name", or "@" for the anonymous map
	Key     types.Type // Kind Void for a map without keys; a Tuple for several keys
	Value   types.Type // the value type; types.Agg with its AggKind for aggregations
	Samples []output.Sample
}

func newLive(s *Session) *Live {
	pr := output.NewPrinter(io.Discard, output.Text)
	pr.SetCompat(s.opts.Compat)
	pr.SetProbeNames(s.obj.ProbeNames)
	pr.SetStrTrailer(s.obj.Settings().StrTruncTrailer)
	if needsStacks(s) {
		pr.SetStacks(newStacks(s))
	}
	return &Live{s: s, pr: pr}
}

// Maps returns the numeric maps (aggregations, integers) by name, each in
// print order; maps of strings, tuples and the like are left out.
func (l *Live) Maps() ([]MapSamples, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.s == nil {
		return nil, ErrNotRunning
	}
	var out []MapSamples
	for _, md := range l.s.obj.Maps {
		if md.Role != codegen.RoleUser {
			continue
		}
		layout, es, err := l.s.readMap(md, l.s.maps[md.Spec.Name])
		if err != nil {
			return nil, err
		}
		if !layout.Numeric() {
			continue
		}
		samples, err := l.pr.Samples(layout, es)
		if err != nil {
			return nil, err
		}
		out = append(out, MapSamples{Name: md.Name, Key: layout.Key, Value: layout.Value, Samples: samples})
	}
	return out, nil
}

// stop ends the Live's access before the session closes its maps.
func (l *Live) stop() {
	l.mu.Lock()
	l.s = nil
	l.mu.Unlock()
}
