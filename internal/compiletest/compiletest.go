// Package compiletest compiles scripts for tests through runtime.Compile,
// the pipeline gbt and Go programs use, failing the test with the rendered
// diagnostics of the first stage that reports errors.
package compiletest

import (
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime"
)

// Compile compiles src (named name in diagnostics) with the given probe
// environment; unsafe allows --unsafe builtins. It compiles for two CPUs
// whatever the machine, so that generated code is the same everywhere.
func Compile(t testing.TB, name, src string, env probe.Env, unsafe bool) *codegen.Object {
	t.Helper()
	return CompileWith(t, name, src, runtime.CompileOptions{Env: env, Unsafe: unsafe})
}

// CompileWith compiles src with opts, for two CPUs as Compile.
func CompileWith(t testing.TB, name, src string, opts runtime.CompileOptions) *codegen.Object {
	t.Helper()
	opts.NumCPUs = 2
	if opts.Helpers == nil {
		// The code of every machine: as if the kernel had every helper
		// (comm compared in place).
		opts.Helpers = func(ebpf.ProgramType, asm.BuiltinFunc) bool { return true }
	}
	if opts.SyscallRawTP == nil {
		// As on an x86-64 kernel with BTF: system call tracepoints
		// run on sys_enter and sys_exit; thread_info.status is at 16
		// since Linux 5.11.
		opts.SyscallRawTP = func() (int, bool) { return 16, true }
	}
	obj, _, err := runtime.Compile(name, src, opts)
	if err != nil {
		t.Fatal(err)
	}
	return obj
}
