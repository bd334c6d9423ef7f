package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestE2EBPFProgramNames: gbt's programs carry BTF function info with
// bpftrace's names (probe name and index), which the kernel reports for
// them and which gbt -l 'fentry:bpf:*' lists, with each program's id, as
// fentry:bpf and fexit:bpf probes find them. (Attaching to them needs BPF
// trampolines, which this machine's kernel refuses: the kernel guests
// test that, internal/vmtest's fentry_bpf_program.)
func TestE2EBPFProgramNames(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	ms := 100000 + os.Getpid()%100000 // a name no other run has
	script := fmt.Sprintf(`interval:ms:%d { @a = 1; } tracepoint:syscalls:sys_enter_getppid /pid == 1/ { @n = count(); } END { @a = 2; }`, ms)
	cmd := exec.Command(gbt, "-e", script)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := bufio.NewScanner(stderr)
	for lines.Scan() && !strings.HasPrefix(lines.Text(), "Attached") {
	}
	ids := progIDs(t, cmd.Process.Pid)
	out, err := exec.Command(gbt, "-l", "fentry:bpf:*").CombinedOutput()
	if err != nil {
		t.Fatalf("gbt -l 'fentry:bpf:*': %v\n%s", err, out)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var id uint32
		var name string
		if _, err := fmt.Sscanf(strings.ReplaceAll(l, ":", " "), "fentry bpf %d %s", &id, &name); err == nil && ids[id] {
			got = append(got, name)
		}
	}
	slices.Sort(got)
	want := []string{"END_3", fmt.Sprintf("interval_ms_%d_1", ms), "tracepoint_syscalls_sys_enter_getppid_2"}
	if !slices.Equal(got, want) {
		t.Errorf("gbt -l 'fentry:bpf:*' lists the programs of gbt -e %q as %q, want %q\nall:\n%s", script, got, want, out)
	}
}

// progIDs returns the ids of the BPF programs a process holds, from its
// fds' fdinfo.
func progIDs(t *testing.T, pid int) map[uint32]bool {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fdinfo", pid))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[uint32]bool{}
	for _, fd := range fds {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%s", pid, fd.Name()))
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			var id uint32
			if _, err := fmt.Sscanf(l, "prog_id:\t%d", &id); err == nil {
				ids[id] = true
			}
		}
	}
	if len(ids) == 0 {
		t.Fatalf("process %d holds no BPF program", pid)
	}
	return ids
}
