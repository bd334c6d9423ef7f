package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-dev/gbt/internal/testenv"
)

// nofpWorkload builds testdata/nofp/nofp.c without frame pointers and
// starts it; it is killed when the test ends.
func nofpWorkload(t *testing.T) (bin string, pid int) {
	t.Helper()
	gcc := testenv.RequireCommand(t, "gcc", "apt-get install gcc libc6-dev; .ci/run does")
	bin = filepath.Join(t.TempDir(), "nofp")
	if out, err := exec.Command(gcc, "-O2", "-g", "-fomit-frame-pointer", "-fno-optimize-sibling-calls", "-o", bin, "testdata/nofp/nofp.c").CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return bin, cmd.Process.Pid
}

// stackBlocks returns the first n stacks a script's printf("%s\n", stack)
// lines printed: blocks of lines between blank lines, without the
// Attaching/Attached lines. (A probe that fires again before the tool
// stops prints more; the first ones are compared.)
func stackBlocks(out string, n int) []string {
	var blocks []string
	for _, b := range strings.Split(out, "\n\n") {
		var lines []string
		for _, l := range strings.Split(b, "\n") {
			if l != "" && !strings.HasPrefix(l, "Attach") {
				lines = append(lines, l)
			}
		}
		if len(lines) > 0 && len(blocks) < n {
			blocks = append(blocks, strings.Join(lines, "\n"))
		}
	}
	return blocks
}

// newestBpftraceLauncher returns the newest bpftrace (GBT_NEWEST_BPFTRACE,
// as .ci/run sets it, or ../shared/tools/newest-bpftrace), or skips.
func newestBpftraceLauncher(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("GBT_NEWEST_BPFTRACE"), "../../../shared/tools/newest-bpftrace", "/work/shared/tools/newest-bpftrace"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			abs, _ := filepath.Abs(p)
			return abs
		}
	}
	why := "the newest bpftrace is not installed: run ../shared/tools/newest-bpftrace --setup-only (.ci/run does)"
	if testenv.Required() {
		t.Fatal(why)
	}
	t.Skip(why)
	return ""
}

// TestE2EDwarfUstackNewest prints the dw_ustack of a process built without
// frame pointers (-p) with gbt and with the newest bpftrace, which unwinds
// in BPF: the same frames, named and (perf, raw) with the same addresses,
// since it is the same process. The newest bpftrace takes ~15 s to load
// its unwinder.
func TestE2EDwarfUstackNewest(t *testing.T) {
	requireRoot(t)
	newest := newestBpftraceLauncher(t)
	gbt, _ := binaries(t)
	bin, pid := nofpWorkload(t)
	script := fmt.Sprintf(`config = { unstable_dw_ustack=enable } uprobe:%s:funcD { printf("%%s\n", dw_ustack(5)); printf("%%s\n", dw_ustack(perf, 5)); printf("%%s\n", dw_ustack(raw, 5)); exit(); }`, bin)
	run := func(tool string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, tool, "-p", strconv.Itoa(pid), "-e", script)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", tool, err, clip(stderr.String()))
		}
		return string(out)
	}
	want, got := stackBlocks(run(newest), 3), stackBlocks(run(gbt), 3)
	if len(got) != 3 || !chainRE.MatchString("\n"+got[0]+"\n") {
		t.Fatalf("gbt printed %q, want funcD, funcC, funcB, funcA, main in each mode", got)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dw_ustack differs from the newest bpftrace's (-bpftrace +gbt):\n%s", diff)
	}
}

// chainRE is nofp's stack in funcD, as dw_ustack prints it.
var chainRE = regexp.MustCompile(`\n {8}funcD\+0\n {8}funcC\+\d+\n {8}funcB\+\d+\n {8}funcA\+\d+\n {8}main\+\d+\n`)

// TestE2EDwarfUstackTargets: dw_ustack unwinds the processes it is told of
// (-p here), warns as bpftrace in the others (--dwarf-pid names another),
// and refuses a script when it is told of none.
func TestE2EDwarfUstackTargets(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	bin, pid := nofpWorkload(t)
	script := fmt.Sprintf(`uprobe:%s:funcD { printf("%%s\n", dw_ustack); exit(); }`, bin)
	run := func(script string, args ...string) (string, string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, gbt, append(args, "-e", script)...)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}

	stdout, stderr, err := run(script, "-p", strconv.Itoa(pid))
	if err != nil || !chainRE.MatchString(stdout) {
		t.Errorf("-p: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	if want := "WARNING: Script is using an unstable feature: dw_ustack (DWARF stack unwinding). To prevent this warning you must explicitly enable it in the config e.g. unstable_dw_ustack=enable\n"; !strings.HasPrefix(stderr, want) || strings.Count(stderr, "unstable feature") != 1 {
		t.Errorf("-p: stderr %q, want it to start with %q once", stderr, want)
	}

	_, stderr, err = run(script, "--dwarf-pid", strconv.Itoa(os.Getpid()))
	if err != nil || !strings.Contains(stderr, "WARNING: No DWARF unwind data available for this process. Use -p or --dwarf-pid to specify target PIDs.\n") {
		t.Errorf("--dwarf-pid of another process: %v, stderr:\n%s", err, stderr)
	}

	_, stderr, err = run(script)
	if err == nil || !strings.Contains(stderr, "ERROR: dw_ustack requires a target process. Use -p, -c, or --dwarf-pid to specify one.") {
		t.Errorf("no target: %v, stderr:\n%s", err, stderr)
	}

	_, stderr, err = run("config = { unstable_dw_ustack=error } "+script, "-p", strconv.Itoa(pid))
	if want := "ERROR: dw_ustack (DWARF stack unwinding) feature is not enabled by default. To enable this unstable feature, set the config flag to enable. unstable_dw_ustack=enable"; err == nil || !strings.Contains(stderr, want) {
		t.Errorf("unstable_dw_ustack=error: %v, stderr:\n%s, want %q", err, stderr, want)
	}
}
