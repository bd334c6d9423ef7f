// Package probetest provides a probe.Env with canned answers, so the front
// end can be tested without root, a mounted tracefs or the kernel's BTF:
// tracefs files copied from a real 6.18 kernel (testdata, embedded), and
// struct layouts, function prototypes, symbols and USDT probes of that
// kernel and its programs.
package probetest

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/gbt-dev/gbt/lang/probe"
)

var _ probe.Env = (*Env)(nil)

//go:embed testdata
var testdata embed.FS

// Env answers from canned data. Its tracepoints are read from a directory
// laid out like tracefs: available_events and
// events/<category>/<name>/format. It is safe for concurrent use.
type Env struct {
	tracefs fs.FS
	mu      sync.Mutex
	events  []string
	index   probe.IndexCache
	formats probe.FormatCache
	// Process are the files the traced process maps (-p): what an
	// attach point without a file, or with "*", names.
	Process []string
	// Program is the traced process's executable (TracedProgram): the
	// -c command's or the -p process's; "" when none is traced.
	Program string
}

// New returns an Env over the canned files of a 6.18 kernel.
func New() *Env {
	sub, err := fs.Sub(testdata, "testdata")
	if err != nil {
		panic(err) // testdata is embedded: it is there
	}
	return &Env{tracefs: sub}
}

// Tracepoints lists the canned available_events.
func (e *Env) Tracepoints() ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.events == nil {
		b, err := fs.ReadFile(e.tracefs, "available_events")
		if err != nil {
			return nil, err
		}
		e.events = strings.Fields(string(b))
	}
	return e.events, nil
}

// TracepointIndex implements probe.Env.
func (e *Env) TracepointIndex() (*probe.TracepointIndex, error) {
	return e.index.Index(e.Tracepoints)
}

// TracepointFormat returns the canned format file of category:name,
// parsed once.
func (e *Env) TracepointFormat(category, name string) (*probe.Format, error) {
	return e.formats.Format(category, name, func() (string, error) {
		b, err := fs.ReadFile(e.tracefs, path.Join("events", category, name, "format"))
		if err != nil {
			return "", fmt.Errorf("tracepoint %s:%s: %w", category, name, err)
		}
		return string(b), nil
	})
}
