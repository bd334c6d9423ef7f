package main

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// TestE2EIter: iter:task, iter:task_file and iter:task_vma run their
// block once for each task (and each of its open files or mappings) when
// gbt reads the iterator, then the run ends, END and the maps after. The
// task is the sleep this test starts, selected by pid, whose files 0-2
// are /dev/null (path() takes the file's BTF pointer, read off the
// context). exit() in the block stops nothing the read has not: every
// task prints.
func TestE2EIter(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	sleep := exec.Command("sleep", "60")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		sleep.Process.Kill()
		sleep.Wait()
	}()
	pid := sleep.Process.Pid
	tests := []struct {
		script, want string
	}{
		{
			script: fmt.Sprintf(`iter:task /ctx->task->pid == %d/ { printf("%%s %%d\n", ctx->task->comm, ctx->task->pid); @n = count(); } END { printf("end\n"); }`, pid),
			want:   fmt.Sprintf("sleep %d\nend\n\n\n@n: 1\n", pid),
		},
		{
			script: fmt.Sprintf(`it:task_file /ctx->task->pid == %d && ctx->fd <= 2/ { printf("%%d %%s\n", ctx->fd, path(ctx->file->f_path)); }`, pid),
			want:   "0 /dev/null\n1 /dev/null\n2 /dev/null\n\n\n",
		},
		{
			script: fmt.Sprintf(`iter:task /ctx->task->pid == %d || ctx->task->pid == %d/ { @[ctx->task->pid == %d] = count(); exit(); }`, pid, 1<<30, pid),
			want:   "\n\n@[true]: 1\n",
		},
		{
			// Each of the sleep's mappings is a vma from vm_start to vm_end.
			script: fmt.Sprintf(`iter:task_vma /ctx->task->pid == %d/ { @[ctx->vma->vm_start < ctx->vma->vm_end] = 1; }`, pid),
			want:   "\n\n@[true]: 1\n",
		},
		{
			// The last call of the iterator (no task) runs no block.
			script: `iter:task { @calls = count(); @nulls = sum(ctx->task == 0); }`,
			want:   "@nulls: 0\n",
		},
	}
	for _, tt := range tests {
		out, err := exec.Command(gbt, "-q", "-e", tt.script).CombinedOutput()
		got := string(out)
		if strings.HasPrefix(tt.script, "iter:task {") {
			// @calls is the number of tasks, which varies.
			if i := strings.Index(got, "@nulls"); i >= 0 && strings.Contains(got[:i], "@calls: ") {
				got = got[i:]
			}
		}
		if err != nil || got != tt.want {
			t.Errorf("gbt -e %q: %v\n%q\nwant\n%q", tt.script, err, out, tt.want)
		}
	}
}
