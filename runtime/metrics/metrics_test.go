package metrics_test

import (
	"math"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/metrics"
	"github.com/gbt-dev/gbt/runtime/output"
)

// TestWriteParses: what Write produces is read back by Prometheus's own
// text parser with the same families, types, labels and values.
func TestWriteParses(t *testing.T) {
	inf := math.Inf(1)
	maps := []runtime.MapSamples{
		{Name: "@", Key: types.StringOf(16), Value: types.AggOf(types.Count, false), Samples: []output.Sample{
			{Key: []string{`we"ird\name` + "\n"}, Value: 3}, {Key: []string{"bash"}, Value: 7}}},
		{Name: "@lat", Key: types.TupleOf(types.I64, types.StringOf(16)), Value: types.AggOf(types.Hist, false), Samples: []output.Sample{
			{Key: []string{"42", "cat"}, Count: 3, Sum: math.NaN(), Buckets: []output.Bucket{bkt(-1, 0), bkt(0, 1), bkt(1, 1), bkt(3, 3), bkt(inf, 3)}}}},
		{Name: "@avg", Key: types.Type{Kind: types.Void}, Value: types.AggOf(types.Avg, true), Samples: []output.Sample{{Value: 2, Count: 4, Sum: 8}}},
		{Name: "@x", Key: types.Type{Kind: types.Void}, Value: types.I64, Samples: []output.Sample{{Value: -5}}},
	}
	var b strings.Builder
	for _, m := range maps {
		metrics.Write(&b, m)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, b.String())
	}
	total := fams["gbt_map_total"]
	if total == nil || total.GetType().String() != "COUNTER" || len(total.Metric) != 2 {
		t.Fatalf("gbt_map_total: %v\n%s", total, b.String())
	}
	if l := total.Metric[0].Label[0]; l.GetName() != "key" || l.GetValue() != `we"ird\name`+"\n" || total.Metric[0].Counter.GetValue() != 3 {
		t.Errorf("escaped label round trip: %v", total.Metric[0])
	}
	h := fams["gbt_lat"]
	if h == nil || h.GetType().String() != "HISTOGRAM" {
		t.Fatalf("gbt_lat: %v", h)
	}
	hm := h.Metric[0]
	if len(hm.Label) != 2 || hm.Label[0].GetName() != "key0" || hm.Label[0].GetValue() != "42" || hm.Label[1].GetValue() != "cat" {
		t.Errorf("tuple labels: %v", hm.Label)
	}
	if hm.Histogram.GetSampleCount() != 3 || !math.IsNaN(hm.Histogram.GetSampleSum()) {
		t.Errorf("histogram count/sum: %v", hm.Histogram)
	}
	if bs := hm.Histogram.Bucket; len(bs) != 5 || bs[3].GetUpperBound() != 3 || bs[3].GetCumulativeCount() != 3 {
		t.Errorf("buckets: %v", bs)
	}
	s := fams["gbt_avg"]
	if s == nil || s.GetType().String() != "SUMMARY" || s.Metric[0].Summary.GetSampleCount() != 4 || s.Metric[0].Summary.GetSampleSum() != 8 {
		t.Errorf("gbt_avg: %v", s)
	}
	g := fams["gbt_x"]
	if g == nil || g.GetType().String() != "GAUGE" || g.Metric[0].Gauge.GetValue() != -5 {
		t.Errorf("gbt_x: %v", g)
	}
}

func bkt(le float64, n uint64) output.Bucket { return output.Bucket{UpperBound: le, Count: n} }

// TestWriteQuantiles: the estimates of a hist map are a gauge family with
// a quantile label beside the key labels, that Prometheus's parser reads;
// other maps write nothing.
func TestWriteQuantiles(t *testing.T) {
	lat := runtime.MapSamples{Name: "@lat", Key: types.StringOf(16), Value: types.AggOf(types.Hist, false), Samples: []output.Sample{
		{Key: []string{"cat"}, Count: 3, Quantiles: []output.Estimate{{Q: 0.5, Value: 12}, {Q: 0.9, Value: 30}, {Q: 0.99, Value: 61}, {Q: 1, Value: 63}}}}}
	var b strings.Builder
	metrics.WriteQuantiles(&b, lat)
	metrics.WriteQuantiles(&b, runtime.MapSamples{Name: "@n", Key: types.Type{Kind: types.Void}, Value: types.AggOf(types.Count, false),
		Samples: []output.Sample{{Value: 1}}})
	want := `# HELP gbt_lat_quantile gbt map @lat, quantiles estimated from the hist() buckets (each within its bucket)
# TYPE gbt_lat_quantile gauge
gbt_lat_quantile{key="cat",quantile="0.5"} 12
gbt_lat_quantile{key="cat",quantile="0.9"} 30
gbt_lat_quantile{key="cat",quantile="0.99"} 61
gbt_lat_quantile{key="cat",quantile="1"} 63
`
	if b.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if f := fams["gbt_lat_quantile"]; f == nil || f.GetType().String() != "GAUGE" || len(f.Metric) != 4 {
		t.Errorf("gbt_lat_quantile: %v", f)
	}
}
