// Package probetest provides a probe.Env over canned tracefs files (copied
// from a real 6.18 kernel into lang/probe/testdata), so the front end can be
// tested without root or a mounted tracefs.
package probetest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/gbt-dev/gbt/lang/probe"
)

var (
	_ probe.IndexEnv  = (*Env)(nil)
	_ probe.FormatEnv = (*Env)(nil)
)

// Env reads tracepoint lists and formats from a directory laid out like
// tracefs: available_events and events/<category>/<name>/format.
type Env struct {
	Dir     string
	mu      sync.Mutex
	events  []string
	index   probe.IndexCache
	formats map[tracepoint]format
	parsed  probe.FormatCache
}

// tracepoint names a tracepoint.
type tracepoint struct{ category, name string }

// format is the text of a canned format file, or why there is none.
type format struct {
	text string
	err  error
}

// New returns an Env over lang/probe/testdata.
func New() *Env {
	_, file, _, _ := runtime.Caller(0)
	return &Env{Dir: filepath.Join(filepath.Dir(file), "..", "testdata"), formats: map[tracepoint]format{}}
}

// Tracepoints lists "category:name" for every canned format file; the real
// available_events list is larger, but only events with a format can be
// checked, so both agree.
func (e *Env) Tracepoints() ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.tracepoints()
}

func (e *Env) tracepoints() ([]string, error) {
	if e.events == nil {
		b, err := os.ReadFile(filepath.Join(e.Dir, "available_events"))
		if err != nil {
			return nil, err
		}
		e.events = strings.Fields(string(b))
	}
	return e.events, nil
}

// TracepointIndex implements probe.IndexEnv.
func (e *Env) TracepointIndex() (*probe.TracepointIndex, error) {
	return e.index.Index(e.Tracepoints)
}

// TracepointFormat returns the canned format file of category:name.
// The canned files do not change, so neither does the answer: the
// checker asks again for each script, and for tracepoints listed without
// a canned format too.
func (e *Env) TracepointFormat(category, name string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	key := tracepoint{category, name}
	f, ok := e.formats[key]
	if !ok {
		b, err := os.ReadFile(filepath.Join(e.Dir, "events", category, name, "format"))
		if err != nil {
			err = fmt.Errorf("tracepoint %s:%s: %w", category, name, err)
		}
		f = format{string(b), err}
		e.formats[key] = f
	}
	return f.text, f.err
}

// ParsedFormat implements probe.FormatEnv.
func (e *Env) ParsedFormat(text string) (*probe.Format, error) { return e.parsed.Parse(text) }
