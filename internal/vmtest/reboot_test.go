//go:build vmtest

package vmtest_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/internal/vmtest"
)

// TestKernelsReboot crashes the guest's kernel in a job's first run (sysrq
// c) and checks that RunRebooting says so and boots again for the jobs
// left, the crashing one first, which then finds its mark and goes on.
// What follows more deaths (a job killing the guest twice is given up
// on) is TestRunRebooting's, with a fake guest.
func TestKernelsReboot(t *testing.T) {
	g := newGuestSetup(t, "test-kernels")
	suite := suites()[len(suites())-1]
	k, initrd := g.kernel(t, suite)
	xfer := t.TempDir()
	if err := os.Mkdir(filepath.Join(xfer, vmtest.XferBin), 0o755); err != nil {
		t.Fatal(err)
	}
	// The mark lives in the exchange directory, which outlives a boot.
	mark := vmtest.GuestXferDir + "/crashed-once"
	jobs := []vmtest.Job{
		{Name: "before", Argv: []string{"/bin/echo", "before"}, Timeout: 30 * time.Second},
		{Name: "crash", Argv: []string{"/bin/sh", "-c", "if [ -e " + mark + " ]; then echo survived; else echo x | dd of=" + mark + " conv=fsync status=none; sync; echo c > /proc/sysrq-trigger; sleep 30; fi"}, Timeout: 60 * time.Second},
		{Name: "after", Argv: []string{"/bin/echo", "after"}, Timeout: 30 * time.Second},
	}
	m := &vmtest.Machine{Kernel: k, Initramfs: initrd, Timeout: 5 * time.Minute}
	run, deaths, err := m.RunRebooting(context.Background(), xfer, jobs)
	if err != nil {
		t.Fatalf("second boot: %v", err)
	}
	// Deaths at random may come too (the 6.12 and 7.2 guests now and
	// then die at boot, an int3 oops in sched_clock_cpu under TCG): the
	// guest is booted again for each.
	crashed := slices.IndexFunc(deaths, func(d *vmtest.GuestDiedError) bool { return d.Job == "crash" })
	if crashed < 0 {
		t.Fatalf("deaths = %v, want the guest dead during job crash", deaths)
	}
	t.Logf("the crash's death, as reported: %v", deaths[crashed])
	for name, want := range map[string]string{"before": "before\n", "crash": "survived\n", "after": "after\n"} {
		if r := run.Results[name]; r.Stdout != want || r.ExitCode != 0 {
			t.Errorf("job %s: exit %d, stdout %q, want %q", name, r.ExitCode, r.Stdout, want)
		}
	}
}
