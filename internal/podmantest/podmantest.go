// Package podmantest gives tests a podman of their own: a private image
// and container store and state, so that a test neither sees nor changes
// the host's containers.
package podmantest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/internal/testenv"
)

// Podman runs podman on a store of the test's own.
type Podman struct {
	// Env is the environment every podman command gets, and anything else
	// that runs podman on the store (gbt looking a container up by name).
	Env  []string
	path string
	// wrap runs podman where /sys/fs/cgroup is the cgroup v2 mount; nil
	// where it already is.
	wrap []string
}

// New makes a private store with settings that work wherever the test
// runs as root: the vfs storage driver (no overlay mounts), the cgroupfs
// manager (no systemd needed), events in a file (no journald). On a hybrid
// cgroup host (cgroup v2 mounted at /sys/fs/cgroup/unified, as on this
// project's CI machine) crun refuses to run and podman would put
// containers in cgroup v1 only, where BPF's cgroup helpers do not look:
// each podman command then runs in a mount namespace of its own in which
// the cgroup v2 hierarchy is mounted at /sys/fs/cgroup, so podman and crun
// make the container's cgroup in the very hierarchy gbt filters on (under
// its usual mount). The store lives in a t.TempDir; the caller removes the
// containers and images it made with RemoveAll.
func New(t testing.TB) *Podman {
	t.Helper()
	p := &Podman{path: testenv.RequireCommand(t, "podman", "apt-get install podman; .ci/run does")}
	dir := t.TempDir()
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
	p.Env = []string{"CONTAINERS_STORAGE_CONF=" + storage, "CONTAINERS_CONF=" + conf}
	var fs unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &fs); err == nil && fs.Type != unix.CGROUP2_SUPER_MAGIC {
		unshare := testenv.RequireCommand(t, "unshare", "util-linux")
		p.wrap = []string{unshare, "--mount", "sh", "-c", `mount -t cgroup2 none /sys/fs/cgroup && exec "$@"`, "sh"}
	}
	return p
}

// Command is a podman command on the store.
func (p *Podman) Command(ctx context.Context, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, p.wrap...), p.path), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), p.Env...)
	return cmd
}

// RemoveAll removes every container and image of the store (vfs layers
// hold files podman made as root); failures are logged.
func (p *Podman) RemoveAll(t testing.TB) {
	for _, args := range [][]string{{"rm", "--all", "--force"}, {"rmi", "--all", "--force"}} {
		if out, err := p.Command(context.Background(), args...).CombinedOutput(); err != nil {
			t.Logf("podman %s: %v\n%s", args[0], err, out)
		}
	}
}
