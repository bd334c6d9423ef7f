package main

import (
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestE2EMetrics: with --metrics the maps are served as Prometheus metrics
// while the trace runs, with exact values (--percentiles adds the
// quantiles of the lhist), and the maps still print at exit.
func TestE2EMetrics(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	prog := `tracepoint:syscalls:sys_enter_openat /pid == @PID@ && str(args->filename) == "/dev/null"/ {
		@opens[comm] = count(); @flags = lhist(args->flags & 3, 0, 4, 1); @t[pid, comm] = sum(1); @last = 5;
	}`
	var scraped string
	res := runTracer(t, traceRun{
		// Port 0: the kernel picks a free port, which -v reports.
		argv:     []string{gbt, "-v", "--metrics", "127.0.0.1:0", "--percentiles", "-e", prog},
		workload: []string{"open", "1000", "/dev/null"},
		work:     work,
		afterWorkload: func(tracer *os.Process, out string) {
			defer tracer.Signal(syscall.SIGINT)
			m := servingOn.FindStringSubmatch(out)
			if m == nil {
				t.Errorf("gbt -v did not say where it serves metrics:\n%s", clip(out))
				return
			}
			addr := m[1]
			client := &http.Client{Timeout: 5 * time.Second}
			resp, err := client.Get("http://" + addr + "/metrics")
			if err != nil {
				t.Errorf("scrape: %v", err)
				return
			}
			defer resp.Body.Close()
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
				t.Errorf("Content-Type %q", ct)
			}
			b, _ := io.ReadAll(resp.Body)
			scraped = string(b)
			// Only GET and HEAD are served.
			for method, code := range map[string]int{http.MethodHead: http.StatusOK, http.MethodDelete: http.StatusMethodNotAllowed, http.MethodPost: http.StatusMethodNotAllowed} {
				req, _ := http.NewRequest(method, "http://"+addr+"/metrics", nil)
				r, err := client.Do(req)
				if err != nil {
					t.Errorf("%s: %v", method, err)
					continue
				}
				r.Body.Close()
				if r.StatusCode != code {
					t.Errorf("%s /metrics: %d, want %d", method, r.StatusCode, code)
				}
			}
		},
	})
	if res.exitCode != 0 {
		t.Fatalf("exit %d\n%s", res.exitCode, clip(res.stderr))
	}
	for _, want := range []string{
		"# TYPE gbt_opens_total counter\n",
		`gbt_opens_total{key="gbtwork"} 1000` + "\n",
		"# TYPE gbt_flags histogram\n",
		`gbt_flags_bucket{le="-1"} 0` + "\n",
		`gbt_flags_bucket{le="0"} 1000` + "\n", // O_RDONLY
		`gbt_flags_bucket{le="+Inf"} 1000` + "\n",
		"gbt_flags_count 1000\n",
		"gbt_flags_sum NaN\n",
		"# TYPE gbt_flags_quantile gauge\n",
		`gbt_flags_quantile{quantile="0.5"} 0` + "\n",
		`gbt_flags_quantile{quantile="0.99"} 0` + "\n",
		`gbt_flags_quantile{quantile="1"} 0` + "\n",
		`gbt_t{key0="`, `",key1="gbtwork"} 1000` + "\n",
		"# TYPE gbt_last gauge\ngbt_last 5\n",
	} {
		if !strings.Contains(scraped, want) {
			t.Errorf("metrics lack %q:\n%s", want, clip(scraped))
		}
	}
	if !strings.Contains(res.stdout, "@opens[gbtwork]: 1000\n") {
		t.Errorf("maps not printed at exit:\n%s", clip(res.stdout))
	}
}

var servingOn = regexp.MustCompile(`serving metrics on http://(\S+)/metrics`)

// TestMetricsAddr: a port alone serves the loopback interface only.
func TestMetricsAddr(t *testing.T) {
	for _, tt := range []struct{ flag, want string }{
		{":9464", "localhost:9464"},
		{"9464", "localhost:9464"},
		{"0.0.0.0:9464", "0.0.0.0:9464"},
		{"127.0.0.1:0", "127.0.0.1:0"},
		{"[::1]:9464", "[::1]:9464"},
		{"host.example:80", "host.example:80"},
	} {
		if got := metricsAddr(tt.flag); got != tt.want {
			t.Errorf("metricsAddr(%q) = %q, want %q", tt.flag, got, tt.want)
		}
	}
}
