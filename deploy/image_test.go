package deploy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/deploy/image"
	"github.com/gbt-dev/gbt/internal/podmantest"
	"github.com/gbt-dev/gbt/internal/testenv"
)

// The image tests build gbt and its image, load the image into a podman
// store of the test's own, and run gbt in containers on the host's kernel.

// buildGo builds a package of gbt's module (relative to the repository's
// root) statically into dir.
func buildGo(t *testing.T, dir, pkg string) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// newPodman is a podman with a store of its own (internal/podmantest), its
// containers and images removed at the test's end.
func newPodman(t *testing.T) *podmantest.Podman {
	p := podmantest.New(t)
	t.Cleanup(func() { p.RemoveAll(t) })
	return p
}

// runFlags are the podman run flags every container here gets: file and
// process limits lower than the test's own (podman's defaults are higher,
// and raising a limit needs CAP_SYS_RESOURCE, which a test may lack), no
// pids limit (the pids controller is not in the cgroup v2 hierarchy of a
// hybrid host).
func runFlags() []string {
	limit := func(resource int) uint64 {
		var l unix.Rlimit
		if err := unix.Getrlimit(resource, &l); err != nil {
			return 1024
		}
		return min(l.Cur, 1024)
	}
	return []string{"run", "--rm", "--pids-limit", "0",
		"--ulimit", fmt.Sprintf("nofile=%[1]d:%[1]d", limit(unix.RLIMIT_NOFILE)),
		"--ulimit", fmt.Sprintf("nproc=%[1]d:%[1]d", limit(unix.RLIMIT_NPROC))}
}

var (
	archiveOnce sync.Once
	archiveDir  string // TestMain removes it
	archive     string // the image as a docker-archive, built once
	archiveErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if archiveDir != "" {
		os.RemoveAll(archiveDir)
	}
	os.Exit(code)
}

// buildArchive builds gbt and its image, once for the test process.
func buildArchive(t *testing.T, tag string) string {
	t.Helper()
	archiveOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gbt-image-")
		if err != nil {
			archiveErr = err
			return
		}
		archiveDir = dir
		var exe []byte
		if exe, archiveErr = os.ReadFile(buildGo(t, dir, "./cmd/gbt")); archiveErr != nil {
			return
		}
		img, err := image.Build(exe)
		if err != nil {
			archiveErr = err
			return
		}
		archive = filepath.Join(dir, "gbt-image.tar")
		archiveErr = image.WriteDocker(archive, tag, img)
	})
	if archiveErr != nil {
		t.Fatal(archiveErr)
	}
	return archive
}

// loadImage loads gbt's image into p; dir is a directory of the test's.
func loadImage(t *testing.T, p *podmantest.Podman) (tag, dir string) {
	t.Helper()
	tag, dir = "localhost/gbt:test", t.TempDir()
	out, err := p.Command(context.Background(), "load", "-i", buildArchive(t, tag)).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Loaded image: "+tag) {
		t.Fatalf("podman load: %v\n%s", err, out)
	}
	return tag, dir
}

// syncBuffer is a bytes.Buffer safe for a process to write while the test
// reads it.
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

