// Package metrics serves a running trace's maps as Prometheus metrics,
// read from the kernel at scrape time, in the Prometheus text exposition
// format (version 0.0.4).
//
// Each numeric map becomes one metric family named gbt_<map> (gbt_map for
// the anonymous map @). A map's key becomes labels: "key" for a plain key,
// "key0", "key1", ... for the elements of a tuple key, each rendered as
// bpftrace prints it. Values map to types this way:
//
//	count()              counter, named gbt_<map>_total
//	sum() min() max()    gauge
//	integers             gauge
//	avg() stats()        summary: _sum and _count, no quantiles
//	hist() lhist()       histogram with inclusive integer bounds (le="7"
//	                     holds [4, 8)); _sum is NaN: the aggregation does
//	                     not keep it
//
// Maps of strings, tuples and other values are not exported.
//
// With Percentiles, each hist() and lhist() map also gets a gauge family
// gbt_<map>_quantile with a "quantile" label (0.5, 0.9, 0.99, and 1 for
// the maximum): the estimates gbt prints under the bars, each within its
// bucket. The histogram's buckets are the bounds themselves, so
// Prometheus's histogram_quantile() over gbt_<map>_bucket gives the same
// kind of estimate, aggregated over hosts.
//
// The format is written here rather than with client_golang: that module
// doubles gbt's binary (5.6 to 11.5 MB) and adds 4.5 MB of RSS and a
// millisecond of init to every run, metrics or not, for a format of a few
// lines. Tests parse the output with Prometheus's own parser.
package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/runtime"
)

// ContentType is the media type of the text exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Exporter is an http.Handler that serves the maps of the trace that is
// running; it serves no metrics while none is.
type Exporter struct {
	// Percentiles adds the estimated quantiles of hist() and lhist()
	// maps (WriteQuantiles).
	Percentiles bool

	mu   sync.Mutex
	live *runtime.Live
}

// Attach makes the exporter read the maps of live (use it as
// runtime.Options.Live).
func (e *Exporter) Attach(live *runtime.Live) {
	e.mu.Lock()
	e.live = live
	e.mu.Unlock()
}

// ServeHTTP implements http.Handler.
func (e *Exporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	live := e.live
	e.mu.Unlock()
	var maps []runtime.MapSamples
	if live != nil {
		var err error
		maps, err = live.Maps()
		if err != nil && err != runtime.ErrNotRunning {
			http.Error(w, "gbt: reading the maps: "+err.Error(), http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", ContentType)
	bw := bufio.NewWriter(w)
	for _, m := range maps {
		Write(bw, m)
		if e.Percentiles {
			WriteQuantiles(bw, m)
		}
	}
	bw.Flush()
}

// Name returns the metric family name of a map ("@x" → "gbt_x", "@" →
// "gbt_map"); count() maps take a _total suffix on top.
func Name(m runtime.MapSamples) string {
	name := "gbt_map"
	if m.Name != "@" {
		name = "gbt_" + m.Name[1:]
	}
	if aggOf(m.Value) == types.Count {
		name += "_total"
	}
	return name
}

func aggOf(t types.Type) types.AggKind {
	if t.Kind == types.Agg {
		return t.AggKind
	}
	return types.NoAgg
}

func labelNames(key types.Type) []string {
	switch key.Kind {
	case types.Void:
		return nil
	case types.Tuple:
		names := make([]string, len(key.Elems))
		for i := range names {
			names[i] = "key" + strconv.Itoa(i)
		}
		return names
	}
	return []string{"key"}
}

// Write writes one map as a metric family.
func Write(w io.Writer, m runtime.MapSamples) {
	name := Name(m)
	kind := aggOf(m.Value)
	typ := "gauge"
	switch kind {
	case types.Count:
		typ = "counter"
	case types.Avg, types.Stats:
		typ = "summary"
	case types.Hist, types.Lhist:
		typ = "histogram"
	}
	what := m.Value.String()
	if kind != types.NoAgg {
		what = kind.String() + "()"
	}
	fmt.Fprintf(w, "# HELP %s gbt map %s, %s\n# TYPE %s %s\n", name, escapeHelp(m.Name), what, name, typ)
	names := labelNames(m.Key)
	for _, s := range m.Samples {
		labels := labelPairs(names, s.Key)
		switch kind {
		case types.Avg, types.Stats:
			sample(w, name+"_sum", labels, "", s.Sum)
			sample(w, name+"_count", labels, "", float64(s.Count))
		case types.Hist, types.Lhist:
			for _, b := range s.Buckets {
				sample(w, name+"_bucket", labels, formatFloat(b.UpperBound), float64(b.Count))
			}
			sample(w, name+"_sum", labels, "", s.Sum)
			sample(w, name+"_count", labels, "", float64(s.Count))
		default:
			sample(w, name, labels, "", s.Value)
		}
	}
}

// WriteQuantiles writes the estimated quantiles of a hist() or lhist()
// map as the gauge family gbt_<map>_quantile{quantile="0.99"}; other maps
// write nothing.
func WriteQuantiles(w io.Writer, m runtime.MapSamples) {
	if k := aggOf(m.Value); k != types.Hist && k != types.Lhist {
		return
	}
	name := Name(m) + "_quantile"
	fmt.Fprintf(w, "# HELP %s gbt map %s, quantiles estimated from the %s() buckets (each within its bucket)\n# TYPE %s gauge\n",
		name, escapeHelp(m.Name), aggOf(m.Value), name)
	names := labelNames(m.Key)
	for _, s := range m.Samples {
		labels := labelPairs(names, s.Key)
		if labels != "" {
			labels += ","
		}
		for _, e := range s.Quantiles {
			fmt.Fprintf(w, "%s{%squantile=\"%s\"} %s\n", name, labels, formatFloat(e.Q), formatFloat(e.Value))
		}
	}
}

// labelPairs renders name="value" pairs.
func labelPairs(names, values []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n)
		b.WriteString(`="`)
		if i < len(values) {
			b.WriteString(escapeLabel(values[i]))
		}
		b.WriteByte('"')
	}
	return b.String()
}

func sample(w io.Writer, name, labels, le string, v float64) {
	if le != "" {
		if labels != "" {
			labels += ","
		}
		labels += `le="` + le + `"`
	}
	if labels != "" {
		fmt.Fprintf(w, "%s{%s} %s\n", name, labels, formatFloat(v))
		return
	}
	fmt.Fprintf(w, "%s %s\n", name, formatFloat(v))
}

// formatFloat writes values as Prometheus does: shortest form, +Inf,
// -Inf, NaN.
func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func escapeHelp(s string) string  { return helpEscaper.Replace(s) }
func escapeLabel(s string) string { return labelEscaper.Replace(s) }
