package runtime

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cilium/ebpf/perf"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/runtime/kernel"
	"github.com/gbt-dev/gbt/runtime/output"
	"github.com/gbt-dev/gbt/runtime/pcap"
	"github.com/gbt-dev/gbt/stdlib"
)

// Records that helpers send with data of their own (bpf_skb_output: a
// header, then a packet) come through a perf event array, read beside the
// ring buffer, and go to the same handlers; the packet capture files
// skboutput writes are opened once per path.

// perfPages is the size of each CPU's perf ring, in pages, unless
// BPFTRACE_PERF_RB_PAGES (perf_rb_pages) says: bpftrace's default.
const perfPages = 64

// openPerf opens the reader of the perf event array, when a program sends
// records to one.
func (s *Session) openPerf() error {
	m := s.mapByRole(codegen.RolePerf)
	if m == nil {
		return nil
	}
	pages := s.obj.Settings().PerfRBPages
	if pages <= 0 {
		pages = perfPages
	}
	r, err := perf.NewReader(m, pages*os.Getpagesize())
	if err != nil {
		return fmt.Errorf("open perf event array: %w", err)
	}
	s.perf = r
	return nil
}

// readPerf handles the records waiting in the perf rings, without waiting
// for more, and reports the records the full rings dropped.
func (s *Session) readPerf() error {
	if s.perf == nil {
		return nil
	}
	var rec perf.Record
	s.perf.SetDeadline(time.Now())
	for {
		err := s.perf.ReadInto(&rec)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read perf events: %w", err)
		}
		if rec.LostSamples > 0 {
			if s.opts.Format == output.JSON {
				s.pr.LostEvents(rec.LostSamples)
			} else {
				fmt.Fprintf(s.opts.Stderr, "Lost %d events\n", rec.LostSamples)
			}
			continue
		}
		if err := s.handle(rec.RawSample); err != nil {
			return err
		}
	}
}

// packetFile is a pcap file skboutput writes.
type packetFile struct {
	w    *pcap.Writer
	boot time.Time // the wall time at which CLOCK_BOOTTIME read zero
}

// WritePacket implements stdlib.PacketFile.
func (f *packetFile) WritePacket(bootNs uint64, data []byte) error {
	return f.w.WritePacket(f.boot.Add(time.Duration(bootNs)), data)
}

// Packets implements stdlib.Host.
func (h host) Packets(path string) (stdlib.PacketFile, error) {
	s := h.s
	if f, ok := s.pcaps[path]; ok {
		return f, nil
	}
	boot, err := kernel.BootWallTime()
	if err != nil {
		return nil, err
	}
	var w *pcap.Writer
	if s.opts.DryRun {
		w, err = pcap.NewWriter(io.Discard) // nothing runs: no file
	} else {
		w, err = pcap.Create(path)
	}
	if err != nil {
		return nil, err
	}
	if s.pcaps == nil {
		s.pcaps = map[string]*packetFile{}
	}
	f := &packetFile{w: w, boot: boot}
	s.pcaps[path] = f
	return f, nil
}

// closePackets closes the pcap files, reporting the first failure.
func (s *Session) closePackets() error {
	var first error
	for path, f := range s.pcaps {
		if err := f.w.Close(); err != nil && first == nil {
			first = fmt.Errorf("write %s: %w", path, err)
		}
	}
	s.pcaps = nil
	return first
}
