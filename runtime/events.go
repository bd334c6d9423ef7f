package runtime

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/cilium/ebpf/ringbuf"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/runtime/output"
)

// loop reads events until exit() or cancellation.
func (s *Session) loop(ctx context.Context) error {
	for !s.exited {
		if ctx.Err() != nil {
			return nil
		}
		select {
		case <-s.opts.Done:
			// The traced command exited: read what it left, then stop.
			return s.drain()
		default:
		}
		for _, poll := range s.polls {
			if err := poll(); err != nil {
				return err
			}
		}
		if err := s.drain(); err != nil {
			return err
		}
	}
	return nil
}

// drain reads the records available within one 10 ms window and flushes
// the output.
func (s *Session) drain() error { return s.drainFor(drainWindow) }

// drainWindow is how long one drain waits for records: the latency of
// printf output, and the period of the lost-event check.
const drainWindow = 10 * time.Millisecond

// drainFor reads the records that are available or arrive within wait, and
// flushes the output.
func (s *Session) drainFor(wait time.Duration) error {
	var rec ringbuf.Record
	s.reader.SetDeadline(time.Now().Add(wait))
	for !s.exited {
		err := s.reader.ReadInto(&rec)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		if err := s.handle(rec.RawSample); err != nil {
			return err
		}
		if s.opts.Unbuffered && !s.holdOutput {
			if err := s.out.Flush(); err != nil {
				return err
			}
		}
	}
	s.checkLost()
	if s.holdOutput {
		return nil
	}
	return s.out.Flush()
}

func (s *Session) checkLost() {
	m := s.mapByRole(codegen.RoleLost)
	if m == nil {
		return
	}
	var per []uint64
	if err := m.Lookup(uint32(0), &per); err != nil {
		return
	}
	var total uint64
	for _, v := range per {
		total += v
	}
	if total > s.lost {
		if s.opts.Format == output.JSON {
			s.pr.LostEvents(total - s.lost)
		} else {
			fmt.Fprintf(s.opts.Stderr, "Lost %d events\n", total-s.lost)
		}
		s.lost = total
	}
}

// handle passes one ring-buffer record to its event's handler, by id.
func (s *Session) handle(rec []byte) error {
	if len(rec) < 8 {
		return fmt.Errorf("short event record (%d bytes)", len(rec))
	}
	id := binary.LittleEndian.Uint64(rec)
	if id >= uint64(len(s.handlers)) {
		return fmt.Errorf("unknown event id %d", id)
	}
	return s.handlers[id](rec)
}

// DefaultCatBytesMax is bpftrace's BPFTRACE_CAT_BYTES_MAX default.
const DefaultCatBytesMax = 10 << 10
