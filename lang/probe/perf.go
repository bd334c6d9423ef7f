package probe

import (
	"fmt"
	"strconv"

	"github.com/gbt-dev/gbt/internal/spell"
	"github.com/gbt-dev/gbt/lang/ast"
)

// PerfEvent is a software or hardware perf event software:/hardware: probes
// sample: Config is the PERF_COUNT_SW_* or PERF_COUNT_HW_* number.
type PerfEvent struct {
	Name, Alias  string
	Config       uint64
	DefaultCount uint64
}

// perfEvents are the events of a perf event type.
type perfEvents struct {
	typ    PerfType
	events []PerfEvent
}

// softwareEvents and hardwareEvents are the events bpftrace knows, with
// its default counts.
var (
	softwareEvents = &perfEvents{PerfSoftware, []PerfEvent{
		{"cpu-clock", "cpu", 0, 1000000}, {"task-clock", "", 1, 1000000},
		{"page-faults", "faults", 2, 100}, {"context-switches", "cs", 3, 1000},
		{"cpu-migrations", "", 4, 100}, {"minor-faults", "", 5, 100},
		{"major-faults", "", 6, 100}, {"alignment-faults", "", 7, 1},
		{"emulation-faults", "", 8, 1}, {"dummy", "", 9, 1}, {"bpf-output", "", 10, 1},
	}}
	hardwareEvents = &perfEvents{PerfHardware, []PerfEvent{
		{"cpu-cycles", "cycles", 0, 1000000}, {"instructions", "", 1, 1000000},
		{"cache-references", "", 2, 1000000}, {"cache-misses", "", 3, 1000000},
		{"branch-instructions", "branches", 4, 100000}, {"branch-misses", "", 5, 100000},
		{"bus-cycles", "", 6, 100000}, {"frontend-stalls", "", 7, 1000000},
		{"backend-stalls", "", 8, 1000000}, {"ref-cycles", "", 9, 1000000},
	}}
)

// perfCPUClock is PERF_COUNT_SW_CPU_CLOCK, the clock profile and interval
// probes sample.
const perfCPUClock = 0

// expandRate returns the expansion of profile and interval points:
// [UNIT:]N, where UNIT is hz, s, ms or us, and defaults to unit. allCPUs
// samples on every CPU (profile) rather than on CPU 0 (interval).
func expandRate(unit string, allCPUs bool) func([]Point, Point, *ast.AttachPoint, Env) ([]Point, error) {
	return func(dst []Point, base Point, ap *ast.AttachPoint, _ Env) ([]Point, error) {
		k := base.Kind
		unit, num := unit, ap.Parts[len(ap.Parts)-1]
		if len(ap.Parts) == 2 {
			unit = ap.Parts[0]
		}
		var nsPer uint64 // 0 for hz
		switch unit {
		case "hz":
		case "s":
			nsPer = 1e9
		case "ms":
			nsPer = 1e6
		case "us":
			nsPer = 1e3
		default:
			return dst, &Error{Msg: fmt.Sprintf("%s unit not supported: %s", k.Name, unit), Hint: "units are hz, s, ms and us"}
		}
		v, err := strconv.ParseUint(num, 10, 64)
		if err != nil || v == 0 {
			return dst, &Error{Msg: fmt.Sprintf("%s rate must be a positive integer: %s", k.Name, num)}
		}
		perf := &Perf{Type: PerfSoftware, Config: perfCPUClock, Sample: v * nsPer, AllCPUs: allCPUs}
		if nsPer == 0 {
			perf.Sample, perf.Freq = v, true
		}
		base.Perf = perf
		base.Name = k.Name + ":" + unit + ":" + strconv.FormatUint(v, 10)
		return append(dst, base), nil
	}
}

// expandPerfEvent expands software and hardware points: EVENT[:COUNT].
func expandPerfEvent(dst []Point, base Point, ap *ast.AttachPoint, _ Env) ([]Point, error) {
	k := base.Kind
	ev, ok := k.event(ap.Parts[0])
	if !ok {
		e := &Error{Msg: fmt.Sprintf("Unknown %s event: %s", k.Name, ap.Parts[0])}
		if s := spell.Nearest(ap.Parts[0], k.eventNames()); s != "" {
			e.Hint = fmt.Sprintf("did you mean %q?", s)
		}
		return dst, e
	}
	count := ev.DefaultCount
	if len(ap.Parts) == 2 {
		v, err := strconv.ParseUint(ap.Parts[1], 10, 64)
		if err != nil || v == 0 {
			return dst, &Error{Msg: fmt.Sprintf("%s count must be a positive integer: %s", k.Name, ap.Parts[1])}
		}
		count = v
	}
	base.Event = ev.Name
	base.Perf = &Perf{Type: k.events.typ, Config: ev.Config, Sample: count, AllCPUs: true}
	base.Name = k.Name + ":" + ev.Name + ":" + strconv.FormatUint(count, 10)
	return append(dst, base), nil
}

// event finds a software or hardware event of k by name or alias.
func (k *Kind) event(name string) (PerfEvent, bool) {
	for _, e := range k.events.events {
		if e.Name == name || (e.Alias != "" && e.Alias == name) {
			return e, true
		}
	}
	return PerfEvent{}, false
}

func (k *Kind) eventNames() []string {
	names := make([]string, len(k.events.events))
	for i, e := range k.events.events {
		names[i] = e.Name
	}
	return names
}

// listEvents lists the events of software and hardware probes as
// bpftrace -l does: "software:cpu-clock:".
func listEvents(k *Kind) []string {
	var out []string
	for _, n := range k.eventNames() {
		out = append(out, k.Name+":"+n+":")
	}
	return out
}
