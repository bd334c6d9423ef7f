package cgroup

import (
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// idPrefixes are how container runtimes begin the name of a container's
// cgroup directory before its id; a ".scope" suffix (systemd's cgroup
// driver) is dropped first. containerd (under Kubernetes) names it
// cri-containerd-ID.scope, CRI-O crio-ID.scope, Docker docker-ID.scope,
// podman libpod-ID.scope or libpod-ID (cgroupfs driver) and
// libpod-payload-ID. With the cgroupfs drivers containerd and Docker name
// it by the bare id (/kubepods/.../ID, /docker/ID). A monitor's cgroup
// (crio-conmon-ID.scope, libpod-conmon-ID.scope) is no match: its name
// goes on with "conmon-", not with the id.
var idPrefixes = []string{"cri-containerd-", "crio-", "docker-", "libpod-payload-", "libpod-", ""}

// fullIDLen is the length of a full container id (64 hex digits): a
// directory named by a bare id must have all of them.
const fullIDLen = 64

// containerID returns the id a cgroup directory's name holds, or "".
func containerID(name string) string {
	name = strings.TrimSuffix(name, ".scope")
	for _, p := range idPrefixes {
		id, ok := strings.CutPrefix(name, p)
		if !ok || !isHex(id) || p == "" && len(id) != fullIDLen {
			continue
		}
		return id
	}
	return ""
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Match is a container cgroup directory.
type Match struct {
	ID  string // the container's full id
	Dir string
}

// FindID returns the cgroup directories under root of the containers
// whose id begins with prefix, one per container (the outermost
// directory named by its id: the others are below it).
func FindID(root, prefix string) ([]Match, error) {
	prefix = strings.ToLower(prefix)
	byID := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root {
				return err
			}
			return nil // a cgroup removed while walking
		}
		if !d.IsDir() || path == root {
			return nil
		}
		id := containerID(d.Name())
		if id == "" || !strings.HasPrefix(id, prefix) {
			return nil
		}
		if _, seen := byID[id]; !seen {
			byID[id] = path
		}
		return fs.SkipDir
	})
	if err != nil {
		return nil, fmt.Errorf("list the cgroups under %s: %w", root, err)
	}
	var ms []Match
	for id, dir := range byID {
		ms = append(ms, Match{id, dir})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].ID < ms[j].ID })
	return ms, nil
}

// NameLookup finds a container's full id from its name, as a container
// engine's CLI does.
type NameLookup func(name string) (id string, err error)

// Engines are the CLIs --container asks for a container's id by name,
// in order: the first installed one that knows the name answers.
var Engines = []string{"podman", "docker"}

// ErrNoEngine is returned by LookupName when none of Engines is
// installed.
var ErrNoEngine = errors.New("neither podman nor docker is installed to look the name up")

// LookupName asks each installed engine of Engines
// (`ENGINE container inspect --format {{.Id}} NAME`) for the id of a
// container by name.
func LookupName(name string) (string, error) {
	var tried []string
	for _, engine := range Engines {
		path, err := exec.LookPath(engine)
		if err != nil {
			continue
		}
		out, err := exec.Command(path, "container", "inspect", "--format", "{{.Id}}", name).Output()
		id := strings.TrimSpace(string(out))
		if err == nil && isHex(id) {
			return id, nil
		}
		why := "no such container"
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			why = strings.TrimSpace(strings.SplitN(string(ee.Stderr), "\n", 2)[0])
		} else if err != nil {
			why = err.Error()
		}
		tried = append(tried, engine+": "+why)
	}
	if tried == nil {
		return "", ErrNoEngine
	}
	return "", errors.New(strings.Join(tried, "; "))
}

// Container resolves --container REF, a container's id, a unique prefix
// of it, or its name (looked up with lookup), to the container's cgroup
// directory under root.
func Container(root, ref string, lookup NameLookup) (string, error) {
	if ref == "" {
		return "", errors.New("--container needs a container's id or name")
	}
	if isHex(strings.ToLower(ref)) {
		ms, err := FindID(root, ref)
		if err != nil {
			return "", fmt.Errorf("--container %s: %w", ref, err)
		}
		switch len(ms) {
		case 1:
			return ms[0].Dir, nil
		case 0:
		default:
			ids := make([]string, len(ms))
			for i, m := range ms {
				ids[i] = m.ID[:min(len(m.ID), 12)]
			}
			return "", fmt.Errorf("--container %s: the ids of %d containers begin with %s (%s): give more of the id", ref, len(ms), ref, strings.Join(ids, ", "))
		}
	}
	id, err := lookup(ref)
	if err != nil {
		hint := "give the container's id (podman ps --no-trunc, docker ps --no-trunc, crictl ps, ctr containers ls) or its cgroup directory with --cgroup PATH"
		notID := "it is no container id"
		if isHex(strings.ToLower(ref)) {
			notID = fmt.Sprintf("no container's cgroup under %s is named by an id beginning with %q", root, ref)
		}
		return "", fmt.Errorf("--container %s: %s, and %v: %s", ref, notID, lookupWhy(err), hint)
	}
	ms, err := FindID(root, id)
	if err != nil {
		return "", fmt.Errorf("--container %s: %w", ref, err)
	}
	if len(ms) != 1 {
		return "", fmt.Errorf("--container %s: container %s has no cgroup v2 directory under %s: is it running (and not with --cgroups=disabled)?", ref, id[:min(len(id), 12)], root)
	}
	return ms[0].Dir, nil
}

// lookupWhy words a failed name lookup for Container's error.
func lookupWhy(err error) string {
	if errors.Is(err, ErrNoEngine) {
		return err.Error()
	}
	return "looking it up as a name failed (" + err.Error() + ")"
}
