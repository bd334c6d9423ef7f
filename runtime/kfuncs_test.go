package runtime_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/kernel"
)

// TestKernelKfuncRefusedAtCall: a program calling a kernel function its
// type may not call (the canned environment lets kprobes call
// bpf_task_from_pid; this kernel's verifier may not) is refused with the
// function named and the span of the call that needs it. Where the kernel
// allows it, the program loads, which proves the call's id was resolved.
func TestKernelKfuncRefusedAtCall(t *testing.T) {
	requireRoot(t)
	obj := compile(t, `kprobe:vfs_read { @ = comm(1); }`)
	err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: io.Discard, Stderr: io.Discard, DryRun: true})
	allowed, kerr := kernel.NewEnv().KfuncAllowed("bpf_task_from_pid", probe.Lookup("kprobe"), "")
	if kerr != nil {
		t.Fatalf("KfuncAllowed: %v", kerr)
	}
	if allowed {
		if err != nil {
			t.Fatalf("this kernel allows kprobes to call bpf_task_from_pid, but: %v", err)
		}
		return
	}
	var le *runtime.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("got %v, want a LoadError", err)
	}
	if at := span(23, 30); le.Kfunc != "bpf_task_from_pid" || le.Span.Start.Col != at.Start.Col || le.Span.End.Col != at.End.Col {
		t.Errorf("kfunc %q at %v, want bpf_task_from_pid at the call (23-30): %+v", le.Kfunc, le.Span, le)
	}
}

// TestKernelKfuncResolved: comm(pid) calls two kernel functions, whose ids
// the runtime finds in this kernel's BTF; the tracepoint program loads.
func TestKernelKfuncResolved(t *testing.T) {
	requireRoot(t)
	obj := compile(t, `tracepoint:syscalls:sys_enter_openat { @[comm(pid)] = count(); }`)
	if err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: io.Discard, Stderr: io.Discard, DryRun: true}); err != nil {
		t.Fatal(err)
	}
}
