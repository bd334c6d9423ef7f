package kernel

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gbt-dev/gbt/lang/probe"
)

// KernelFunctions implements probe.Env: the functions tracefs lists in
// available_filter_functions, read once.
func (e *Env) KernelFunctions() ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.funcs != nil {
		return e.funcs, nil
	}
	dir := e.findTracefs()
	if dir == "" {
		return nil, errors.New("tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)")
	}
	b, err := os.ReadFile(filepath.Join(dir, "available_filter_functions"))
	if err != nil {
		return nil, fmt.Errorf("read the kernel's traceable functions: %w", err)
	}
	e.funcs = probe.ParseFilterFunctions(string(b))
	return e.funcs, nil
}
