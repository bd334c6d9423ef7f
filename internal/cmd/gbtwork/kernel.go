package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/runtime/cgroup"
)

// The workloads below make the kernel do what the newest bpftrace's
// kprobe tools watch (internal/vmtest runs them in guests): a SYN
// retransmit, datagrams over a UNIX socket, an allocation past a memory
// limit.

// synRetrans makes the kernel retransmit one SYN over the IPv4 loopback:
// a listener on 127.0.0.1:port with a backlog of 1 whose accept queue two
// connections fill, then a third connection, from 127.0.0.1:port+1, whose
// SYN the listener drops (its accept queue is full). The connecting side
// sends the SYN again after its initial timeout (1 s); synRetrans waits
// until the socket has counted that retransmit, then closes everything.
func synRetrans(port int) error {
	addr := func(p int) *unix.SockaddrInet4 {
		return &unix.SockaddrInet4{Port: p, Addr: [4]byte{127, 0, 0, 1}}
	}
	ln, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(ln)
	if err := unix.SetsockoptInt(ln, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return err
	}
	if err := unix.Bind(ln, addr(port)); err != nil {
		return fmt.Errorf("bind 127.0.0.1:%d: %w", port, err)
	}
	if err := unix.Listen(ln, 1); err != nil {
		return err
	}
	// A backlog of 1 takes two connections: the queue is full when it
	// holds more than the backlog.
	for i := 0; i < 2; i++ {
		c, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(c)
		if err := unix.Connect(c, addr(port)); err != nil {
			return fmt.Errorf("connect %d: %w", i, err)
		}
	}
	c, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(c)
	if err := unix.SetsockoptInt(c, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return err
	}
	if err := unix.Bind(c, addr(port+1)); err != nil {
		return fmt.Errorf("bind 127.0.0.1:%d: %w", port+1, err)
	}
	if err := unix.Connect(c, addr(port)); err != nil && !errors.Is(err, unix.EINPROGRESS) {
		return fmt.Errorf("connect: %w", err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		info, err := unix.GetsockoptTCPInfo(c, unix.IPPROTO_TCP, unix.TCP_INFO)
		if err != nil {
			return err
		}
		if info.Total_retrans > 0 {
			return nil
		}
	}
	return errors.New("no SYN retransmit in 30 s")
}

// unixDgrams sends itself n datagrams ("gbtwork 0", "gbtwork 1"...) over
// a pair of UNIX datagram sockets, reading each.
func unixDgrams(n int) error {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	buf := make([]byte, 64)
	for i := 0; i < n; i++ {
		if _, err := unix.Write(fds[0], []byte(fmt.Sprintf("gbtwork %d", i%10))); err != nil {
			return err
		}
		if _, err := unix.Read(fds[1], buf); err != nil {
			return err
		}
	}
	return nil
}

// allocSink keeps alloc's memory alive.
var allocSink []byte

// alloc allocates mb MiB and writes to each page of it: in a memory
// cgroup limited to less (and no swap), the kernel's OOM killer kills
// the process.
func alloc(mb int) {
	allocSink = make([]byte, mb<<20)
	for i := 0; i < len(allocSink); i += 4096 {
		allocSink[i] = 1
	}
}

// swapin allocates mb MiB, writes to each page (two different bytes: a
// page of one repeated word zram keeps without storing it), has the
// kernel reclaim that much of the memory cgroup gbtwork is in (through
// cgroup v2's memory.reclaim, Linux 5.19; with swap on, anonymous pages
// go to swap), then reads every page again: the pages swapped out come
// back in, through swap_read_folio (swap_readpage before Linux 6.9).
func swapin(mb int) error {
	mem := make([]byte, mb<<20)
	for i := 0; i < len(mem); i += 4096 {
		mem[i], mem[i+1] = 1, 2
	}
	self, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return err
	}
	cg, ok := strings.CutPrefix(strings.TrimSpace(string(self)), "0::")
	if !ok {
		return fmt.Errorf("not in a cgroup v2 hierarchy: /proc/self/cgroup is %q", self)
	}
	root, err := cgroup.Root("/proc/self/mounts")
	if err != nil {
		return err
	}
	reclaim := filepath.Join(root, cg, "memory.reclaim")
	// EAGAIN: it reclaimed less than asked, which is enough.
	if err := os.WriteFile(reclaim, []byte(fmt.Sprintf("%dM", mb)), 0); err != nil && !errors.Is(err, unix.EAGAIN) {
		return err
	}
	sum := 0
	for i := 0; i < len(mem); i += 4096 {
		sum += int(mem[i])
	}
	if sum != len(mem)/4096 {
		return fmt.Errorf("read back %d, want %d", sum, len(mem)/4096)
	}
	return nil
}
