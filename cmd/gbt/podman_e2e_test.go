package main

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/internal/testenv"
	"github.com/gbt-dev/gbt/runtime/cgroup"
)

// podmanStore is a podman of the test's own: its own image and container
// store and state, so that the test neither sees nor changes the host's
// containers. Every podman command, and gbt's own lookup of a container
// by name, gets env.
type podmanStore struct {
	podman string
	env    []string
	root   string   // the cgroup v2 mount
	ids    []string // the containers started, whose cgroups the end removes
	// wrap runs podman where /sys/fs/cgroup is the cgroup v2 mount (see
	// newPodmanStore); nil where it already is.
	wrap []string
}

// newPodmanStore makes a private podman store with settings that work
// wherever the test runs as root: the vfs storage driver (no overlay
// mounts), the cgroupfs manager (no systemd needed), events in a file
// (no journald). On a hybrid cgroup host (cgroup v2 mounted at
// /sys/fs/cgroup/unified, as on this project's CI machine) podman would
// put containers in cgroup v1 only, where BPF's cgroup helpers do not
// look; each podman command then runs in a mount namespace of its own in
// which the cgroup v2 hierarchy is mounted at /sys/fs/cgroup, so podman
// and crun see a cgroup v2 host and make the container's cgroup in that
// hierarchy, the very one gbt filters on (under its usual mount).
func newPodmanStore(t *testing.T, root string) *podmanStore {
	t.Helper()
	s := &podmanStore{podman: testenv.RequireCommand(t, "podman", "apt-get install podman; .ci/run does"), root: root}
	dir, err := os.MkdirTemp("", "gbt-podman-")
	if err != nil {
		t.Fatal(err)
	}
	storage := filepath.Join(dir, "storage.conf")
	conf := filepath.Join(dir, "containers.conf")
	files := map[string]string{
		storage: fmt.Sprintf("[storage]\ndriver = \"vfs\"\ngraphroot = %q\nrunroot = %q\n", filepath.Join(dir, "root"), filepath.Join(dir, "run")),
		conf:    fmt.Sprintf("[engine]\ntmp_dir = %q\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n", filepath.Join(dir, "tmp")),
	}
	for name, text := range files {
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s.env = []string{"CONTAINERS_STORAGE_CONF=" + storage, "CONTAINERS_CONF=" + conf}
	if root != "/sys/fs/cgroup" {
		unshare := testenv.RequireCommand(t, "unshare", "util-linux")
		s.wrap = []string{unshare, "--mount", "sh", "-c", `mount -t cgroup2 none /sys/fs/cgroup && exec "$@"`, "sh"}
	}
	t.Cleanup(func() {
		if out, err := s.command(context.Background(), "rm", "--all", "--force").CombinedOutput(); err != nil {
			t.Logf("podman rm: %v\n%s", err, out)
		}
		if out, err := s.command(context.Background(), "rmi", "--all", "--force").CombinedOutput(); err != nil {
			t.Logf("podman rmi: %v\n%s", err, out)
		}
		s.removeCgroups(t)
		if err := os.RemoveAll(dir); err != nil {
			t.Logf("remove podman store: %v", err)
		}
	})
	return s
}

// removeCgroups removes the cgroups of the containers the test started
// that are left: the runtime removes them when podman cleans a container
// up, which it does in the background after the container's end, and the
// store may be gone by then.
func (s *podmanStore) removeCgroups(t *testing.T) {
	for _, id := range s.ids {
		ms, err := cgroup.FindID(s.root, id)
		if err != nil {
			t.Logf("find the cgroup of container %s: %v", id, err)
			continue
		}
		for _, m := range ms {
			var err error
			for i := 0; i < 50; i++ {
				if err = os.Remove(m.Dir); err == nil || os.IsNotExist(err) {
					err = nil
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err != nil {
				t.Errorf("remove the cgroup of container %s: %v", id, err)
			}
		}
	}
}

// command is a podman command on the store.
func (s *podmanStore) command(ctx context.Context, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, s.wrap...), s.podman), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), s.env...)
	return cmd
}

