package main

import (
	"fmt"
	"os"
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
	pid := startSleep(t)
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

// TestE2EIterPinned: iter:task:PIN pins the iterator in the BPF file
// system and ends; each read of the file runs the program, whose printf
// the kernel formats into the reader (bpf_seq_printf). Output that only
// gbt could print is refused at the call, and nothing is pinned then.
func TestE2EIterPinned(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	pid := startSleep(t)
	name := fmt.Sprintf("gbt_e2e_iter_%d", os.Getpid())
	file := "/sys/fs/bpf/" + name
	defer os.Remove(file)
	script := fmt.Sprintf(`iter:task:%s /ctx->task->pid == %d/ { printf("%%s %%d|%%-4d|%%x|%%lu|%%s\n", ctx->task->comm, ctx->task->pid, 7, 255, -1, "100%%"); }`, name, pid)
	out, err := exec.Command(gbt, "-q", "-e", script).CombinedOutput()
	if want := "Program pinned to " + file + "\n\n\n"; err != nil || string(out) != want {
		t.Fatalf("gbt -e %q: %v\n%q\nwant %q", script, err, out, want)
	}
	want := fmt.Sprintf("sleep %d|7   |ff|18446744073709551615|100%%\n", pid)
	for i := range 2 { // each read runs the program again
		got, err := os.ReadFile(file)
		if err != nil || string(got) != want {
			t.Errorf("read %d of %s: %v %q, want %q", i, file, err, got, want)
		}
	}

	refused := []struct{ script, want string }{
		{`iter:task:%s { print(1); }`, "ERROR: print() cannot be used in a pinned iterator"},
		{`iter:task:%s { printf("%%s\n", ksym(1)); }`, "ERROR: printf() in a pinned iterator: %s of a ksym"},
		{`iter:task:%s { printf("%%.2s\n", ctx->task->comm); }`, "ERROR: printf() in a pinned iterator: the kernel's formatter has no precision (%.2s)"},
	}
	other := name + "_refused"
	for _, tt := range refused {
		script := fmt.Sprintf(tt.script, other)
		out, err := exec.Command(gbt, "-q", "-e", script).CombinedOutput()
		if err == nil || !strings.Contains(string(out), tt.want) {
			t.Errorf("gbt -e %q: %v\n%s\nwant %q", script, err, out, tt.want)
		}
		if _, err := os.Stat("/sys/fs/bpf/" + other); err == nil {
			os.Remove("/sys/fs/bpf/" + other)
			t.Errorf("gbt -e %q pinned the iterator it refused", script)
		}
	}
}

// startSleep starts a sleep for the iterators to find by its pid, killed
// when the test ends.
func startSleep(t *testing.T) int {
	t.Helper()
	sleep := exec.Command("sleep", "60")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sleep.Process.Kill()
		sleep.Wait()
	})
	return sleep.Process.Pid
}
