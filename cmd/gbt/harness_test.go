package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/internal/testenv"
)

// The end-to-end and differential tests run the built gbt binary (and
// bpftrace) against gbtwork, a workload that makes an exact number of
// syscalls. Binaries are built once per test process, into a directory of
// its own.
//
// Tests are hermetic: other tracers and other test runs may run beside
// them. A test's workload is started held (gbtwork -hold), its pid replaces
// @PID@ in the tracer's command line and script, and it is released once
// the tracer has attached; scripts select its events with pid == @PID@ (or
// curtask->real_parent->tgid == @PID@ for the programs it runs), never by
// process name.

// envTestBinary names a gbt binary to test instead of building one (make
// cover sets it to a build with -cover).
const envTestBinary = "GBT_TEST_BINARY"

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// binaries builds gbt and gbtwork into a temporary directory and returns
// their paths; with GBT_TEST_BINARY set, gbt is that binary.
func binaries(t *testing.T) (gbt, work string) {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "gbt-e2e-")
		if buildErr != nil {
			return
		}
		builds := []struct{ out, pkg string }{
			{"gbt", "."},
			{"gbtwork", "../../internal/cmd/gbtwork"},
		}
		if bin := os.Getenv(envTestBinary); bin != "" {
			abs, err := filepath.Abs(bin)
			if err != nil {
				buildErr = err
				return
			}
			if err := os.Symlink(abs, filepath.Join(buildDir, "gbt")); err != nil {
				buildErr = err
				return
			}
			builds = builds[1:]
		}
		for _, b := range builds {
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
// memory, and at fixed addresses), with DWARF (uprobe args by name), and
// returns their paths. .ci/run installs gcc and systemtap-sdt-dev.
func usdtWorkloads(t *testing.T) (o2, o0 string) {
	t.Helper()
	gbt, _ := binaries(t)
	testenv.RequireCommand(t, "gcc", "apt-get install gcc systemtap-sdt-dev; .ci/run does")
	usdtOnce.Do(func() {
		dir := filepath.Dir(gbt)
		for i, opts := range [][]string{{"-O2", "-g"}, {"-O0", "-no-pie", "-g"}} {
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

// requireRoot skips a kernel test, with its reason, under -short or when
// BPF cannot be used (see internal/testenv).
func requireRoot(t *testing.T) {
	t.Helper()
	testenv.RequireRoot(t)
}

// clipLimit bounds what a failure message quotes of a tracer's output.
const clipLimit = 2048

// clip shortens s for a failure message: its head and tail, and the number
// of bytes cut between them.
func clip(s string) string {
	if len(s) <= clipLimit {
		return s
	}
	half := clipLimit / 2
	return fmt.Sprintf("%s\n[... %d bytes cut ...]\n%s", s[:half], len(s)-2*half, s[len(s)-half:])
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

// firstDiff says where got first differs from want.
func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	if i == len(got) && i == len(want) {
		return "identical"
	}
	return fmt.Sprintf("%d bytes, want %d; first difference at byte %d", len(got), len(want), i)
}

// traceRun describes one run of a tracer with an optional workload.
type traceRun struct {
	// argv is the tracer command line. @PID@ in it stands for the pid of
	// the workload, @SCRIPT@ for the path of the script file.
	argv []string
	// script, if set, is the text of a script, written with @PID@
	// replaced to a file named scriptName (script.bt if empty).
	script, scriptName string
	workload           []string      // gbtwork arguments, nil for none
	work               string        // path of gbtwork
	timeout            time.Duration // whole run
	// afterWorkload, if set, runs once the workload has finished, while
	// the tracer still runs (it may signal the tracer to stop); out is
	// what the tracer has printed so far, stdout then stderr.
	afterWorkload func(tracer *os.Process, out string)
}

// traceResult is what a tracer printed.
type traceResult struct {
	stdout, stderr string
	exitCode       int
}

// runTracer starts the workload held, then the tracer with the workload's
// pid in place of @PID@, waits until it has attached (it printed
// "Attaching"), releases the workload, and waits for the tracer to exit
// (the scripts end themselves with exit()). On timeout it sends SIGINT,
// then kills.
func runTracer(t *testing.T, r traceRun) traceResult {
	t.Helper()
	res, err := tryTracer(t, r)
	var te *timeoutError
	switch {
	case errors.As(err, &te):
		t.Error(err)
	case err != nil:
		t.Fatal(err)
	}
	return res
}

// timeoutError is the error of a tracer that was still running at its
// run's timeout (it was sent SIGINT, then killed); its output is kept.
type timeoutError struct{ msg string }

func (e *timeoutError) Error() string { return e.msg }

// tryTracer is runTracer returning, instead of failing the test, why the
// tracer did not attach or did not end in time (a *timeoutError: the
// result holds what it printed).
func tryTracer(t *testing.T, r traceRun) (traceResult, error) {
	t.Helper()
	if r.timeout == 0 {
		r.timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	var w *heldWorkload
	pid := ""
	if r.workload != nil {
		w = startHeld(t, ctx, r.work, r.workload)
		pid = strconv.Itoa(w.cmd.Process.Pid)
	}
	subst := func(s string) string {
		if pid == "" && strings.Contains(s, "@PID@") {
			t.Fatalf("@PID@ in %q but no workload", s)
		}
		return strings.ReplaceAll(s, "@PID@", pid)
	}
	argv := make([]string, len(r.argv))
	for i, a := range r.argv {
		argv[i] = subst(a)
	}
	if r.script != "" {
		name := r.scriptName
		if name == "" {
			name = "script.bt"
		}
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, []byte(subst(r.script)), 0o644); err != nil {
			t.Fatal(err)
		}
		for i := range argv {
			argv[i] = strings.ReplaceAll(argv[i], "@SCRIPT@", path)
		}
	}
	var stdout, stderr syncBuffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", argv, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	if w != nil {
		attached := false
		for !attached {
			select {
			case err := <-done:
				all := stdout.String() + stderr.String()
				if strings.Contains(all, "Attaching") || strings.Contains(all, `"attached_probes"`) {
					// It attached and ended between two looks (an
					// iterator runs once, at once): the end is collected
					// below.
					done <- err
					attached = true
					continue
				}
				return traceResult{}, fmt.Errorf("%s exited before attaching: %v\nstdout:\n%s\nstderr:\n%s", argv[0], err, clip(stdout.String()), clip(stderr.String()))
			case <-ctx.Done():
				cmd.Process.Kill()
				<-done
				return traceResult{}, fmt.Errorf("%s did not attach in %v\nstderr:\n%s", argv[0], r.timeout, clip(stderr.String()))
			case <-time.After(20 * time.Millisecond):
				all := stdout.String() + stderr.String()
				attached = strings.Contains(all, "Attaching") || strings.Contains(all, `"attached_probes"`)
			}
		}
		waitAttached(cmd.Process.Pid, stdout.String()+stderr.String())
		if err := w.release(); err != nil {
			t.Fatalf("workload %v: %v\n%s", r.workload, err, clip(w.out.String()))
		}
		if r.afterWorkload != nil {
			r.afterWorkload(cmd.Process, stdout.String()+stderr.String())
		}
	}
	var err error
	var timedOut error
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
		timedOut = &timeoutError{fmt.Sprintf("%v timed out after %v (sent SIGINT)", argv, r.timeout)}
	}
	res := traceResult{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.exitCode = ee.ExitCode()
	} else if err != nil {
		return res, fmt.Errorf("wait %v: %v", argv, err)
	}
	return res, timedOut
}

// heldWorkload is a gbtwork process started with -hold: it waits for a
// byte on its stdin before doing its work.
type heldWorkload struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   syncBuffer
	done  bool
}

// startHeld starts gbtwork -hold args and waits until it says it is held;
// the test's end kills it if it was never released.
func startHeld(t *testing.T, ctx context.Context, work string, args []string) *heldWorkload {
	t.Helper()
	w := &heldWorkload{cmd: exec.CommandContext(ctx, work, append([]string{"-hold"}, args...)...)}
	w.cmd.Stdout, w.cmd.Stderr = &w.out, &w.out
	stdin, err := w.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	w.stdin = stdin
	if err := w.cmd.Start(); err != nil {
		t.Fatalf("start workload %v: %v", args, err)
	}
	t.Cleanup(func() {
		if !w.done {
			w.cmd.Process.Kill()
			w.cmd.Wait()
		}
	})
	for !strings.Contains(w.out.String(), "gbtwork: held\n") {
		select {
		case <-ctx.Done():
			t.Fatalf("workload %v did not start: %v\n%s", args, ctx.Err(), clip(w.out.String()))
		case <-time.After(5 * time.Millisecond):
		}
	}
	return w
}

// release lets the workload run and waits for it to finish.
func (w *heldWorkload) release() error {
	_, err := w.stdin.Write([]byte{'\n'})
	w.stdin.Close()
	werr := w.cmd.Wait()
	w.done = true
	if err != nil {
		return fmt.Errorf("release: %w", err)
	}
	return werr
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
// attaches through perf_event ioctls after printing the line: one perf
// event per CPU for its output buffer, then one per probe (BEGIN and END are
// uprobes there), so wait for that many perf event fds, or for their number
// to stay the same for a while longer (a loaded machine may pause it
// between the buffers and the probes).
func waitAttached(pid int, out string) {
	m := attachingN.FindStringSubmatch(out)
	if m == nil {
		return
	}
	want, _ := strconv.Atoi(m[1])
	comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	kind, settle := "bpf_link", 300*time.Millisecond
	if strings.TrimSpace(string(comm)) == "bpftrace" {
		kind, want, settle = "perf_event", want+goruntime.NumCPU(), 2*time.Second
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
		case n > 0 && time.Since(changed) > settle && time.Since(start) > 500*time.Millisecond:
			return
		case n == 0 && time.Since(start) > 500*time.Millisecond:
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkExit runs gbt with args (and env added to this process's) to its
// end, and checks its exit code, its exact stdout when it exits 0, and
// that its stderr holds stderr.
func checkExit(t *testing.T, gbt string, args, env []string, exit int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(gbt, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if code != exit {
		t.Fatalf("exit code %d, want %d\nstderr:\n%s", code, exit, clip(errOut.String()))
	}
	if exit == 0 && out.String() != stdout {
		t.Errorf("stdout %q, want %q\nstderr:\n%s", out.String(), stdout, clip(errOut.String()))
	}
	if !strings.Contains(errOut.String(), stderr) {
		t.Errorf("stderr lacks %q:\n%s", stderr, clip(errOut.String()))
	}
}
