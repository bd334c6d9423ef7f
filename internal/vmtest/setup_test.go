//go:build vmtest

package vmtest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gbt-dev/gbt/internal/testenv"
	"github.com/gbt-dev/gbt/internal/vmtest"
)

// A guestSetup is what every guest test needs from the host: the
// repository, the built gbt, bpftrace 0.17, the kernel cache and the
// guest's init.
type guestSetup struct {
	root     string // the repository
	gbt      string // bin/gbt
	bpftrace string // bpftrace 0.17
	cache    string // where kernels are kept
	init     string // the guest's init, built
	work     string // gbtwork, the tests' workload, built static
	// usdtwork is internal/usdtwork built with gcc -O0: a C workload,
	// whose functions take their arguments as C does (watchpoint cases).
	usdtwork string
	// runtimeTest is runtime's test binary, built static.
	runtimeTest string
}

// newGuestSetup skips (fails under GBT_REQUIRE_PRIVILEGED=1) without root
// or QEMU, and fails without bin/gbt: make target builds it.
func newGuestSetup(t *testing.T, target string) *guestSetup {
	t.Helper()
	testenv.RequireRoot(t)
	if err := vmtest.Available(); err != nil {
		if testenv.Required() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	g := &guestSetup{root: root, gbt: filepath.Join(root, "bin", "gbt")}
	if _, err := os.Stat(g.gbt); err != nil {
		t.Fatalf("%v (make build first; make %s does)", err, target)
	}
	g.bpftrace = testenv.RequireCommand(t, "bpftrace", "apt-get install bpftrace")
	if b := os.Getenv("GBT_VMTEST_BPFTRACE_BIN"); b != "" {
		// Another bpftrace to compare with (the newest's binary): the
		// cases' outputs are 0.17's, which it may not share.
		g.bpftrace = b
	}
	if g.cache, err = vmtest.CacheDir(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(g.cache, 0o755); err != nil {
		t.Fatal(err)
	}
	if g.init, err = vmtest.BuildGuestInit(root, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	g.work = filepath.Join(t.TempDir(), "gbtwork")
	build := exec.Command("go", "build", "-trimpath", "-o", g.work, "./internal/cmd/gbtwork")
	build.Dir, build.Env = root, append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build gbtwork: %v\n%s", err, out)
	}
	// runtime's tests as a static binary, for TestKernelRandomScripts
	// in the guests (the random_scripts case).
	g.runtimeTest = filepath.Join(t.TempDir(), "runtime.test")
	build = exec.Command("go", "test", "-c", "-trimpath", "-o", g.runtimeTest, "./runtime")
	build.Dir, build.Env = root, append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build runtime's tests: %v\n%s", err, out)
	}
	gcc := testenv.RequireCommand(t, "gcc", "apt-get install gcc systemtap-sdt-dev")
	g.usdtwork = filepath.Join(t.TempDir(), "usdtwork")
	build = exec.Command(gcc, "-O0", "-o", g.usdtwork, "internal/usdtwork/usdtwork.c")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build usdtwork (needs gcc and systemtap-sdt-dev): %v\n%s", err, out)
	}
	return g
}

// kernel fetches the kernel of a Debian suite and writes its initramfs.
func (g *guestSetup) kernel(t *testing.T, suite string) (k *vmtest.Kernel, initrd string) {
	t.Helper()
	k, err := vmtest.FetchKernel(g.cache, suite, testLog{t})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("kernel %s from %s", k.Release, suite)
	initrd = filepath.Join(t.TempDir(), "initramfs.cpio")
	if err := vmtest.WriteInitramfs(initrd, g.init, k); err != nil {
		t.Fatal(err)
	}
	return k, initrd
}
