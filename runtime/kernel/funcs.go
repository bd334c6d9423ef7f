package kernel

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/gbt-dev/gbt/lang/probe"
)

// SetTraceableFunctions makes TraceableFunctions read path instead of
// tracefs's available_filter_functions (--traceable-functions).
func (e *Env) SetTraceableFunctions(path string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.traceablePath = path
}

// TraceableFunctions implements probe.Env from available_filter_functions
// (lines "function" or "function [module]"), read once.
func (e *Env) TraceableFunctions() ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.traceable != nil || e.traceableErr != nil {
		return e.traceable, e.traceableErr
	}
	path := e.traceablePath
	if path == "" {
		dir := e.findTracefs()
		if dir == "" {
			dir = DefaultTracefsPaths[0]
		}
		path = filepath.Join(dir, "available_filter_functions")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		e.traceableErr = &probe.TraceableError{Path: path, Err: err}
		return nil, e.traceableErr
	}
	e.traceable = parseFilterFunctions(b)
	return e.traceable, nil
}

// parseFilterFunctions turns available_filter_functions into sorted
// "module:function" names without duplicates (a static function may be
// listed several times).
func parseFilterFunctions(b []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// bpftrace leaves out the .part.N pieces of split functions and
		// the functions that make a kernel unstable when traced.
		if len(fields) == 0 || probe.UnsafeKernelFunction(fields[0]) || strings.Contains(fields[0], ".part.") {
			continue
		}
		mod := "vmlinux"
		if len(fields) > 1 && strings.HasPrefix(fields[1], "[") {
			mod = strings.Trim(fields[1], "[]")
		}
		out = append(out, mod+":"+fields[0])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// BTFFunctions implements probe.Env: the FUNC records of the kernel's BTF
// and of every module's (/sys/kernel/btf/MODULE), as "module:function".
func (e *Env) BTFFunctions() ([]string, error) {
	var out []string
	err := e.eachBTF(func(mod string, spec *btf.Spec) {
		for t := range spec.All() {
			if fn, ok := t.(*btf.Func); ok && fn.Name != "" {
				out = append(out, mod+":"+fn.Name)
			}
		}
	})
	slices.Sort(out)
	return slices.Compact(out), err
}

// rawTracepointPrefixes are the prefixes of the BTF functions each raw
// tracepoint has, one of them per kernel version.
var rawTracepointPrefixes = []string{"__probestub_", "__traceiter_", "__bpf_trace_"}

// RawTracepoints implements probe.Env from BTF: every tracepoint has a
// __probestub_NAME (or, in older kernels, __traceiter_NAME or
// __bpf_trace_NAME) function.
func (e *Env) RawTracepoints() ([]string, error) {
	var out []string
	err := e.eachBTF(func(mod string, spec *btf.Spec) {
		for t := range spec.All() {
			fn, ok := t.(*btf.Func)
			if !ok {
				continue
			}
			for _, p := range rawTracepointPrefixes {
				if name, ok := strings.CutPrefix(fn.Name, p); ok && name != "" {
					out = append(out, mod+":"+name)
					break
				}
			}
		}
	})
	slices.Sort(out)
	return slices.Compact(out), err
}

// eachBTF calls f with the kernel's BTF and then each module's.
func (e *Env) eachBTF(f func(module string, spec *btf.Spec)) error {
	k := &e.btf
	k.load()
	if k.err != nil {
		return k.err
	}
	k.mu.Lock()
	f("vmlinux", k.spec)
	k.mu.Unlock()
	mods, _ := filepath.Glob("/sys/kernel/btf/*")
	for _, m := range mods {
		name := filepath.Base(m)
		if name == "vmlinux" {
			continue
		}
		spec, err := btf.LoadKernelModuleSpec(name)
		if err != nil {
			return fmt.Errorf("load BTF of module %s: %w", name, err)
		}
		f(name, spec)
	}
	return nil
}
