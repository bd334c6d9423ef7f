package runtime

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/ringbuf"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/runtime/output"
)

// loop reads events until exit() or cancellation.
func (s *Session) loop(ctx context.Context) error {
	defer s.wakeOnStop(ctx)()
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

// wakeOnStop makes a wait for records return at once when ctx is done or
// the traced command exits, instead of at the end of its window: the loop
// sees the stop without that delay. It returns a function that stops the
// watching.
func (s *Session) wakeOnStop(ctx context.Context) (cancel func()) {
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-ctx.Done():
		case <-s.opts.Done:
		case <-quit:
			return
		}
		s.reader.Flush() // the loop handles what is pending, then stops
	}()
	return func() {
		close(quit)
		<-done
	}
}

// drain reads the records available within one 10 ms window and flushes
// the output.
func (s *Session) drain() error { return s.drainFor(drainWindow) }

// drainWindow is how long one drain waits for records: the latency of
// printf output, and the period of the lost-event check.
const drainWindow = 10 * time.Millisecond

// drainFor reads the records that are available or arrive within wait, and
// flushes the output. It returns once the window is over even if records
// keep coming (a system() on every sched_switch makes events faster than
// it handles them), so that the loop sees signals and exit conditions.
func (s *Session) drainFor(wait time.Duration) error {
	if _, err := s.readRecords(wait, time.Now().Add(max(wait, drainWindow)), false); err != nil {
		return err
	}
	if s.holdOutput {
		return nil
	}
	return s.out.Flush()
}

// drainAll handles every record in the ring, without waiting for more and
// without a time window: for the last read of a run, after END.
func (s *Session) drainAll() error {
	if _, err := s.readRecords(0, time.Now().Add(maxDrain), false); err != nil {
		return err
	}
	return s.out.Flush()
}

// maxDrain bounds drainAll only in theory: the ring holds what END sent,
// at most its size, and handling it ends.
const maxDrain = 24 * time.Hour

// drainBacklog handles the records left in the ring once the probes are
// detached, for at most budget: the records it has no time for are read,
// dropped and counted, so that gbt stops promptly after a signal even
// when every event costs a system() call.
func (s *Session) drainBacklog(budget time.Duration) (dropped int, err error) {
	if dropped, err = s.readRecords(0, time.Now().Add(budget), true); err != nil {
		return dropped, err
	}
	return dropped, s.out.Flush()
}

// backlogBudget is how long gbt handles the events queued when it stops.
const backlogBudget = 500 * time.Millisecond

// readRecords handles the records that are available or arrive within
// wait, until the time until; after it, it stops, or with discard drops
// the records left and counts them, but for map actions (clear, zero),
// which it applies. It reports lost events; the output is
// flushed after each record only when unbuffered (callers flush).
func (s *Session) readRecords(wait time.Duration, until time.Time, discard bool) (int, error) {
	var rec ringbuf.Record
	s.reader.SetDeadline(time.Now().Add(wait))
	dropped := 0
	// A control record waiting in the control ring was sent when the
	// event ring was full: what the event ring holds now came before it
	// and is handled first, past the time window if need be.
	owed := s.controlOwed()
	caughtUp := false
	for !s.exited {
		err := s.reader.ReadInto(&rec)
		if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, ringbuf.ErrFlushed) {
			caughtUp = true
			break
		}
		if err != nil {
			return dropped, fmt.Errorf("read events: %w", err)
		}
		late := !time.Now().Before(until)
		if late && discard {
			if s.mapAction(rec.RawSample) {
				// Cheap, and the maps print at exit: applied.
				if err := s.handle(rec.RawSample); err != nil {
					return dropped, err
				}
				continue
			}
			dropped++
			continue
		}
		owed -= ringRecordBytes(len(rec.RawSample))
		if err := s.handle(rec.RawSample); err != nil {
			return dropped, err
		}
		if s.opts.Unbuffered && !s.holdOutput {
			if err := s.out.Flush(); err != nil {
				return dropped, err
			}
		}
		if late && owed <= 0 {
			break
		}
	}
	if caughtUp || owed <= 0 {
		if err := s.readControl(); err != nil {
			return dropped, err
		}
	}
	if err := s.readPerf(); err != nil {
		return dropped, err
	}
	s.checkLost()
	return dropped, nil
}

// checkLost reports the events lost since it last looked, as bpftrace's
// "Lost N events".
func (s *Session) checkLost() {
	per := s.lostPerCPU()
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

// lostPerCPU reads each CPU's count of the events the ring buffer
// refused since the start (the lost map's value: a u64 per CPU).
func (s *Session) lostPerCPU() []uint64 {
	m := s.mapByRole(codegen.RoleLost)
	if m == nil {
		return nil
	}
	return words(m)
}

// words reads the one value of an array map of u64 counters.
func words(m *ebpf.Map) []uint64 {
	raw := make([]byte, m.ValueSize())
	if err := m.Lookup(uint32(0), raw); err != nil {
		return nil
	}
	w := make([]uint64, len(raw)/8)
	for i := range w {
		w[i] = binary.LittleEndian.Uint64(raw[8*i:])
	}
	return w
}

// mapAction says a record changes the maps rather than printing (its
// codec's MapAction).
func (s *Session) mapAction(rec []byte) bool {
	if len(rec) < 8 {
		return false
	}
	id := binary.LittleEndian.Uint64(rec)
	return id < uint64(len(s.obj.Events)) && s.obj.Events[id].Codec.MapAction
}

// handle passes one ring-buffer record to its event's handler, by id.
func (s *Session) handle(rec []byte) error {
	if len(rec) < 8 {
		return fmt.Errorf("short event record (%d bytes)", len(rec))
	}
	s.handled++
	id := binary.LittleEndian.Uint64(rec)
	if id >= uint64(len(s.handlers)) {
		return fmt.Errorf("unknown event id %d", id)
	}
	return s.handlers[id](rec)
}

// DefaultCatBytesMax is bpftrace's BPFTRACE_CAT_BYTES_MAX default.
const DefaultCatBytesMax = 10 << 10
