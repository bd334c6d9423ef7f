package kernel

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/internal/testenv"
	"github.com/gbt-dev/gbt/lang/probe"
)

// requireRoot skips a test that needs the real tracefs or mount rights
// under -short or without root (see internal/testenv).
func requireRoot(t *testing.T) {
	t.Helper()
	testenv.RequireRoot(t)
}

func TestTracepoints(t *testing.T) {
	requireRoot(t)
	e := NewEnv()
	if mounted, err := e.EnsureTracefs(); err != nil || mounted {
		t.Fatalf("EnsureTracefs() = %v, %v; want tracefs already mounted", mounted, err)
	}
	if e.Tracefs() == "" {
		t.Fatal("no tracefs found")
	}
	tps, err := e.Tracepoints()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tp := range tps {
		if !strings.Contains(tp, ":") {
			t.Fatalf("tracepoint %q is not category:name", tp)
		}
		found = found || tp == "syscalls:sys_enter_openat"
	}
	if !found {
		t.Errorf("syscalls:sys_enter_openat not among %d tracepoints", len(tps))
	}
	f, err := e.TracepointFormat("syscalls", "sys_enter_openat")
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "sys_enter_openat" || !slices.ContainsFunc(f.Fields, func(fld probe.FormatField) bool {
		return fld.Name == "filename" && fld.CType == "const char *"
	}) {
		t.Errorf("unexpected format: %+v", f)
	}
	if again, _ := e.TracepointFormat("syscalls", "sys_enter_openat"); again != f {
		t.Error("a format file was parsed twice")
	}
	if _, err := e.TracepointFormat("syscalls", "no_such_tracepoint"); err == nil {
		t.Error("format of a missing tracepoint: no error")
	}
	if _, err := e.TracepointFormat("..", "syscalls/sys_enter_openat"); err == nil {
		t.Error("a path-like tracepoint name was accepted")
	}
}

// EnsureTracefs mounts tracefs where none is mounted.
func TestEnsureTracefsMounts(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	e := NewEnvAt(dir)
	if e.Tracefs() != "" {
		t.Fatalf("empty directory %s taken for tracefs", dir)
	}
	mounted, err := e.EnsureTracefs()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	if !mounted || e.Tracefs() != dir {
		t.Fatalf("EnsureTracefs() mounted=%v, Tracefs()=%q; want true, %q", mounted, e.Tracefs(), dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "events", "syscalls")); err != nil {
		t.Error(err)
	}
}

func TestTracefsMissing(t *testing.T) {
	e := NewEnvAt(filepath.Join(t.TempDir(), "none"))
	if _, err := e.Tracepoints(); err == nil {
		t.Error("Tracepoints without tracefs: no error")
	}
	if _, err := e.TracepointFormat("a", "b"); err == nil {
		t.Error("TracepointFormat without tracefs: no error")
	}
}

func TestNumPossibleCPUs(t *testing.T) {
	n, err := NumPossibleCPUs()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("/sys/devices/system/cpu/possible")
	if err != nil {
		t.Fatal(err)
	}
	// "0-N" or "0"
	s := strings.TrimSpace(string(b))
	want := 1
	if _, last, ok := strings.Cut(s, "-"); ok {
		l, err := strconv.Atoi(last)
		if err != nil {
			t.Fatalf("parse %q: %v", s, err)
		}
		want = l + 1
	}
	if n != want {
		t.Errorf("NumPossibleCPUs() = %d, want %d (%s)", n, want, s)
	}
}

func TestWallTimes(t *testing.T) {
	boot, err := BootWallTime()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("/proc/uptime")
	if err != nil {
		t.Fatal(err)
	}
	up, err := strconv.ParseFloat(strings.Fields(string(b))[0], 64)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Now().Add(-time.Duration(up * float64(time.Second)))
	if d := boot.Sub(want); d < -time.Second || d > time.Second {
		t.Errorf("BootWallTime() = %v, /proc/uptime says %v", boot, want)
	}
	mono, err := MonotonicWallTime()
	if err != nil {
		t.Fatal(err)
	}
	// CLOCK_MONOTONIC stops during suspend, so it started no earlier than boot.
	if mono.Before(boot.Add(-time.Millisecond)) || mono.After(time.Now()) {
		t.Errorf("MonotonicWallTime() = %v, boot %v", mono, boot)
	}
	again, _ := BootWallTime()
	if d := again.Sub(boot); d < -time.Millisecond || d > time.Millisecond {
		t.Errorf("BootWallTime drifted by %v between calls", d)
	}
}