// run runs a podman command to its end and returns its output.
func (s *podmanStore) run(t *testing.T, ctx context.Context, args ...string) string {
	t.Helper()
	var stderr bytes.Buffer
	cmd := s.command(ctx, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// importImage makes an image of one file, the static gbtwork, with
// podman import: no registry, no network.
func (s *podmanStore) importImage(t *testing.T, ctx context.Context, work, name string) {
	t.Helper()
	bin, err := os.ReadFile(work)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "image.tar")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	if err := tw.WriteHeader(&tar.Header{Name: "gbtwork", Mode: 0o755, Size: int64(len(bin)), ModTime: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(bin); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	s.run(t, ctx, "import", "--quiet", path, name)
}

// heldContainer is a container running gbtwork -hold: podman run -i
// hands it the test's go-ahead byte.
type heldContainer struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   syncBuffer
	id    string
	pid   int // gbtwork's pid in gbt's (the initial) pid namespace
}

// startContainer runs gbtwork -hold ARGS in a container named name and
// waits until it is held. The flags are those this VM needs and any host
// takes: --privileged (crun's device-filter BPF program is refused here),
// no pids limit (the pids controller is not in the cgroup v2 hierarchy of
// a hybrid host), file limits no higher than the test's (raising them
// needs CAP_SYS_RESOURCE), no network.
func (s *podmanStore) startContainer(t *testing.T, ctx context.Context, image, name string, args ...string) *heldContainer {
	t.Helper()
	c := &heldContainer{}
	c.cmd = s.command(ctx, append([]string{"run", "-i", "--rm", "--name", name, "--privileged", "--pids-limit", "0",
		"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--network", "none", image, "/gbtwork", "-hold"}, args...)...)
	c.cmd.Stdout, c.cmd.Stderr = &c.out, &c.out
	stdin, err := c.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.stdin = stdin
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.stdin.Close()
		c.cmd.Process.Kill()
		c.cmd.Wait()
	})
	for !strings.Contains(c.out.String(), "gbtwork: held\n") {
		select {
		case <-ctx.Done():
			t.Fatalf("container %s did not start: %v\n%s", name, ctx.Err(), clip(c.out.String()))
		case <-time.After(20 * time.Millisecond):
		}
	}
	fields := strings.Fields(s.run(t, ctx, "container", "inspect", "--format", "{{.Id}} {{.State.Pid}}", name))
	if len(fields) != 2 {
		t.Fatalf("podman container inspect %s: %q", name, fields)
	}
	c.id = fields[0]
	s.ids = append(s.ids, c.id)
	c.pid, err = strconv.Atoi(fields[1])
	if err != nil || c.pid <= 0 {
		t.Fatalf("podman container inspect %s: pid %q", name, fields[1])
	}
	return c
}

// release lets the container's gbtwork run and waits for the container's
// end.
func (c *heldContainer) release() error {
	_, err := c.stdin.Write([]byte{'\n'})
	c.stdin.Close()
	if werr := c.cmd.Wait(); werr != nil {
		return fmt.Errorf("%w\n%s", werr, clip(c.out.String()))
	}
	return err
}

// TestE2EPodmanContainer: a real podman container (an image of the
// static gbtwork, imported without a registry) is traced with --container
// by a prefix of its id and by its name: its own system calls are counted
// exactly, those of a process outside it not at all.
func TestE2EPodmanContainer(t *testing.T) {
	requireRoot(t)
	root := cgroupRoot(t)
	_, work := binaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s := newPodmanStore(t, root)
	image := fmt.Sprintf("localhost/gbt-test:%d", os.Getpid())
	s.importImage(t, ctx, work, image)
	for i, by := range []string{"id", "name"} {
		name := fmt.Sprintf("gbt-test-%d-%d", os.Getpid(), i)
		c := s.startContainer(t, ctx, image, name, "kill", "9")
		outside := startHeld(t, ctx, work, []string{"kill", "5"})
		ref := name
		if by == "id" {
			ref = c.id[:12]
		}
		script := fmt.Sprintf(`tracepoint:syscalls:sys_enter_kill /pid == %d || pid == %d/ { @kills[pid] = count(); }
tracepoint:syscalls:sys_enter_getpgid /pid == %[1]d/ { exit(); }`, c.pid, outside.cmd.Process.Pid)
		start := time.Now()
		out := traceAround(t, ctx, []string{"-v", "--container", ref}, s.env, script, func() {
			if err := outside.release(); err != nil {
				t.Fatalf("workload outside: %v", err)
			}
			if err := c.release(); err != nil {
				t.Fatalf("container %s: %v", name, err)
			}
		})
		t.Logf("--container %s: traced in %v", ref, time.Since(start))
		if want := fmt.Sprintf("\n\n@kills[%d]: 9\n", c.pid); out != want {
			t.Errorf("--container %s (by %s): got %q, want %q", ref, by, out, want)
		}
	}
}
