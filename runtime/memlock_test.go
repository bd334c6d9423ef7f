package runtime

import (
	"testing"

	"github.com/gbt-dev/gbt/internal/testenv"
	"golang.org/x/sys/unix"
)

// TestMemcgAccounted: the probe restores the limit it lowers, and finds
// memory-cgroup accounting on the kernels that have it (5.11 on; every
// kernel gbt is tested on, this machine's and the guests').
func TestMemcgAccounted(t *testing.T) {
	testenv.RequireRoot(t)
	var before, after unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &before); err != nil {
		t.Fatal(err)
	}
	ok, err := memcgAccounted()
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("RLIMIT_MEMLOCK %+v after the probe, was %+v", after, before)
	}
	if !ok {
		t.Errorf("no memory-cgroup accounting found on Linux %s", release(t))
	}
}

func release(t *testing.T) string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	return unix.ByteSliceToString(u.Release[:])
}
