// Package kernel is gbt's view of the running machine: Env answers the
// front end's questions (lang/probe.Env) from tracefs (tracepoint lists and
// format files, mounted on demand), the kernel's BTF, its symbols and ELF
// files; other facts the runtime asks about live beside it.
package kernel

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/lang/probe"
)

// DefaultTracefsPaths are the tracefs mount points NewEnv tries, in order;
// the first is where EnsureTracefs mounts it.
var DefaultTracefsPaths = []string{"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}

// Env implements lang/probe.Env over the live machine. It reads lazily and
// caches what it read. It is safe for concurrent use.
type Env struct {
	btf     kernelBTF  // struct layouts, loaded on first use
	debug   debugFiles // DWARF of user binaries, read on first use
	mu      sync.Mutex
	paths   []string // candidate tracefs directories
	tracefs string   // the one found, once found
	events  []string
	index   probe.IndexCache
	formats probe.FormatCache
	pid     int    // the traced process (-p), 0 if none
	command string // the -c command's program, "" if none

	traceablePath string   // --traceable-functions, "" for tracefs's
	traceable     []string // "module:function", read once
	traceableErr  error
	includeDirs   []string            // -I directories, searched first for #include
	kfuncs        map[kfuncQuery]bool // KfuncAllowed's answers
}

var _ probe.Env = (*Env)(nil)

// NewEnv returns an Env over DefaultTracefsPaths; nothing is read until
// asked.
func NewEnv() *Env { return NewEnvAt(DefaultTracefsPaths...) }

// NewEnvAt returns an Env that looks for tracefs in the given directories,
// in order, and mounts it at the first when asked to.
func NewEnvAt(paths ...string) *Env {
	return &Env{paths: paths}
}

// Tracefs returns the tracefs directory in use ("" if none found).
func (e *Env) Tracefs() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.findTracefs()
}

func (e *Env) findTracefs() string {
	if e.tracefs != "" {
		return e.tracefs
	}
	for _, p := range e.paths {
		if _, err := os.Stat(filepath.Join(p, "available_events")); err == nil {
			e.tracefs = p
			return p
		}
	}
	return ""
}

// EnsureTracefs mounts tracefs at /sys/kernel/tracing if no tracefs is
// mounted and the process may mount. It reports whether it mounted.
func (e *Env) EnsureTracefs() (mounted bool, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.findTracefs() != "" {
		return false, nil
	}
	if len(e.paths) == 0 {
		return false, errors.New("no tracefs mount point configured")
	}
	if os.Geteuid() != 0 {
		return false, errors.New("tracefs is not mounted and mounting it needs root")
	}
	target := e.paths[0]
	if err := unix.Mount("nodev", target, "tracefs", 0, ""); err != nil {
		return false, fmt.Errorf("mount tracefs at %s: %w", target, err)
	}
	e.tracefs = ""
	if e.findTracefs() == "" {
		return true, fmt.Errorf("mounted tracefs at %s but it has no available_events", target)
	}
	return true, nil
}

// Tracepoints returns every available tracepoint as "category:name".
func (e *Env) Tracepoints() ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.tracepoints()
}

func (e *Env) tracepoints() ([]string, error) {
	if e.events != nil {
		return e.events, nil
	}
	dir := e.findTracefs()
	if dir == "" {
		return nil, errors.New("tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)")
	}
	b, err := os.ReadFile(filepath.Join(dir, "available_events"))
	if err != nil {
		return nil, fmt.Errorf("read tracepoint list: %w", err)
	}
	e.events = strings.Fields(string(b))
	return e.events, nil
}

// TracepointIndex implements probe.Env over the list Tracepoints returns,
// which is read once.
func (e *Env) TracepointIndex() (*probe.TracepointIndex, error) {
	return e.index.Index(e.Tracepoints)
}

// TracepointFormat implements probe.Env: a tracepoint's format file, read
// and parsed once.
func (e *Env) TracepointFormat(category, name string) (*probe.Format, error) {
	return e.formats.Format(category, name, func() (string, error) { return e.formatText(category, name) })
}

// formatText reads the text of a tracepoint's format file.
func (e *Env) formatText(category, name string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	key := category + ":" + name
	dir := e.findTracefs()
	if dir == "" {
		return "", errors.New("tracefs is not mounted")
	}
	if strings.ContainsAny(key, "/\x00") || strings.Contains(key, "..") {
		return "", fmt.Errorf("invalid tracepoint name %q", key)
	}
	b, err := os.ReadFile(filepath.Join(dir, "events", category, name, "format"))
	if err != nil {
		return "", fmt.Errorf("tracepoint %s: %w", key, err)
	}
	return string(b), nil
}

// TracepointID returns the perf event id of a tracepoint (its events/.../id
// file), as perf_event_open wants it in Config.
func (e *Env) TracepointID(category, name string) (uint64, error) {
	e.mu.Lock()
	dir := e.findTracefs()
	e.mu.Unlock()
	if dir == "" {
		return 0, errors.New("tracefs is not mounted")
	}
	key := category + ":" + name
	if strings.ContainsAny(key, "/\x00") || strings.Contains(key, "..") {
		return 0, fmt.Errorf("invalid tracepoint name %q", key)
	}
	b, err := os.ReadFile(filepath.Join(dir, "events", category, name, "id"))
	if err != nil {
		return 0, fmt.Errorf("tracepoint %s: %w", key, err)
	}
	id, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("tracepoint %s: id: %w", key, err)
	}
	return id, nil
}
