package output

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
)

// Format selects text, JSON, folded-stack or pprof output.
type Format uint8

// Output formats.
const (
	Text Format = iota // bpftrace's default text
	JSON               // -f json: one record per line
	// Folded is -f folded: maps keyed by stacks as folded stacks, the rest
	// as text to the aside writer (see folded.go).
	Folded
	// Pprof is -f pprof: the maps keyed by stacks are written at exit as
	// one pprof profile (WritePprof); the rest as text to the aside writer.
	Pprof
)

// StacksOnly reports whether the format's stream holds stack-keyed maps
// alone, everything else going as text to the aside writer.
func (f Format) StacksOnly() bool { return f == Folded || f == Pprof }

// Printer writes bpftrace 0.17's output records (text or JSON) to a
// writer. It is not safe for concurrent use.
type Printer struct {
	w    io.Writer
	f    Format
	buf  []byte
	vals values
	// aside takes, as text, what a StacksOnly format does not print
	// (nil: it is dropped).
	aside io.Writer
	// percentiles prints estimated percentiles with hist and lhist
	// values (--percentiles).
	percentiles bool
	order       Order // --sort, --reverse
	color       bool  // test results' status words in color (SetColor)
}

// Order is the order map rows print in: bpftrace's by default (by value,
// ascending, for maps of numbers; by key for others), by key with ByKey,
// and the opposite way with Reverse. Top N still keeps the N largest
// values, whichever order they print in.
type Order struct {
	ByKey   bool
	Reverse bool
}

// NewPrinter returns a Printer writing format f to w. Wrap w in a
// bufio.Writer for streams of events.
func NewPrinter(w io.Writer, f Format) *Printer {
	return &Printer{w: w, f: f}
}

// SetProbeNames gives the names the `probe` builtin's ids stand for.
func (p *Printer) SetProbeNames(names []string) { p.vals.probeNames = names }

// SetStacks gives the resolver of kstack ids.
func (p *Printer) SetStacks(r StackResolver) { p.vals.stacks = r }

// SetClock gives the wall time at which the nsecs clock read zero, for
// strftime() values.
func (p *Printer) SetClock(zero time.Time) { p.vals.clock = zero }

// SetCompat makes the printer print as bpftrace release v does where
// releases differ (the zero value, compat.Newest, is the default).
func (p *Printer) SetCompat(v compat.Version) { p.vals.compat = v }

// Compat returns the release whose output the printer reproduces.
func (p *Printer) Compat() compat.Version { return p.vals.compat }

// SetStrTrailer gives the text that ends a string cut to its size
// (str_trunc_trailer).
func (p *Printer) SetStrTrailer(s string) { p.vals.trailer = s }

// SetTAIOffset gives how far the TAI clock tseries() reads is ahead of
// the wall clock.
func (p *Printer) SetTAIOffset(d time.Duration) { p.vals.taiOffset = d }

// SetAside gives the writer of what a Folded or Pprof printer does not
// print in its format (printf output, maps without stacks, messages): they
// are written there as text.
func (p *Printer) SetAside(w io.Writer) { p.aside = w }

// asText is the text printer a StacksOnly printer hands what is not a
// stack-keyed map.
func (p *Printer) asText() *Printer {
	w := p.aside
	if w == nil {
		w = io.Discard
	}
	return p.TextTo(w)
}

// TextTo returns a printer of text to w with p's settings.
func (p *Printer) TextTo(w io.Writer) *Printer {
	return &Printer{w: w, f: Text, vals: p.vals, percentiles: p.percentiles, order: p.order, color: p.color}
}

// SetPercentiles makes the printer add p50, p90, p99 and max, estimated
// from the buckets, to every hist() and lhist() value it prints: a line
// under the bars in text, a "percentiles" field beside "data" in JSON.
func (p *Printer) SetPercentiles(on bool) { p.percentiles = on }

// SetOrder sets the order map rows print in.
func (p *Printer) SetOrder(o Order) { p.order = o }