// waitFor polls cond until it holds or ctx ends.
func waitFor(ctx context.Context, cond func() bool) bool {
	for !cond() {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
	return true
}

// TestImage runs the image under podman as the README shows (privileged,
// the host's pids): a BEGIN probe, then a tracepoint script that counts
// the opens of a workload on the host selected by its pid.
func TestImage(t *testing.T) {
	testenv.RequireRoot(t)
	p := newPodman(t)
	tag, dir := loadImage(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	run := append(runFlags(), "--privileged", "--pid=host", "--network=none", tag)
	out, err := p.Command(ctx, append(run, "-e", `BEGIN { printf("hi\n"); exit(); }`)...).Output()
	if err != nil || string(out) != "hi\n\n\n" {
		t.Errorf("BEGIN: %v, stdout %q, want %q", err, out, "hi\n\n\n")
	}

	work := buildGo(t, dir, "./internal/cmd/gbtwork")
	w := exec.CommandContext(ctx, work, "-hold", "open", "5", "/dev/null")
	var wout syncBuffer
	w.Stdout, w.Stderr = &wout, &wout
	release, err := w.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Wait()
	defer release.Close()
	if !waitFor(ctx, func() bool { return strings.Contains(wout.String(), "gbtwork: held\n") }) {
		t.Fatalf("the workload did not start:\n%s", wout.String())
	}
	pid := strconv.Itoa(w.Process.Pid)
	script := `tracepoint:syscalls:sys_enter_openat /pid == ` + pid + `/ { @opens[str(args->filename)] = count(); }
tracepoint:syscalls:sys_enter_getpgid /pid == ` + pid + `/ { exit(); }`
	var stdout, stderr syncBuffer
	gbt := p.Command(ctx, append(run, "-e", script)...)
	gbt.Stdout, gbt.Stderr = &stdout, &stderr
	if err := gbt.Start(); err != nil {
		t.Fatal(err)
	}
	if !waitFor(ctx, func() bool { return strings.Contains(stderr.String(), "Attached 2 probes") }) {
		gbt.Process.Kill()
		t.Fatalf("gbt in the container did not attach:\n%s", stderr.String())
	}
	if _, err := release.Write([]byte("\n")); err != nil {
		t.Fatal(err)
	}
	if err := gbt.Wait(); err != nil {
		t.Fatalf("gbt in the container: %v\n%s", err, stderr.String())
	}
	if want := "\n\n@opens[/dev/null]: 5\n"; stdout.String() != want {
		t.Errorf("tracepoint: stdout %q, want %q\nstderr:\n%s", stdout.String(), want, stderr.String())
	}
}

// freePort is a TCP port of the loopback interface nothing listens on.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// haveCap reports whether this process holds capability c.
func haveCap(c int) bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	return data[c/32].Effective&(1<<(c%32)) != 0
}

// TestImageDaemonSet runs the image as the DaemonSet's pod runs it, its
// flags read from kubernetes/daemonset.yaml: its arguments, the
// ConfigMap's script at its mount, its hostPath mounts, its capabilities
// and nothing else (not privileged), a read-only root, no privilege
// escalation, its seccomp choice. Then it scrapes the metrics Prometheus
// would and finds the opens of a program the test runs.
func TestImageDaemonSet(t *testing.T) {
	testenv.RequireRoot(t)
	m := loadManifests(t)
	r := containerRun(t, m)
	p := newPodman(t)
	tag, dir := loadImage(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	args := append([]string{}, runFlags()...)
	// hostPID as the pod has it, unless this host cannot run a container
	// that is not privileged in a cgroup: crun loads a device-filter BPF
	// program for it, which needs CAP_SYS_RESOURCE here to raise the
	// memlock limit. Without a cgroup, podman wants a pid namespace of the
	// container's own; the script reads no pids.
	if haveCap(unix.CAP_SYS_RESOURCE) {
		args = append(args, "--pid=host")
	} else {
		t.Log("no CAP_SYS_RESOURCE: the container runs without a cgroup of its own, in its own pid namespace")
		args = append(args, "--cgroups=disabled")
	}
	args = append(args, "--network=host", "--cap-drop=ALL")
	for _, c := range r.caps {
		args = append(args, "--cap-add="+c)
	}
	if r.readOnly {
		args = append(args, "--read-only")
	}
	if r.noNewPrivs {
		args = append(args, "--security-opt=no-new-privileges")
	}
	if r.seccomp == "Unconfined" {
		args = append(args, "--security-opt=seccomp=unconfined")
	}
	for _, b := range r.mounts {
		args = append(args, "-v", b.host+":"+b.container+map[bool]string{true: ":ro", false: ""}[b.readOnly])
	}
	scripts := filepath.Join(dir, "configmap")
	if err := os.Mkdir(scripts, 0o755); err != nil {
		t.Fatal(err)
	}
	for key, text := range m.configMap.Data {
		if err := os.WriteFile(filepath.Join(scripts, key), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args = append(args, "-v", scripts+":"+r.configPath+":ro", tag)
	// The pod's --metrics address, on a free port of the loopback: the
	// test shares the host's network, where 9464 may be taken.
	port := freePort(t)
	gbtArgs := append([]string{}, r.args...)
	gbtArgs[r.metricsArg] = "127.0.0.1:" + port
	var stdout, stderr syncBuffer
	gbt := p.Command(ctx, append(args, gbtArgs...)...)
	gbt.Stdout, gbt.Stderr = &stdout, &stderr
	if err := gbt.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		gbt.Process.Signal(unix.SIGTERM) // podman hands it to gbt, which prints its maps and exits
		gbt.Wait()
	}()
	url := "http://127.0.0.1:" + port + "/metrics"
	scrape := func() string {
		resp, err := http.Get(url)
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if !waitFor(ctx, func() bool { return scrape() != "" }) {
		t.Fatalf("no metrics at %s\nstderr:\n%s", url, stderr.String())
	}
	// A program with a name of its own opens files as it starts (the
	// dynamic loader, then its own); each run counts under its name.
	name := fmt.Sprintf("gbtdeploy%d", os.Getpid()%100000)
	prog := filepath.Join(dir, name)
	if err := os.WriteFile(prog, mustRead(t, "/bin/cat"), 0o755); err != nil {
		t.Fatal(err)
	}
	const runs = 5
	for range runs {
		if out, err := exec.Command(prog, "/dev/null").CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", prog, err, out)
		}
	}
	line := regexp.MustCompile(`(?m)^gbt_opens_total\{key="` + name + `"\} (\d+)$`)
	var got int
	if !waitFor(ctx, func() bool {
		if mm := line.FindStringSubmatch(scrape()); mm != nil {
			got, _ = strconv.Atoi(mm[1])
		}
		return got >= runs
	}) {
		t.Fatalf("gbt_opens_total{key=%q} = %d, want at least %d (one open of /dev/null a run)\nmetrics:\n%s\nstderr:\n%s", name, got, runs, scrape(), stderr.String())
	}
	if !strings.Contains(scrape(), "# TYPE gbt_open_latency_us histogram") {
		t.Errorf("no gbt_open_latency_us histogram:\n%s", scrape())
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
