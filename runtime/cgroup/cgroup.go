// Package cgroup finds the cgroup v2 directory that --cgroup names, or
// that a container runtime made for the container --container names.
// Probes keep to the tasks of that directory and of those below it.
package cgroup

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// DefaultMounts is where Root reads the mounted file systems.
const DefaultMounts = "/proc/self/mounts"

// Root returns the mount point of the cgroup v2 hierarchy listed in
// mounts (a /proc/mounts file): /sys/fs/cgroup on a unified host,
// /sys/fs/cgroup/unified on a hybrid one. With several, /sys/fs/cgroup
// comes first, then the first listed.
func Root(mounts string) (string, error) {
	f, err := os.Open(mounts)
	if err != nil {
		return "", fmt.Errorf("find the cgroup v2 mount: %w", err)
	}
	defer f.Close()
	return rootIn(f)
}

func rootIn(r io.Reader) (string, error) {
	var found []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 3 && fields[2] == "cgroup2" {
			found = append(found, unescapeMount(fields[1]))
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("find the cgroup v2 mount: %w", err)
	}
	for _, dir := range found {
		if dir == "/sys/fs/cgroup" {
			return dir, nil
		}
	}
	if len(found) == 0 {
		return "", errors.New("no cgroup v2 file system is mounted (mount -t cgroup2 none /sys/fs/cgroup): the BPF cgroup filter works on cgroup v2 only")
	}
	return found[0], nil
}

// unescapeMount undoes /proc/mounts' octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			var v byte
			ok := true
			for _, c := range []byte(s[i+1 : i+4]) {
				if c < '0' || c > '7' {
					ok = false
					break
				}
				v = v*8 + c - '0'
			}
			if ok {
				b.WriteByte(v)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Dir resolves --cgroup PATH: an absolute path, or one relative to root
// (the cgroup v2 mount). It must be a directory of a cgroup v2 file
// system.
func Dir(root, path string) (string, error) {
	if path == "" {
		return "", errors.New("--cgroup needs a cgroup v2 directory")
	}
	dir := path
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return "", fmt.Errorf("--cgroup %s: %w", path, &os.PathError{Op: "stat", Path: dir, Err: err})
	}
	if st.Type != unix.CGROUP2_SUPER_MAGIC {
		return "", fmt.Errorf("--cgroup %s: %s is not in a cgroup v2 file system (the cgroup v2 hierarchy is mounted at %s)", path, dir, root)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("--cgroup %s: %s is not a directory", path, dir)
	}
	return dir, nil
}
