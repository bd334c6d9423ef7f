package runtime

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/lang/probe"
)

// attachIter attaches an iter probe's program to its BPF iterator (the
// target was fixed when it was loaded: AttachTraceIter, AttachTo the
// iterator's name), and reads it once on the event loop's first turn:
// each read runs the program on the iterator's next objects (tasks,
// their files, ...), whose output goes through the ring buffer as other
// probes' does. When the iterator is read to its end, what its program
// sent is handled and the run ends, END running as after exit(): as
// bpftrace ends it. exit() in the program then stops nothing the read
// has not stopped: every object's output is printed, as in bpftrace,
// whose program prints into the iterator's own output.
//
// A pinned iterator (pt.Pinned) is pinned at its path instead, which
// ends the run: each read of that file runs the program, which prints
// into the reader itself, as bpftrace's pinned iterators do.
func attachIter(s *Session, prog *ebpf.Program, pt probe.Point, _ uint64) error {
	l, err := link.AttachIter(link.IterOptions{Program: prog})
	if err != nil {
		return err
	}
	s.links = append(s.links, l)
	if pt.Pinned() {
		return pinIter(s, l, pt.Path)
	}
	var (
		done    chan error
		started bool
	)
	s.polls = append(s.polls, func() error {
		if !started {
			started = true
			it, err := l.Open()
			if err != nil {
				return fmt.Errorf("open %s: %w", pt.Name, err)
			}
			s.finishing = true // the read ends the run: exit() has nothing to stop
			done = make(chan error, 1)
			go func() {
				_, err := io.Copy(io.Discard, it)
				done <- errors.Join(err, it.Close())
			}()
			return nil
		}
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("read %s: %w", pt.Name, err)
			}
			if err := s.drainFor(0); err != nil {
				return err
			}
			s.finishing, s.exited = false, true
		default:
		}
		return nil
	})
	return nil
}

// pinIter pins an iterator's link at path, in the BPF file system (which
// it mounts at probe.BPFFS when path is under it and nothing is mounted
// there, as gbt mounts tracefs), and ends the run once it has said where.
// The link outlives gbt: removing the file detaches it.
func pinIter(s *Session, l *link.Iter, path string) error {
	if strings.HasPrefix(path, probe.BPFFS+"/") {
		if err := ensureBPFFS(); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("pin the iterator at %s: %w", path, err)
	}
	if err := l.Pin(path); err != nil {
		return fmt.Errorf("pin the iterator at %s: %w", path, err)
	}
	s.polls = append(s.polls, func() error {
		if err := s.pr.Line("info", []byte("Program pinned to "+path)); err != nil {
			return err
		}
		s.exited = true
		return nil
	})
	return nil
}

// ensureBPFFS mounts the BPF file system at probe.BPFFS if it is not
// mounted there.
func ensureBPFFS() error {
	var st unix.Statfs_t
	if err := unix.Statfs(probe.BPFFS, &st); err == nil && st.Type == unix.BPF_FS_MAGIC {
		return nil
	}
	if err := unix.Mount("bpf", probe.BPFFS, "bpf", 0, "mode=0700"); err != nil {
		return fmt.Errorf("mount the BPF file system at %s: %w", probe.BPFFS, err)
	}
	return nil
}
