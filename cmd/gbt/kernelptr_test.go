package main

import (
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
