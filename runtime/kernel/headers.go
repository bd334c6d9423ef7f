package kernel

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gbt-dev/gbt/lang/probe"
)

// systemIncludeDirs are searched for #include <...> after the -I
// directories, as clang searches them for bpftrace.
var systemIncludeDirs = []string{"/usr/local/include", "/usr/include"}

// compilerHeaders are the compiler's own headers, which bpftrace carries
// inside its clang and a machine may have in no include directory.
var compilerHeaders = map[string]bool{
	"stddef.h": true, "stdarg.h": true, "stdbool.h": true, "stdint.h": true,
	"float.h": true, "limits.h": true, "__stddef_max_align_t.h": true,
}

// SetIncludeDirs sets the directories searched first for #include (-I
// DIR, in order). Call it before the Env answers anything.
func (e *Env) SetIncludeDirs(dirs []string) {
	e.mu.Lock()
	e.includeDirs = append([]string(nil), dirs...)
	e.mu.Unlock()
}

// Header implements probe.Env: "name" is looked up in the working
// directory, then like <name> in the -I directories and the system
// include directories; the compiler's own headers are always found.
func (e *Env) Header(name string, system bool) error {
	if compilerHeaders[name] {
		return nil
	}
	e.mu.Lock()
	dirs := append([]string(nil), e.includeDirs...)
	e.mu.Unlock()
	if !system {
		dirs = append([]string{"."}, dirs...)
	}
	dirs = append(dirs, systemIncludeDirs...)
	if filepath.IsAbs(name) {
		dirs = []string{""}
	}
	for _, d := range dirs {
		_, err := os.Stat(filepath.Join(d, name))
		if err == nil {
			return nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("header %s: %w", name, err)
		}
	}
	return fmt.Errorf("'%s' %w", name, probe.ErrNoHeader)
}
