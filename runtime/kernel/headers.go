package kernel

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"

	"github.com/gbt-dev/gbt/internal/cheaders"
	"github.com/gbt-dev/gbt/lang/probe"
)

// systemIncludeDirs are searched for #include <...> after the -I
// directories, as clang searches them for bpftrace: with the multiarch
// directory of Debian and Ubuntu, where glibc's <sys/syscall.h> and the
// kernel's <asm/unistd.h> are.
func systemIncludeDirs() []string {
	dirs := []string{"/usr/local/include"}
	if triple, ok := multiarch[goruntime.GOARCH]; ok {
		dirs = append(dirs, "/usr/include/"+triple)
	}
	return append(dirs, "/usr/include")
}

// multiarch are the multiarch triples of the architectures gbt runs on.
var multiarch = map[string]string{"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}

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

// HeaderMacros implements probe.Env: the macros of package cheaders.
func (e *Env) HeaderMacros() map[string]int64 { return cheaders.Macros() }

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
	dirs = append(dirs, systemIncludeDirs()...)
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
