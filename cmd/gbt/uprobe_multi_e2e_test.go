package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf/features"

	"github.com/gbt-dev/gbt/runtime"
)

// TestE2EUprobeMulti: a block of uprobes of several functions, and one of
// uretprobes, attach with one uprobe_multi link each where the kernel has
// them (and one uprobe per function with --no-feature uprobe_multi, or
// where it has not), keep to the process -p names (the link takes its
// pid: a second copy of the workload runs beside it unseen), and count
// each function's calls under its own probe name (the cookies).
func TestE2EUprobeMulti(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	o2, _ := usdtWorkloads(t)
	script := fmt.Sprintf(`uprobe:%[1]s:m*, uprobe:%[1]s:ind*, uprobe:%[1]s:work { @[probe] = count(); }
uretprobe:%[1]s:m* { @r[probe, retval] = count(); }`, o2)
	// usdtwork 5: work() 5 times, then many() (its eight arguments add up
	// to 176) and indexed() once; main returns 0.
	want := strings.Join([]string{
		"@[uprobe:" + o2 + ":indexed]: 1",
		"@[uprobe:" + o2 + ":main]: 1",
		"@[uprobe:" + o2 + ":many]: 1",
		"@[uprobe:" + o2 + ":work]: 5",
		"@r[uretprobe:" + o2 + ":main, 0]: 1",
		"@r[uretprobe:" + o2 + ":many, 176]: 1",
	}, "\n")
	// The links: one per function (perf events), else one for the
	// uprobes and one for the uretprobes, as /proc/PID/fdinfo names them.
	perFunction := map[string]int{"perf": 6}
	links := map[string]int{"uprobe_multi": 1, "uretprobe_multi": 1}
	if err := features.HaveBPFLinkUprobeMulti(); err != nil {
		t.Logf("this kernel has no uprobe_multi links (%v): one uprobe per function", err)
		links = perFunction
	}
	// A block attached with multi links counts as one probe against
	// BPFTRACE_MAX_PROBES (one program, as the newest bpftrace counts
	// them against BPFTRACE_MAX_BPF_PROGS): 2 here, 6 without them.
	for _, flags := range [][]string{nil, {"--no-feature", "uprobe_multi"}} {
		cmd := exec.Command(gbt, append(flags, "--dry-run", "-e", script)...)
		cmd.Env = append(os.Environ(), "BPFTRACE_MAX_PROBES=2")
		out, err := cmd.CombinedOutput()
		refused := strings.Contains(string(out), "the program has 6 probes, more than BPFTRACE_MAX_PROBES=2 allows")
		if wantRefused := flags != nil || links["perf"] > 0; refused != wantRefused || (err != nil) != wantRefused {
			t.Errorf("BPFTRACE_MAX_PROBES=2 gbt %q --dry-run: %v\n%s\nwant refused: %v", flags, err, clip(string(out)), wantRefused)
		}
	}
	for _, tt := range []struct {
		flags []string
		links map[string]int
	}{
		{nil, links},
		{[]string{"--no-feature", "uprobe_multi"}, perFunction},
	} {
		t.Run(fmt.Sprintf("%q", tt.flags), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			// The workload is a shell that waits for a line, then
			// becomes usdtwork: its pid is the traced process's.
			work, release := startHeldShell(t, ctx, o2+" 5")
			other, releaseOther := startHeldShell(t, ctx, o2+" 7")
			args := append(append([]string{}, tt.flags...), "-p", strconv.Itoa(work.Process.Pid), "-e", script)
			cmd := exec.CommandContext(ctx, gbt, args...)
			cmd.Env = append(os.Environ(), runtime.AttachedMarker+"=1")
			var stdout, stderr syncBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			for !strings.Contains(stdout.String(), runtime.AttachedMarker) {
				select {
				case <-ctx.Done():
					t.Fatalf("gbt did not attach: %v\nstderr:\n%s", ctx.Err(), clip(stderr.String()))
				case <-time.After(10 * time.Millisecond):
				}
			}
			links := linkTypes(t, cmd.Process.Pid)
			releaseOther()
			release()
			if err := cmd.Wait(); err != nil {
				t.Fatalf("gbt %q: %v\nstderr:\n%s", args, err, clip(stderr.String()))
			}
			if !maps.Equal(links, tt.links) {
				t.Errorf("gbt %q holds the links %v, want %v", args, links, tt.links)
			}
			if got := mapLines(stdout.String()); got != want {
				t.Errorf("gbt %q printed (sorted)\n%s\nwant\n%s\nstderr:\n%s", args, got, want, clip(stderr.String()))
			}
			_ = other.Wait()
		})
	}
}

// startHeldShell starts a shell that reads a line from its stdin, then
// replaces itself with command (same pid); release writes the line.
func startHeldShell(t *testing.T, ctx context.Context, command string) (*exec.Cmd, func()) {
	t.Helper()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", "read x; exec "+command)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, func() {
		if _, err := io.WriteString(stdin, "go\n"); err != nil {
			t.Errorf("release %s: %v", command, err)
		}
	}
}

// linkTypes counts the BPF links process pid holds by type, as its fds'
// fdinfo names them ("uprobe_multi", "perf_event").
func linkTypes(t *testing.T, pid int) map[string]int {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fdinfo", pid)
	fds, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, fd := range fds {
		b, err := os.ReadFile(filepath.Join(dir, fd.Name()))
		if err != nil {
			continue // closed since
		}
		for _, line := range bytes.Split(b, []byte("\n")) {
			if v, ok := bytes.CutPrefix(line, []byte("link_type:")); ok {
				types[string(bytes.TrimSpace(v))]++
			}
		}
	}
	return types
}

// mapLines is the map lines (@...) of out, sorted.
func mapLines(out string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "@") {
			lines = append(lines, l)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
