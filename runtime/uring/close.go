// Package uring closes many file descriptors at once through io_uring, for
// the files whose last close blocks: a BPF link to a tracepoint waits for
// an RCU grace period (20-30 ms here) as it detaches. Closed from Go, each
// blocking close needs its own OS thread, and the scheduler hands a
// processor to the next one only when its monitor notices the block
// (2-3 closes a millisecond on 2 CPUs, 150-200 ms for 360 links). The
// kernel's io_uring workers start without that wait, block side by side
// and share the grace periods.
package uring

import (
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The kernel ABI (include/uapi/linux/io_uring.h) used here.
const (
	opClose         = 19         // IORING_OP_CLOSE
	sqeAsync        = 1 << 4     // IOSQE_ASYNC: always run in a worker
	enterGetEvents  = 1 << 0     // IORING_ENTER_GETEVENTS
	offSQRing       = 0          // IORING_OFF_SQ_RING
	offCQRing       = 0x8000000  // IORING_OFF_CQ_RING
	offSQEs         = 0x10000000 // IORING_OFF_SQES
	featSingleMmap  = 1 << 0     // IORING_FEAT_SINGLE_MMAP
	registerMaxWork = 19         // IORING_REGISTER_IOWQ_MAX_WORKERS
	sqeSize         = 64
	cqeSize         = 16
)

// sqOffsets is struct io_sqring_offsets.
type sqOffsets struct {
	Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Resv1 uint32
	UserAddr                                                        uint64
}

// cqOffsets is struct io_cqring_offsets.
type cqOffsets struct {
	Head, Tail, RingMask, RingEntries, Overflow, CQEs, Flags, Resv1 uint32
	UserAddr                                                        uint64
}

// params is struct io_uring_params.
type params struct {
	SQEntries, CQEntries, Flags, SQThreadCPU, SQThreadIdle, Features, WQFd uint32
	Resv                                                                   [3]uint32
	SQOff                                                                  sqOffsets
	CQOff                                                                  cqOffsets
}

// ErrUnavailable is CloseAll's error when io_uring cannot be used: it
// closed nothing.
var ErrUnavailable = errors.New("io_uring is not available")

// MaxBatch is the most descriptors one ring submits at a time.
const MaxBatch = 1024

// CloseAll closes every descriptor of fds (negative ones are skipped)
// through one io_uring whose workers may all block at once. It returns
// ErrUnavailable, having closed none, when io_uring cannot be used (old
// kernel, kernel.io_uring_disabled, seccomp): the caller then closes them
// itself. Descriptors the kernel refused to close are reported after all
// were tried; after any other error some may be closed, and none is to be
// closed again.
func CloseAll(fds []int) error {
	var todo []int
	for _, fd := range fds {
		if fd >= 0 {
			todo = append(todo, fd)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	entries := uint32(min(len(todo), MaxBatch))
	r, err := newRing(entries)
	if err != nil {
		return err
	}
	defer r.close()
	var failed []error
	for len(todo) > 0 {
		n := min(len(todo), int(r.sqEntries))
		errs, err := r.closeBatch(todo[:n])
		if err != nil {
			// Submitted ones may be closed; the rest are the caller's.
			return fmt.Errorf("io_uring close: %w", err)
		}
		failed = append(failed, errs...)
		todo = todo[n:]
	}
	return errors.Join(failed...)
}

// ring is one io_uring with its three mappings.
type ring struct {
	fd                 int
	sqMem, cqMem, sqes []byte
	p                  params
	sqEntries          uint32
}

func newRing(entries uint32) (*ring, error) {
	r := &ring{fd: -1}
	fd, _, errno := unix.Syscall(unix.SYS_IO_URING_SETUP, uintptr(entries), uintptr(unsafe.Pointer(&r.p)), 0)
	if errno != 0 {
		return nil, fmt.Errorf("%w: io_uring_setup: %w", ErrUnavailable, errno)
	}
	r.fd = int(fd)
	r.sqEntries = r.p.SQEntries
	sqSize := int(r.p.SQOff.Array) + int(r.p.SQEntries)*4
	cqSize := int(r.p.CQOff.CQEs) + int(r.p.CQEntries)*cqeSize
	if r.p.Features&featSingleMmap != 0 {
		sqSize = max(sqSize, cqSize)
	}
	var err error
	if r.sqMem, err = unix.Mmap(r.fd, offSQRing, sqSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE); err != nil {
		r.close()
		return nil, fmt.Errorf("%w: map submission ring: %w", ErrUnavailable, err)
	}
	r.cqMem = r.sqMem
	if r.p.Features&featSingleMmap == 0 {
		if r.cqMem, err = unix.Mmap(r.fd, offCQRing, cqSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE); err != nil {
			r.close()
			return nil, fmt.Errorf("%w: map completion ring: %w", ErrUnavailable, err)
		}
	}
	if r.sqes, err = unix.Mmap(r.fd, offSQEs, int(r.p.SQEntries)*sqeSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE); err != nil {
		r.close()
		return nil, fmt.Errorf("%w: map submission entries: %w", ErrUnavailable, err)
	}
	// Closes are "bound" work, of which the kernel runs at most 4 per CPU
	// at once by default: let every entry have its worker. On failure
	// (before Linux 5.15) the default stays; the closes still complete.
	workers := [2]uint32{entries, 0}
	unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(r.fd), registerMaxWork, uintptr(unsafe.Pointer(&workers)), 2, 0, 0)
	return r, nil
}

func (r *ring) close() {
	if r.sqes != nil {
		unix.Munmap(r.sqes)
	}
	if r.cqMem != nil && (r.sqMem == nil || &r.cqMem[0] != &r.sqMem[0]) {
		unix.Munmap(r.cqMem)
	}
	if r.sqMem != nil {
		unix.Munmap(r.sqMem)
	}
	if r.fd >= 0 {
		unix.Close(r.fd)
	}
}

func (r *ring) u32(mem []byte, off uint32) *uint32 {
	return (*uint32)(unsafe.Pointer(&mem[off]))
}

// closeBatch submits one close per fd (at most the ring's size) and waits
// for all of them; it returns the per-descriptor errors.
func (r *ring) closeBatch(fds []int) ([]error, error) {
	mask := *r.u32(r.sqMem, r.p.SQOff.RingMask)
	tailp := r.u32(r.sqMem, r.p.SQOff.Tail)
	tail := atomic.LoadUint32(tailp)
	for i, fd := range fds {
		idx := (tail + uint32(i)) & mask
		sqe := r.sqes[idx*sqeSize : (idx+1)*sqeSize]
		clear(sqe)
		sqe[0] = opClose
		sqe[1] = sqeAsync
		*(*int32)(unsafe.Pointer(&sqe[4])) = int32(fd)
		*(*uint64)(unsafe.Pointer(&sqe[32])) = uint64(fd)
		*r.u32(r.sqMem, r.p.SQOff.Array+4*idx) = idx
	}
	atomic.StoreUint32(tailp, tail+uint32(len(fds)))
	var errs []error
	unsubmitted, done := len(fds), 0
	for done < len(fds) {
		n, _, errno := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), uintptr(unsubmitted),
			uintptr(len(fds)-done), enterGetEvents, 0, 0)
		switch {
		case errno == unix.EINTR:
			continue
		case errno != 0:
			return errs, fmt.Errorf("io_uring_enter: %w", errno)
		}
		unsubmitted -= int(n)
		headp := r.u32(r.cqMem, r.p.CQOff.Head)
		head := atomic.LoadUint32(headp)
		ctail := atomic.LoadUint32(r.u32(r.cqMem, r.p.CQOff.Tail))
		cmask := *r.u32(r.cqMem, r.p.CQOff.RingMask)
		for ; head != ctail; head++ {
			off := r.p.CQOff.CQEs + (head&cmask)*cqeSize
			fd := *(*uint64)(unsafe.Pointer(&r.cqMem[off]))
			if res := *(*int32)(unsafe.Pointer(&r.cqMem[off+8])); res < 0 {
				errs = append(errs, fmt.Errorf("close fd %d: %w", fd, unix.Errno(-res)))
			}
			done++
		}
		atomic.StoreUint32(headp, head)
	}
	return errs, nil
}
