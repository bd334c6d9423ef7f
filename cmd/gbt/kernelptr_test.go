package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestE2EKernelPointers runs the newest bpftrace's builtins that turn
// kernel pointers into others, which bpftrace 0.17 lacks (so the
// differential test cannot compare them): each output is what bpftrace
// 0.27.1 prints for the same script and workload here.
func TestE2EKernelPointers(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	tests := []struct {
		name     string
		prog     string
		workload []string
		want     string // exact stdout
	}{
		{
			// The forking task's newest child is the last entry of its
			// children list, linked through the child's sibling member,
			// by the time sched_process_fork fires. The shell the workload
			// runs forks /bin/true: a plain fork from a single-threaded
			// process, selected by its parent, the workload.
			name: "container_of a list_head in task_struct",
			prog: `tracepoint:sched:sched_process_fork /curtask->real_parent->tgid == @PID@/ {
				$c = container_of(curtask->children.prev, typeof(struct task_struct), sibling);
				printf("%d %d %s\n", $c->pid == args.child_pid, $c->real_parent == curtask, $c->comm); exit(); }`,
			workload: []string{"exec", "1", "/bin/sh", "-c", "/bin/true; true"},
			want:     "1 1 sh\n\n\n",
		},
		{
			// A script's struct: the member's offset is taken off.
			name: "container_of a script struct",
			prog: `struct Foo { int a; int b; } begin { $p = (int32 *)1004;
				print(container_of($p, typeof(struct Foo), b)); print(container_of($p, typeof(struct Foo), a)); exit(); }`,
			want: "0x3e8\n0x3ec\n\n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runTracer(t, traceRun{argv: []string{gbt, "@SCRIPT@"}, script: tt.prog, workload: tt.workload, work: work, timeout: 30 * time.Second})
			if res.exitCode != 0 {
				t.Fatalf("exit %d: %s", res.exitCode, clip(res.stderr))
			}
			if res.stdout != tt.want {
				t.Errorf("stdout:\n%q\nwant:\n%q", res.stdout, tt.want)
			}
		})
	}
}

// TestE2EPercpuKaddr: this CPU's copy of a per-CPU kernel variable is the
// one percpu_kaddr(name, cpu) gives for the CPU the probe runs on
// (tests/runtime/call "percpu_kaddr this cpu"), where the kernel's
// /proc/kallsyms lists the variable (CONFIG_KALLSYMS_ALL); where it does
// not, the kernel refuses the program, for the newest bpftrace too, and gbt
// says why at the call.
func TestE2EPercpuKaddr(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	const prog = `BEGIN { if (*percpu_kaddr("process_counts") == *percpu_kaddr("process_counts", cpu)) { printf("SUCCESS\n"); } exit(); }`
	res := runTracer(t, traceRun{argv: []string{gbt, "-e", prog}, work: work, timeout: 30 * time.Second})
	kallsyms, err := os.ReadFile("/proc/kallsyms")
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`(?m) process_counts$`).Match(kallsyms) {
		if res.exitCode != 0 || res.stdout != "SUCCESS\n\n\n" {
			t.Errorf("exit %d, stdout %q, want SUCCESS\nstderr:\n%s", res.exitCode, res.stdout, clip(res.stderr))
		}
		return
	}
	want := "stdin:1:9-110: ERROR: the kernel's verifier rejected the program of BEGIN: ldimm64 failed to find the address for kernel symbol 'process_counts'.\n" +
		prog + "\n" +
		"        " + strings.Repeat("~", 101) + "\n" +
		"HINT: percpu_kaddr() needs the variable in /proc/kallsyms, which lists data symbols only in kernels built with CONFIG_KALLSYMS_ALL\n"
	if res.exitCode != 1 || !strings.HasPrefix(res.stderr, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant it to start with:\n%s", res.exitCode, res.stderr, want)
	}
}
