package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The end-to-end and differential tests run the built gbt binary (and
// bpftrace) against gbtwork, a workload that makes an exact number of
// syscalls. Binaries are built once per test process.

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// binaries builds gbt and gbtwork into a temporary directory and returns
// their paths.
func binaries(t *testing.T) (gbt, work string) {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "gbt-e2e-")
		if buildErr != nil {
			return
		}
		for _, b := range []struct{ out, pkg string }{
			{"gbt", "."},
			{"gbtwork", "../../internal/cmd/gbtwork"},
		} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(buildDir, b.out), b.pkg)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, "gbt"), filepath.Join(buildDir, "gbtwork")
}

var (
	usdtOnce sync.Once
	usdtBins [2]string // -O2 and -O0 builds of internal/usdtwork
	usdtErr  error
)

// usdtWorkloads builds internal/usdtwork/usdtwork.c with gcc and
// <sys/sdt.h>, optimized (arguments in registers) and not (arguments in
// memory, and at fixed addresses), and returns their paths. .ci/run installs gcc and
// systemtap-sdt-dev.
func usdtWorkloads(t *testing.T) (o2, o0 string) {
	t.Helper()
	gbt, _ := binaries(t)
	usdtOnce.Do(func() {
		dir := filepath.Dir(gbt)
		for i, opts := range [][]string{{"-O2"}, {"-O0", "-no-pie"}} {
			usdtBins[i] = filepath.Join(dir, "usdtwork"+opts[0])
			cmd := exec.Command("gcc", append(opts, "-o", usdtBins[i], "../../internal/usdtwork/usdtwork.c")...)
			if out, err := cmd.CombinedOutput(); err != nil {
				usdtErr = fmt.Errorf("build the USDT workload (needs gcc and systemtap-sdt-dev; .ci/run installs them): %v\n%s", err, out)
				return
			}
		}
	})
	if usdtErr != nil {
		t.Fatal(usdtErr)
	}
	return usdtBins[0], usdtBins[1]
}

// requireRoot skips a kernel test, with its reason, when BPF cannot be used.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("kernel test: needs root to load BPF programs (run make test as root)")
	}
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a poller.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// traceRun describes one run of a tracer with an optional workload.
type traceRun struct {
	argv     []string      // tracer command line
	workload []string      // gbtwork arguments, nil for none
	work     string        // path of gbtwork
	timeout  time.Duration // whole run
	// afterWorkload, if set, runs once the workload has finished, while
	// the tracer still runs (it may signal the tracer to stop).
	afterWorkload func(tracer *os.Process)
}

// traceResult is what a tracer printed.
type traceResult struct {
	stdout, stderr string
	exitCode       int
}

// runTracer starts a tracer, waits until it has attached (it printed
// "Attaching"), runs the workload, and waits for the tracer to exit (the
// scripts end themselves with exit()). On timeout it sends SIGINT, then kills.
func runTracer(t *testing.T, r traceRun) traceResult {
	t.Helper()
	if r.timeout == 0 {
		r.timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	var stdout, stderr syncBuffer
	cmd := exec.Command(r.argv[0], r.argv[1:]...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", r.argv, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	if r.workload != nil {
		attached := false
		for !attached {
			select {
			case err := <-done:
				t.Fatalf("%s exited before attaching: %v\nstdout:\n%s\nstderr:\n%s", r.argv[0], err, stdout.String(), stderr.String())
			case <-ctx.Done():
				cmd.Process.Kill()
				t.Fatalf("%s did not attach in %v\nstderr:\n%s", r.argv[0], r.timeout, stderr.String())
			case <-time.After(20 * time.Millisecond):
				all := stdout.String() + stderr.String()
				attached = strings.Contains(all, "Attaching") || strings.Contains(all, `"attached_probes"`)
			}
		}
		waitAttached(cmd.Process.Pid, stdout.String()+stderr.String())
		w := exec.CommandContext(ctx, r.work, r.workload...)
		if out, err := w.CombinedOutput(); err != nil {
			t.Fatalf("workload %v: %v\n%s", r.workload, err, out)
		}
		if r.afterWorkload != nil {
			r.afterWorkload(cmd.Process)
		}
	}
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case err = <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			err = <-done
		}
		t.Errorf("%v timed out after %v (sent SIGINT)", r.argv, r.timeout)
	}
	res := traceResult{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.exitCode = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("wait %v: %v", r.argv, err)
	}
	return res
}

// directives are the `// key: value` header lines of a test script.
type directives map[string]string

func parseDirectives(src string) directives {
	d := directives{}
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "//") {
			break
		}
		k, v, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "//")), ":")
		if ok {
			d[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return d
}

var attachingN = regexp.MustCompile(`(?:Attaching |"probes": )(\d+)`)

// waitAttached waits until a tracer that announced "Attaching N probes" has
// attached: gbt attaches with bpf_links, so wait for N of them or for their
// number to settle (BEGIN and END count in N but need no link); bpftrace 0.17
// attaches through perf_event ioctls after printing the line, so wait for
// its perf event fds to stop changing (it opens one per tracepoint, after
// its per-CPU output buffers).
func waitAttached(pid int, out string) {
	m := attachingN.FindStringSubmatch(out)
	if m == nil {
		return
	}
	want, _ := strconv.Atoi(m[1])
	comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	kind := "bpf_link"
	if strings.TrimSpace(string(comm)) == "bpftrace" {
		kind, want = "perf_event", 1<<30
	}
	start := time.Now()
	last, changed := -1, time.Now()
	for time.Since(start) < 10*time.Second {
		n := 0
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		for _, fd := range fds {
			if target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); err == nil && strings.Contains(target, kind) {
				n++
			}
		}
		if n != last {
			last, changed = n, time.Now()
		}
		switch {
		case n >= want:
			return
		case n > 0 && time.Since(changed) > 300*time.Millisecond && time.Since(start) > 500*time.Millisecond:
			return
		case n == 0 && time.Since(start) > 500*time.Millisecond:
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
