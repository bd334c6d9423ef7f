package probe

import (
	"fmt"
	"math"
	"strconv"
	"strings"

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

// expandRate returns the expansion of profile and interval points, in
// the newest bpftrace's two spellings: UNIT:N, where UNIT is hz, s, ms or
// us; and a duration N[ns|us|ms|s|m|h|d] (nanoseconds without a suffix,
// at least 1us), which names the point in microseconds as bpftrace does
// ("interval:100ms" is interval:us:100000). allCPUs samples on every CPU
// (profile) rather than on CPU 0 (interval).
func expandRate(allCPUs bool) func([]Point, Point, *ast.AttachPoint, Env) ([]Point, error) {
	return func(dst []Point, base Point, ap *ast.AttachPoint, _ Env) ([]Point, error) {
		k := base.Kind
		var unit string
		var v uint64
		if len(ap.Parts) == 1 {
			ns, err := parseUint(ap.Parts[0], durationSuffixes)
			if err != nil {
				return dst, &Error{Msg: fmt.Sprintf("Invalid rate of %s probe: %v", k.Name, err),
					Hint: "a duration such as 100ms or 1s, or UNIT:N with a unit of hz, s, ms or us"}
			}
			if ns < 1000 {
				return dst, &Error{Msg: fmt.Sprintf("Invalid rate of %s probe. Minimum is 1000 or 1us. Found: %d nanoseconds", k.Name, ns)}
			}
			unit, v = "us", ns/1000
		} else {
			unit = ap.Parts[0]
			n, err := parseUint(ap.Parts[1], nil)
			if err != nil {
				return dst, &Error{Msg: fmt.Sprintf("Invalid rate of %s probe: %v", k.Name, err)}
			}
			v = n
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
			return dst, &Error{Msg: fmt.Sprintf("%s is not an accepted unit of time", unit), Hint: "units are hz, s, ms and us"}
		}
		if v == 0 {
			return dst, &Error{Msg: fmt.Sprintf("%s frequency should be a positive integer", k.Name)}
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

// durationSuffixes are the units of a duration in an attach point, in
// nanoseconds.
var durationSuffixes = map[string]uint64{
	"": 1, "ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9, "d": 86400e9,
}

// parseUint parses an unsigned integer of an attach point as bpftrace
// does: underscores as separators, a 0x, 0b or 0 prefix, an exponent
// (1e6), and one of suffixes (a multiplier) or none.
func parseUint(s string, suffixes map[string]uint64) (uint64, error) {
	n := strings.ReplaceAll(s, "_", "")
	digitsOf := func(from int, ok func(c byte) bool) int {
		for from < len(n) && ok(n[from]) {
			from++
		}
		return from
	}
	isDec := func(c byte) bool { return c >= '0' && c <= '9' }
	var num, exp string
	var j int
	switch {
	case len(n) > 2 && n[0] == '0' && (n[1] == 'x' || n[1] == 'X'):
		j = digitsOf(2, func(c byte) bool { return isDec(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f' })
		num = n[:j]
	case len(n) > 2 && n[0] == '0' && (n[1] == 'b' || n[1] == 'B'):
		j = digitsOf(2, func(c byte) bool { return c == '0' || c == '1' })
		num = n[:j]
	default:
		j = digitsOf(0, isDec)
		num = n[:j]
		if j+1 < len(n) && (n[j] == 'e' || n[j] == 'E') && n[j+1] >= '1' && n[j+1] <= '9' {
			k := digitsOf(j+1, isDec)
			exp, j = n[j+1:k], k
		}
	}
	if num == "" || num == "0x" || num == "0X" || num == "0b" || num == "0B" {
		return 0, fmt.Errorf("invalid integer: %s", s)
	}
	mult, ok := suffixes[n[j:]]
	switch {
	case n[j:] == "":
		mult = 1
	case !ok:
		return 0, fmt.Errorf("invalid trailing bytes: %s", s)
	}
	v, err := strconv.ParseUint(num, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid integer: %s", s)
	}
	if exp != "" {
		if v < 1 || v > 9 {
			return 0, fmt.Errorf("coefficient part of scientific literal must be 1-9: %s", s)
		}
		e, _ := strconv.Atoi(exp)
		for ; e > 0; e-- {
			if v > math.MaxUint64/10 {
				return 0, fmt.Errorf("%s is too large", s)
			}
			v *= 10
		}
	}
	if v > math.MaxUint64/mult {
		return 0, fmt.Errorf("%s is too large", s)
	}
	return v * mult, nil
}

// expandPerfEvent expands software and hardware points: EVENT[:COUNT].
func expandPerfEvent(dst []Point, base Point, ap *ast.AttachPoint, _ Env) ([]Point, error) {
	k := base.Kind
	ev, ok := k.event(ap.Parts[0])
	if !ok {
		e := &Error{Msg: fmt.Sprintf("%s is not a %s probe", ap.Parts[0], k.Name)}
		if s := spell.Nearest(ap.Parts[0], k.eventNames()); s != "" {
			e.Hint = fmt.Sprintf("did you mean %q?", s)
		}
		return dst, e
	}
	count := ev.DefaultCount
	if len(ap.Parts) == 2 {
		v, err := parseUint(ap.Parts[1], nil)
		if err != nil || v == 0 {
			return dst, &Error{Msg: fmt.Sprintf("%s count must be a positive integer: %s", k.Name, ap.Parts[1])}
		}
		count = v
	}
	base.Event = ev.Name
	base.Perf = &Perf{Type: k.events.typ, Config: ev.Config, Sample: count, AllCPUs: true}
	// Named with the event as written ("software:cpu:1000"), as bpftrace
	// names it.
	base.Name = k.Name + ":" + ap.Parts[0] + ":" + strconv.FormatUint(count, 10)
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
