//go:build vmtest

package vmtest_test

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/internal/conformance"
	"github.com/gbt-dev/gbt/internal/testenv"
	"github.com/gbt-dev/gbt/internal/vmtest"
)

// The peer runner skips the tests that attach kprobes, kretprobes, kfuncs
// and kretfuncs: the host's kernel has none. In the guest it runs exactly
// those: TestPeerSuite gives it a copy whose skip rule is turned around.
const (
	peerSkip    = "    if m:\n        return \"uses %s probes (kernel lacks them)\" % m.group(1)\n"
	peerInverse = "    if not m:\n        return \"runs on the host\"\n"
	// peerAttachTimeout is the runner's limit on attaching, which
	// GBT_VMTEST_PEER_ATTACH_TIMEOUT raises.
	peerAttachTimeout = "ATTACH_TIMEOUT = 5.0\n"
)

// peerByDesign are the suite's tests of bpftrace's way of doing a thing
// gbt does another way, each with the reason (README, "Differences").
var peerByDesign = map[string]string{
	// Both count what bpftrace makes of `probe` in a wildcard: a program
	// per function. gbt makes one program, and names the function from
	// its attach cookie.
	"probe:kprobe_wildcard probe builtin": "counts BPF programs with bpftool; gbt loads one for a wildcard",
	"probe:bpf_programs_limit":            "k:* { @[probe] = count(); } is one program in gbt, so under BPFTRACE_MAX_BPF_PROGS; with kprobe_multi it attaches every function",
}

