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

	"github.com/gbt-dev/gbt/internal/podmantest"
	"github.com/gbt-dev/gbt/runtime/cgroup"
)

// podmanStore is a podman of the test's own (internal/podmantest) and the
// cgroups of the containers it started. gbt's own lookup of a container by
// name gets its Env.
type podmanStore struct {
	*podmantest.Podman
	root string   // the cgroup v2 mount
	ids  []string // the containers started, whose cgroups the end removes
}

// newPodmanStore makes the store; at the test's end its containers and
// images go, then the cgroups the runtime may have left.
func newPodmanStore(t *testing.T, root string) *podmanStore {
	t.Helper()
	s := &podmanStore{Podman: podmantest.New(t), root: root}
	t.Cleanup(func() {
		s.RemoveAll(t)
		s.removeCgroups(t)
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

// run runs a podman command to its end and returns its output.
func (s *podmanStore) run(t *testing.T, ctx context.Context, args ...string) string {
	t.Helper()
	var stderr bytes.Buffer
	cmd := s.Command(ctx, args...)
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
	c.cmd = s.Command(ctx, append([]string{"run", "-i", "--rm", "--name", name, "--privileged", "--pids-limit", "0",
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
		out := traceAround(t, ctx, []string{"-v", "--container", ref}, s.Env, script, func() {
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
