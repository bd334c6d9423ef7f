package kernel

import (
	"fmt"
	"slices"
	"sync"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/runtime/debugfile"
	"github.com/gbt-dev/gbt/runtime/dwarfinfo"
)

// debugFiles caches the debug info of the user binaries a script names,
// opened once each (a failure too).
type debugFiles struct {
	mu    sync.Mutex
	files map[string]*debugFile
	dirs  []string // extra directories of separate debug files (--debuginfo)
}

type debugFile struct {
	f   *dwarfinfo.File
	err error
}

func (d *debugFiles) open(path string) (*dwarfinfo.File, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if df, ok := d.files[path]; ok {
		return df.f, df.err
	}
	if d.files == nil {
		d.files = map[string]*debugFile{}
	}
	f, err := dwarfinfo.Open(path, append(slices.Clone(d.dirs), debugfile.DefaultDirs()...))
	d.files[path] = &debugFile{f, err}
	return f, err
}

// AddDebugDirs adds directories to search for the separate debug info of
// stripped binaries (--debuginfo), before /usr/lib/debug. Call it before
// the Env answers anything.
func (e *Env) AddDebugDirs(dirs ...string) {
	e.debug.mu.Lock()
	defer e.debug.mu.Unlock()
	e.debug.dirs = append(e.debug.dirs, dirs...)
}

// UserProto implements probe.Env from the file's DWARF debug info.
func (e *Env) UserProto(path, fn string) (*probe.UserProto, error) {
	f, err := e.debug.open(path)
	if err != nil {
		return nil, err
	}
	return f.Proto(fn)
}

// UserStruct implements probe.Env from the file's DWARF debug info.
func (e *Env) UserStruct(path, name string) (types.Type, error) {
	f, err := e.debug.open(path)
	if err != nil {
		return types.Type{}, err
	}
	return f.Record(name)
}

// UserLineAddrs implements probe.Env from the file's DWARF line tables.
func (e *Env) UserLineAddrs(path string, line probe.SourceLine) ([]uint64, error) {
	f, err := e.debug.open(path)
	if err != nil {
		return nil, err
	}
	addrs, err := f.LineAddrs(line.File, line.Line)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return addrs, nil
}
