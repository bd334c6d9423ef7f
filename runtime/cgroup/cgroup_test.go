package cgroup

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRoot: the cgroup v2 mount is /sys/fs/cgroup on a unified host, the
// hybrid host's /sys/fs/cgroup/unified otherwise; a host without one is
// an error that says the filter needs cgroup v2.
func TestRoot(t *testing.T) {
	tests := []struct{ name, mounts, want, err string }{
		{"unified", "sysfs /sys sysfs rw 0 0\ncgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n", "/sys/fs/cgroup", ""},
		{"hybrid", "tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n", "/sys/fs/cgroup/unified", ""},
		{"both", "cgroup2 /mnt/cg cgroup2 rw 0 0\ncgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n", "/sys/fs/cgroup", ""},
		{"escaped", `cgroup2 /mnt/my\040cgroups cgroup2 rw 0 0` + "\n", "/mnt/my cgroups", ""},
		{"none", "cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n", "", "no cgroup v2 file system is mounted"},
	}
	for _, tt := range tests {
		got, err := rootIn(strings.NewReader(tt.mounts))
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("%s: got %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

const (
	id1 = "5062d3801675929a9f7bc331cfe29acfaa0b0d76cfc15176bc059ed6c5290fb0"
	id2 = "5062d3f31aaf7c86d2e7e26cd2a0c2d5f1c5e2f5e3d4f3c2b1a0e9d8c7b6a5f4"
	id3 = "c3929b79771bb872cdb41b7535207ae800b596b7116b7f4dc7ca0c79a5843939"
)

// TestContainerID: the id in the cgroup directory names of containerd,
// CRI-O, Docker and podman, with either cgroup driver; the monitors'
// cgroups and other directories hold none.
func TestContainerID(t *testing.T) {
	tests := map[string]string{
		"cri-containerd-" + id1 + ".scope": id1,
		"crio-" + id1 + ".scope":           id1,
		"docker-" + id1 + ".scope":         id1,
		"libpod-" + id1 + ".scope":         id1,
		"libpod-" + id1:                    id1,
		"libpod-payload-" + id1:            id1,
		id1:                                id1, // /docker/ID, /kubepods/.../ID
		"crio-conmon-" + id1 + ".scope":    "",
		"libpod-conmon-" + id1 + ".scope":  "",
		id1[:12]:                           "", // a bare name must be a whole id
		"docker-" + id1[:12] + ".scope":    id1[:12],
		"system.slice":                     "",
		"kubepods-besteffort-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice": "",
		"libpod_parent":      "",
		"docker":             "",
		"libpod-" + "XYZ123": "",
	}
	for name, want := range tests {
		if got := containerID(name); got != want {
			t.Errorf("containerID(%q) = %q, want %q", name, got, want)
		}
	}
}

// tree makes the directories under a new root and returns it.
func tree(t *testing.T, dirs ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestContainer: --container finds the container's outermost cgroup by
// its id or a unique prefix of it, looks other words up as names, and
// says what went wrong: an ambiguous prefix, a name no engine knows, no
// engine installed, a container without a cgroup.
func TestContainer(t *testing.T) {
	root := tree(t,
		"machine.slice/libpod-"+id1+".scope/container", // podman, systemd driver
		"machine.slice/libpod-conmon-"+id1+".scope",
		"kubepods/besteffort/pod0f1e2d3c/"+id2, // containerd, cgroupfs driver
		"system.slice/docker-"+id3+".scope",
	)
	names := map[string]string{"web": id3, "db": id1, "gone": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
	lookup := func(name string) (string, error) {
		if id, ok := names[name]; ok {
			return id, nil
		}
		return "", errors.New("podman: no such container " + name)
	}
	noEngine := func(string) (string, error) { return "", ErrNoEngine }
	tests := []struct {
		ref    string
		lookup NameLookup
		want   string // directory under root
		err    string
	}{
		{ref: id1, lookup: lookup, want: "machine.slice/libpod-" + id1 + ".scope"},
		{ref: id1[:8], lookup: lookup, want: "machine.slice/libpod-" + id1 + ".scope"},
		{ref: strings.ToUpper(id3[:6]), lookup: lookup, want: "system.slice/docker-" + id3 + ".scope"},
		{ref: id2[:7], lookup: lookup, want: "kubepods/besteffort/pod0f1e2d3c/" + id2},
		{ref: "5062d", lookup: lookup, err: "the ids of 2 containers begin with 5062d (5062d3801675, 5062d3f31aaf): give more of the id"},
		{ref: "web", lookup: lookup, want: "system.slice/docker-" + id3 + ".scope"},
		{ref: "db", lookup: lookup, want: "machine.slice/libpod-" + id1 + ".scope"},
		{ref: "cafe", lookup: lookup, err: `no container's cgroup under ROOT is named by an id beginning with "cafe", and looking it up as a name failed (podman: no such container cafe)`},
		{ref: "web", lookup: noEngine, err: "--container web: it is no container id, and neither podman nor docker is installed to look the name up: give the container's id"},
		{ref: "api", lookup: lookup, err: "--container api: it is no container id, and looking it up as a name failed (podman: no such container api)"},
		{ref: "gone", lookup: lookup, err: "--container gone: container 0123456789ab has no cgroup v2 directory under ROOT: is it running"},
		{ref: "", lookup: lookup, err: "--container needs a container's id or name"},
	}
	for _, tt := range tests {
		got, err := Container(root, tt.ref, tt.lookup)
		if tt.err != "" {
			want := strings.ReplaceAll(tt.err, "ROOT", root)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%q: got %q, %v; want an error saying %q", tt.ref, got, err, want)
			}
			continue
		}
		if want := filepath.Join(root, tt.want); err != nil || got != want {
			t.Errorf("%q: got %q, %v; want %q", tt.ref, got, err, want)
		}
	}
}

// TestDir: --cgroup takes a directory of the cgroup v2 file system,
// absolute or relative to its mount; anything else is an error naming
// the path.
func TestDir(t *testing.T) {
	if _, err := Dir("/sys/fs/cgroup", ""); err == nil {
		t.Error("an empty --cgroup is accepted")
	}
	tmp := t.TempDir()
	if _, err := Dir("/sys/fs/cgroup", tmp); err == nil || !strings.Contains(err.Error(), "is not in a cgroup v2 file system") {
		t.Errorf("--cgroup %s (not a cgroup): %v", tmp, err)
	}
	if _, err := Dir(tmp, "no/such/group"); err == nil || !strings.Contains(err.Error(), filepath.Join(tmp, "no/such/group")) {
		t.Errorf("--cgroup no/such/group: %v", err)
	}
	root, err := Root(DefaultMounts)
	if err != nil {
		t.Skipf("no cgroup v2 mount here: %v", err)
	}
	for _, path := range []string{".", root} {
		if got, err := Dir(root, path); err != nil || got != root {
			t.Errorf("Dir(%q, %q) = %q, %v; want %q", root, path, got, err, root)
		}
	}
	if _, err := Dir(root, "cgroup.procs"); err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Errorf("--cgroup cgroup.procs: %v", err)
	}
}
