package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/runtime/cgroup"
)

// cgroupRoot is the cgroup v2 mount; the test skips, saying why, on a
// host without one.
func cgroupRoot(t *testing.T) string {
	t.Helper()
	root, err := cgroup.Root(cgroup.DefaultMounts)
	if err != nil {
		t.Skip(err)
	}
	return root
}

// makeCgroup creates the cgroup directory dir (and its parents under the
// v2 mount); the test's end removes them, innermost first, once their
// processes have gone.
func makeCgroup(t *testing.T, dir string) {
	t.Helper()
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; ; i++ {
			err := os.Remove(dir)
			if err == nil || os.IsNotExist(err) || i == 50 {
				if err != nil && !os.IsNotExist(err) {
					t.Errorf("remove cgroup %s: %v", dir, err)
				}
				return
			}
			time.Sleep(20 * time.Millisecond) // an exited process leaves its cgroup soon after
		}
	})
}

// cgWorker is a gbtwork process making n kill syscalls, run in cgroup
// dir ("": gbt's own, outside the cgroups the test traces).
type cgWorker struct {
	dir string
	n   int
}

// runCgroupTrace starts the workers held, moved to their cgroups, then
// gbt with flags on a script counting each worker's kill syscalls by pid
// (selected by pid as well, so that only the workers count), releases
// the workers one after another, and returns what gbt printed and the
// workers' pids. The last worker's done marker ends the trace: it must be
// one the flags keep.
func runCgroupTrace(t *testing.T, flags []string, workers []cgWorker) (string, []int) {
	t.Helper()
	_, work := binaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var held []*heldWorkload
	var pids, conds []string
	var pidNums []int
	for _, w := range workers {
		h := startHeld(t, ctx, work, []string{"kill", strconv.Itoa(w.n)})
		pid := h.cmd.Process.Pid
		if w.dir != "" {
			if err := os.WriteFile(filepath.Join(w.dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
				t.Fatalf("move workload %d to %s: %v", pid, w.dir, err)
			}
		}
		held = append(held, h)
		pids = append(pids, strconv.Itoa(pid))
		pidNums = append(pidNums, pid)
		conds = append(conds, "pid == "+strconv.Itoa(pid))
	}
	script := fmt.Sprintf(`BEGIN { printf("begin\n"); }
tracepoint:syscalls:sys_enter_kill /%s/ { @kills[pid] = count(); }
tracepoint:syscalls:sys_enter_getpgid /pid == %s/ { exit(); }
END { printf("end\n"); }`, strings.Join(conds, " || "), pids[len(pids)-1])
	out := traceAround(t, ctx, flags, nil, script, func() {
		for i, h := range held {
			if err := h.release(); err != nil {
				t.Fatalf("workload %s: %v\n%s", pids[i], err, clip(h.out.String()))
			}
		}
	})
	return out, pidNums
}

// traceAround starts gbt with flags (and env added to the test's) on a
// script that ends itself, waits until it has attached, calls release
// (which runs the workload), and returns what gbt printed on stdout once
// it has exited.
func traceAround(t *testing.T, ctx context.Context, flags, env []string, script string, release func()) string {
	t.Helper()
	gbt, _ := binaries(t)
	var stdout, stderr syncBuffer
	cmd := exec.CommandContext(ctx, gbt, append(flags, "-e", script)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for !strings.Contains(stderr.String(), "Attaching") {
		select {
		case err := <-done:
			t.Fatalf("gbt %v exited before attaching: %v\n%s%s", flags, err, clip(stdout.String()), clip(stderr.String()))
		case <-time.After(20 * time.Millisecond):
		}
	}
	waitAttached(cmd.Process.Pid, stderr.String())
	release()
	if err := <-done; err != nil {
		t.Fatalf("gbt %v: %v\n%s%s", flags, err, clip(stdout.String()), clip(stderr.String()))
	}
	return stdout.String()
}

// TestE2ECgroupFilter: with --cgroup (absolute or relative to the cgroup
// v2 mount) every probe counts the tasks of that cgroup and of the one
// nested in it, exactly, and none of a process outside; begin and end,
// which run in gbt's own task outside the cgroup, still run.
func TestE2ECgroupFilter(t *testing.T) {
	requireRoot(t)
	root := cgroupRoot(t)
	name := fmt.Sprintf("gbt-test-%d", os.Getpid())
	top := filepath.Join(root, name)
	nested := filepath.Join(top, "nested")
	makeCgroup(t, top)
	makeCgroup(t, nested)
	for _, flag := range []string{top, name} {
		out, pids := runCgroupTrace(t, []string{"--cgroup", flag}, []cgWorker{{"", 5}, {top, 7}, {nested, 11}})
		want := fmt.Sprintf("begin\nend\n\n\n@kills[%d]: 7\n@kills[%d]: 11\n", pids[1], pids[2])
		if out != want {
			t.Errorf("--cgroup %s: got %q, want %q", flag, out, want)
		}
	}
	// Without the filter the same script counts all three.
	out, pids := runCgroupTrace(t, nil, []cgWorker{{"", 5}, {top, 7}, {nested, 11}})
	if want := fmt.Sprintf("begin\nend\n\n\n@kills[%d]: 5\n@kills[%d]: 7\n@kills[%d]: 11\n", pids[0], pids[1], pids[2]); out != want {
		t.Errorf("no filter: got %q, want %q", out, want)
	}
}

// TestE2EContainerByID: --container finds a cgroup named as podman's
// cgroupfs driver names a container's (libpod-ID) from a prefix of the id,
// and counts its tasks alone, not its parent's.
func TestE2EContainerByID(t *testing.T) {
	requireRoot(t)
	root := cgroupRoot(t)
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		t.Fatal(err)
	}
	id := hex.EncodeToString(buf)
	parent := filepath.Join(root, fmt.Sprintf("gbt-test-%d", os.Getpid()))
	ctr := filepath.Join(parent, "libpod-"+id)
	makeCgroup(t, parent)
	makeCgroup(t, ctr)
	out, pids := runCgroupTrace(t, []string{"--container", id[:16]}, []cgWorker{{parent, 3}, {"", 4}, {ctr, 6}})
	if want := fmt.Sprintf("begin\nend\n\n\n@kills[%d]: 6\n", pids[2]); out != want {
		t.Errorf("--container %s: got %q, want %q", id[:16], out, want)
	}
}

// TestCgroupFlagErrors: --cgroup and --container mistakes are ERROR lines
// that name the flag, and exit 1, before anything is loaded.
func TestCgroupFlagErrors(t *testing.T) {
	type flagCase struct {
		args   []string
		stderr string
	}
	tests := []flagCase{
		{[]string{"--cgroup", "a", "--container", "b"}, "ERROR: give either --cgroup or --container, not both\n"},
		{[]string{"--cgroup", ""}, "ERROR: --cgroup needs a cgroup v2 directory\n"},
		{[]string{"--container", ""}, "ERROR: --container needs a container's id or name\n"},
	}
	if root, err := cgroup.Root(cgroup.DefaultMounts); err == nil {
		tmp := t.TempDir()
		tests = append(tests,
			flagCase{[]string{"--cgroup", "gbt-no-such-cgroup"}, "ERROR: --cgroup gbt-no-such-cgroup: stat " + root + "/gbt-no-such-cgroup: no such file or directory\n"},
			flagCase{[]string{"--cgroup", tmp}, "ERROR: --cgroup " + tmp + ": " + tmp + " is not in a cgroup v2 file system (the cgroup v2 hierarchy is mounted at " + root + ")\n"})
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(append(tt.args, "-e", "tracepoint:syscalls:sys_enter_kill { @ = count(); }"), io.NopCloser(strings.NewReader("")), &stdout, &stderr)
		if code != exitError || stderr.String() != tt.stderr || stdout.Len() != 0 {
			t.Errorf("gbt %q: exit %d, stderr %q, stdout %q; want exit %d, stderr %q",
				tt.args, code, stderr.String(), stdout.String(), exitError, tt.stderr)
		}
	}
}