// peerDir finds the peer runner as internal/cmd/conformance does.
func peerDir(root string) (string, error) {
	if d := os.Getenv("PEER"); d != "" {
		return d, nil
	}
	for _, d := range []string{filepath.Join(root, "..", "shared", "peer"), "/work/shared/peer"} {
		if _, err := os.Stat(filepath.Join(d, "run_runtime.py")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("no run_runtime.py in ../shared/peer or /work/shared/peer (set PEER)")
}

// TestPeerSuite runs the kprobe and kfunc tests of bpftrace's v0.17.0
// runtime suite in each guest kernel, for bpftrace 0.17 and for gbt (as
// "bpftrace", as make conformance runs it), and fails when gbt fails a
// test bpftrace passes there. GBT_VMTEST_PEER_SUITE=bpftrace-v0.26.1
// runs that suite's instead (gbt without GBT_COMPAT=0.17), to compare
// with the newest bpftrace (GBT_VMTEST_BPFTRACE_BIN). Under TCG it takes a while: make
// test-kernels-peer runs it, .ci/run does not (~20 minutes for one
// kernel). GBT_VMTEST_PEER_TESTS picks tests (runner globs),
// GBT_VMTEST_PEER_ONLY_GBT=1 runs gbt alone, GBT_VMTEST_PEER_LOGS=DIR
// keeps the runners' logs. GBT_VMTEST_CPUS sets the guest's CPUs (1:
// TCG's cross-CPU text patching, which a 2-CPU guest running the v0.26.1
// suite's fexit tests has panicked in, does not arise), and
// GBT_VMTEST_PEER_ATTACH_TIMEOUT the runner's seconds to attach (5; the
// newest bpftrace's LLVM compile takes longer than that under TCG).
func TestPeerSuite(t *testing.T) {
	g := newGuestSetup(t, "test-kernels-peer")
	root, gbt, bpftrace := g.root, g.gbt, g.bpftrace
	python := testenv.RequireCommand(t, "python3", "apt-get install python3")
	testenv.RequireCommand(t, "gcc", "apt-get install gcc libc6-dev")
	peer, err := peerDir(root)
	if err != nil {
		t.Fatal(err)
	}
	runner, err := os.ReadFile(filepath.Join(peer, "run_runtime.py"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(runner), peerSkip) {
		t.Fatalf("%s/run_runtime.py no longer has the kprobe skip this test turns around:\n%s", peer, peerSkip)
	}
	guestRunner := strings.Replace(string(runner), peerSkip, peerInverse, 1)
	if v := os.Getenv("GBT_VMTEST_PEER_ATTACH_TIMEOUT"); v != "" {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || secs <= 0 {
			t.Fatalf("GBT_VMTEST_PEER_ATTACH_TIMEOUT=%q: want seconds", v)
		}
		if !strings.Contains(guestRunner, peerAttachTimeout) {
			t.Fatalf("%s/run_runtime.py no longer has %q", peer, peerAttachTimeout)
		}
		guestRunner = strings.Replace(guestRunner, peerAttachTimeout, fmt.Sprintf("ATTACH_TIMEOUT = %g\n", secs), 1)
	}
	cpus := 0 // the Machine's default
	if v := os.Getenv("GBT_VMTEST_CPUS"); v != "" {
		if cpus, err = strconv.Atoi(v); err != nil || cpus < 1 {
			t.Fatalf("GBT_VMTEST_CPUS=%q: want a number of CPUs", v)
		}
	}
	suiteName := cmp.Or(os.Getenv("GBT_VMTEST_PEER_SUITE"), "bpftrace-v0.17.0")
	suite, err := filepath.Abs(filepath.Join(peer, suiteName))
	if err != nil {
		t.Fatal(err)
	}
	// The v0.17.0 suite wants bpftrace 0.17's words and shapes, as make
	// conformance runs it; the newer suites the newest bpftrace's.
	compat017 := suiteName == "bpftrace-v0.17.0"

	for _, s := range suites() {
		t.Run(s, func(t *testing.T) {
			k, initrd := g.kernel(t, s)
			xfer := t.TempDir()
			if err := os.WriteFile(filepath.Join(xfer, "run_runtime.py"), []byte(guestRunner), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(xfer, vmtest.XferBin, "gbt"), 0o755); err != nil {
				t.Fatal(err)
			}
			// Named bpftrace: the suite reads the tracer's own comm. The
			// guest runs it from its memory (vmtest.XferBin).
			if err := copyFile(gbt, filepath.Join(xfer, vmtest.XferBin, "gbt", "bpftrace")); err != nil {
				t.Fatal(err)
			}
			// As make conformance runs the v0.17 suite: in bpftrace 0.17's
			// words and shapes (the runner passes no environment on).
			guestGbt := vmtest.GuestBinDir + "/gbt/bpftrace"
			wrapper := "#!/bin/sh\nexec " + guestGbt + " \"$@\"\n"
			if compat017 {
				wrapper = "#!/bin/sh\nGBT_COMPAT=0.17 exec " + guestGbt + " \"$@\"\n"
			}
			if err := os.WriteFile(filepath.Join(xfer, vmtest.XferBin, "gbt-compat"), []byte(wrapper), 0o755); err != nil {
				t.Fatal(err)
			}
			env := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "PEER_TESTS=" + suite, "PEER_VERBOSE=1", "PEER_RERUN=1"}
			py := vmtest.GuestXferDir + "/run_runtime.py"
			// GBT_VMTEST_PEER_TESTS: the runner's test globs ('probe:kprobe*').
			filters := strings.Fields(os.Getenv("GBT_VMTEST_PEER_TESTS"))
			jobs := []vmtest.Job{
				{Name: "bpftrace", Argv: append([]string{python, py, bpftrace}, filters...), Env: env, Timeout: 40 * time.Minute},
				{Name: "gbt", Argv: append([]string{python, py, vmtest.GuestBinDir + "/gbt-compat"}, filters...), Env: env, Timeout: 40 * time.Minute},
			}
			if os.Getenv("GBT_VMTEST_PEER_ONLY_GBT") == "1" {
				jobs = jobs[1:]
			}
			m := &vmtest.Machine{Kernel: k, Initramfs: initrd, CPUs: cpus, Timeout: 85 * time.Minute}
			if os.Getenv("GBT_VMTEST_CONSOLE") == "1" {
				m.Console = os.Stderr
			}
			run, err := m.Run(context.Background(), xfer, jobs)
			if err != nil {
				t.Error(err)
			}
			if run == nil {
				return
			}
			t.Logf("%s: the guest ran the suite %d times in %v", k.Release, len(jobs), run.Elapsed.Round(time.Second))
			logs := map[string]*conformance.Log{}
			for _, j := range jobs {
				r, ok := run.Results[j.Name]
				if !ok {
					t.Fatalf("%s: no result", j.Name)
				}
				if dir := os.Getenv("GBT_VMTEST_PEER_LOGS"); dir != "" {
					if err := os.WriteFile(filepath.Join(dir, s+"-"+j.Name+".txt"), []byte(r.Stdout), 0o644); err != nil {
						t.Error(err)
					}
				}
				l, err := conformance.ParseLog(strings.NewReader(r.Stdout))
				if err != nil {
					t.Fatalf("%s: %v (exit %d, timed out %v, %s)\nstderr:\n%s", j.Name, err, r.ExitCode, r.TimedOut, r.Error, r.Stderr)
				}
				logs[j.Name] = l
				t.Logf("%s on %s: %s", j.Name, k.Release, l.Counts)
			}
			if logs["bpftrace"] == nil {
				return // GBT_VMTEST_PEER_ONLY_GBT: gbt's counts only
			}
			var missed []string
			for name := range logs["bpftrace"].Passed {
				if logs["gbt"].Passed[name] {
					continue
				}
				if why, ok := peerByDesign[name]; ok {
					t.Logf("by design: %s (%s)", logs["gbt"].Lines[name], why)
					continue
				}
				missed = append(missed, logs["gbt"].Lines[name])
			}
			slices.Sort(missed)
			if len(missed) > 0 {
				t.Errorf("gbt fails %d tests bpftrace passes in the %s guest:\n%s\ngbt's run:\n%s",
					len(missed), k.Release, strings.Join(missed, "\n"), run.Results["gbt"].Stdout)
			}
		})
	}
}
