package main

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestE2EPidNamespace: run in a pid namespace of its own, gbt numbers pid
// and tid as that namespace does (it is pid 1 there, and begin runs on
// its main thread), and pid(init)/tid(init) as the initial one does.
func TestE2EPidNamespace(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("no unshare here")
	}
	out, err := exec.Command(unshare, "--fork", "--pid", "--mount-proc", gbt, "-q", "-e",
		`begin { printf("%d, %d, %d, %d|%d|%d\n", pid, pid(curr_ns), tid, tid(curr_ns), pid(init) == tid(init), pid(init)); exit() }`).Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	got := strings.TrimSpace(string(out))
	fields := strings.Split(got, "|")
	if len(fields) != 3 || fields[0] != "1, 1, 1, 1" || fields[1] != "1" || fields[2] == "1" {
		t.Errorf("got %q, want \"1, 1, 1, 1|1|N\" (N the initial namespace's pid, not 1)", got)
	}
	if n, err := strconv.Atoi(fields[len(fields)-1]); err != nil || n <= 1 {
		t.Errorf("pid(init) = %q, want gbt's pid in the initial namespace", fields[len(fields)-1])
	}
}

// TestE2EPidInit: outside any pid namespace of its own, pid, pid(curr_ns)
// and pid(init) are the -c command's pid in its uprobe.
func TestE2EPidInit(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	prog := "uprobe:" + work + `:main.run { printf("%d %d %d %d\n", pid == cpid, pid(curr_ns) == cpid, pid(init) == cpid, tid(init) == tid); }`
	res := runTracer(t, traceRun{argv: []string{gbt, "-q", "-c", work + " open 1 /dev/null", "-e", prog}})
	if res.exitCode != 0 || res.stdout != "1 1 1 1\n\n\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", res.exitCode, clip(res.stdout), clip(res.stderr))
	}
}
