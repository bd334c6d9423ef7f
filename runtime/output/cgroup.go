package output

import (
	"bufio"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// cgroupPaths renders cgroup_path(id [, filter]) as bpftrace 0.17 does:
// "hierarchy:/path" for each mounted hierarchy whose name matches the
// filter (a glob) and holds a cgroup directory with that id (its inode),
// joined by commas, with "unified" (the cgroup2 hierarchy) first and the
// others by name. Hierarchies and found paths are remembered.
type cgroupPaths struct {
	roots []cgroupRoot // nil until first use
	found map[cgroupKey]string
}

type cgroupRoot struct{ name, dir string }

type cgroupKey struct {
	id  uint64
	dir string
}

func (c *cgroupPaths) appendPaths(dst []byte, id uint64, filter string) []byte {
	if c.roots == nil {
		c.roots = cgroupRoots("/proc/mounts")
		c.found = map[cgroupKey]string{}
	}
	first := true
	for _, r := range c.roots {
		if ok, _ := path.Match(filter, r.name); !ok {
			continue
		}
		p := c.find(id, r.dir)
		if p == "" {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, r.name...)
		dst = append(dst, ':')
		dst = append(dst, p...)
	}
	return dst
}

// find returns the path below dir of the directory whose inode is id, or "".
func (c *cgroupPaths) find(id uint64, dir string) string {
	key := cgroupKey{id, dir}
	if p, ok := c.found[key]; ok && inode(filepath.Join(dir, p)) == id {
		return p
	}
	var found string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if inode(p) == id {
			found = strings.TrimPrefix(p, dir)
			if found == "" {
				found = "/"
			}
			return fs.SkipAll
		}
		return nil
	})
	if found != "" {
		c.found[key] = found
	}
	return found
}

func inode(p string) uint64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// cgroupRoots lists the mounted cgroup hierarchies: cgroup2 as "unified",
// each cgroup (v1) by its mount directory's name; unified first.
func cgroupRoots(mounts string) []cgroupRoot {
	f, err := os.Open(mounts)
	if err != nil {
		return []cgroupRoot{}
	}
	defer f.Close()
	roots := []cgroupRoot{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		switch fields[2] {
		case "cgroup2":
			roots = append(roots, cgroupRoot{"unified", fields[1]})
		case "cgroup":
			roots = append(roots, cgroupRoot{filepath.Base(fields[1]), fields[1]})
		}
	}
	sort.SliceStable(roots, func(i, j int) bool {
		a, b := roots[i].name, roots[j].name
		if a == "unified" || b == "unified" {
			return a == "unified" && b != "unified"
		}
		return a < b
	})
	return roots
}

// appendStrerror appends strerror(3)'s text for errno: Go's table, which
// is glibc's in lower case.
func appendStrerror(dst []byte, errno int64) []byte {
	if errno == 0 {
		return append(dst, "Success"...)
	}
	msg := ""
	if errno > 0 && errno < 1<<16 {
		msg = syscall.Errno(errno).Error()
	}
	if msg == "" || strings.HasPrefix(msg, "errno ") {
		dst = append(dst, "Unknown error "...)
		return strconv.AppendInt(dst, errno, 10)
	}
	dst = append(dst, strings.ToUpper(msg[:1])...)
	return append(dst, msg[1:]...)
}
