package runtime_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/metrics"
)

// A Go program runs a script and reads its output: Compile needs no
// privileges, Run needs root (or CAP_BPF and CAP_PERFMON).
func Example() {
	obj, warnings, err := runtime.Compile("example.bt", `BEGIN { @[comm] = count(); printf("hello\n"); exit(); }`, runtime.CompileOptions{})
	warnings.Render(os.Stderr) // as gbt prints them; none for this script
	if err != nil {
		log.Fatal(err) // a *runtime.CompileError renders like gbt's messages
	}
	var out bytes.Buffer
	if err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: &out, Stderr: io.Discard}); err != nil {
		log.Fatal(err)
	}
	fmt.Print(out.String()) // "hello", then the maps: @[example.test]: 1
}

// A trace whose maps a Prometheus server scrapes while it runs; Ctrl-C
// ends it.
func Example_metrics() {
	obj, _, err := runtime.Compile("opens.bt", `tracepoint:syscalls:sys_enter_openat { @opens[comm] = count(); }`, runtime.CompileOptions{})
	if err != nil {
		log.Fatal(err)
	}
	exp := &metrics.Exporter{}
	http.Handle("/metrics", exp)
	go http.ListenAndServe("localhost:9464", nil)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// gbt_opens_total{key="bash"} 12 ... until the run ends.
	if err := runtime.Run(ctx, obj, runtime.Options{Stdout: io.Discard, Stderr: io.Discard, Live: exp.Attach}); err != nil {
		log.Fatal(err)
	}
}
