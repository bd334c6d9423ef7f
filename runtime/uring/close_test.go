package uring

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// open returns n fresh descriptors (eventfds).
func open(t *testing.T, n int) []int {
	t.Helper()
	fds := make([]int, n)
	for i := range fds {
		fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
		if err != nil {
			t.Fatal(err)
		}
		fds[i] = fd
	}
	return fds
}

func isOpen(fd int) bool {
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil
}

// TestCloseAll: every descriptor is closed, in one batch and in several
// (more than MaxBatch); negative ones are skipped; a descriptor that is
// not open is reported, the others still closed.
func TestCloseAll(t *testing.T) {
	probe := open(t, 1)
	if err := CloseAll(probe); err != nil {
		unix.Close(probe[0])
		t.Skipf("io_uring not available here: %v", err)
	}
	for _, n := range []int{1, 7, MaxBatch + 3} {
		fds := open(t, n)
		withSkipped := append([]int{-1}, fds...)
		if err := CloseAll(withSkipped); err != nil {
			t.Fatalf("%d fds: %v", n, err)
		}
		for _, fd := range fds {
			if isOpen(fd) {
				t.Fatalf("%d fds: fd %d still open", n, fd)
			}
		}
	}
	fds := open(t, 2)
	unix.Close(fds[0])
	err := CloseAll(fds)
	if !errors.Is(err, unix.EBADF) {
		t.Errorf("closing a closed fd: %v, want EBADF", err)
	}
	if isOpen(fds[1]) {
		t.Errorf("fd %d still open after the other one failed", fds[1])
	}
	if err := CloseAll(nil); err != nil {
		t.Errorf("no fds: %v", err)
	}
}