// Format returns the printer's format.
func (p *Printer) Format() Format { return p.f }

func (p *Printer) flush() error {
	_, err := p.w.Write(p.buf)
	p.buf = p.buf[:0]
	return err
}

// Line writes a message that is a line of its own (join): text mode ends
// it with a newline, JSON does not put one in the data.
func (p *Printer) Line(kind string, text []byte) error {
	if p.f.StacksOnly() {
		return p.asText().Line(kind, text)
	}
	if p.f == Text {
		p.buf = append(append(p.buf[:0], text...), '\n')
		return p.flush()
	}
	return p.Message(kind, text)
}

// Message writes text produced by printf, time, cat or system: as is in
// text mode, as {"type": kind, "data": text} in JSON.
func (p *Printer) Message(kind string, text []byte) error {
	if p.f.StacksOnly() {
		return p.asText().Message(kind, text)
	}
	if p.f == Text {
		_, err := p.w.Write(text)
		return err
	}
	p.buf = append(p.buf, `{"type": "`...)
	p.buf = append(p.buf, kind...)
	p.buf = append(p.buf, `", "data": `...)
	p.buf = appendJSONString(p.buf, text)
	p.buf = append(p.buf, "}\n"...)
	return p.flush()
}

// Printf writes the text of one printf() event.
func (p *Printer) Printf(text []byte) error { return p.Message("printf", text) }

// AttachedProbes writes "Attaching N probes..." (JSON attached_probes,
// with the newest bpftrace's top-level "count" beside 0.17's data.probes
// unless the printer reproduces 0.17).
func (p *Printer) AttachedProbes(n int) error {
	if p.f.StacksOnly() {
		return p.asText().AttachedProbes(n)
	}
	if p.f == JSON && !p.vals.compat.Has(compat.JSONAttachedCount) {
		return p.countRecord("attached_probes", "probes", uint64(n))
	}
	if p.f == JSON {
		p.buf = fmt.Appendf(p.buf, "{\"type\": \"attached_probes\", \"count\": %d, \"data\": {\"probes\": %d}}\n", n, n)
		return p.flush()
	}
	p.buf = append(p.buf, "Attaching "...)
	p.buf = strconv.AppendInt(p.buf, int64(n), 10)
	if n == 1 {
		p.buf = append(p.buf, " probe...\n"...)
	} else {
		p.buf = append(p.buf, " probes...\n"...)
	}
	return p.flush()
}

// LostEvents writes "Lost N events" (JSON lost_events).
func (p *Printer) LostEvents(n uint64) error {
	if p.f.StacksOnly() {
		return p.asText().LostEvents(n)
	}
	if p.f == JSON {
		return p.countRecord("lost_events", "events", n)
	}
	p.buf = append(p.buf, "Lost "...)
	p.buf = strconv.AppendUint(p.buf, n, 10)
	p.buf = append(p.buf, " events\n"...)
	return p.flush()
}

func (p *Printer) countRecord(kind, name string, n uint64) error {
	p.buf = fmt.Appendf(p.buf, "{\"type\": \"%s\", \"data\": {\"%s\": %d}}\n", kind, name, n)
	return p.flush()
}

// PrintValue writes a non-map value as print(value) does: the value and a
// newline (JSON {"type": "value", "data": ...}).
func (p *Printer) PrintValue(t types.Type, b []byte) error {
	if err := supported(t); err != nil {
		return err
	}
	if p.f.StacksOnly() {
		return p.asText().PrintValue(t, b)
	}
	if p.f == JSON {
		p.buf = append(p.buf, `{"type": "value", "data": `...)
		p.buf = p.vals.appendValue(p.buf, t, b, true)
		p.buf = append(p.buf, "}\n"...)
	} else {
		p.buf = p.vals.appendValue(p.buf, t, b, false)
		p.buf = append(p.buf, '\n')
	}
	return p.flush()
}
