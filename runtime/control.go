package runtime

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/cilium/ebpf/ringbuf"

	"github.com/gbt-dev/gbt/codegen"
)

// The control ring holds the control records (exit, print, clear, zero,
// unwatch) that the event ring refused because a flood of other events
// filled it: nothing else goes there, so exit() ends the run even when
// printf output is being lost.

// openControl opens the control ring's reader, if the program has one.
func (s *Session) openControl() error {
	m := s.mapByRole(codegen.RoleControl)
	if m == nil {
		return nil
	}
	r, err := ringbuf.NewReader(m)
	if err != nil {
		return fmt.Errorf("open control ring buffer: %w", err)
	}
	s.control = r
	return nil
}

// readControl handles the control records waiting in the control ring,
// without waiting for more. They come after what the event ring held
// when they were sent (it was full), so the caller reads that first.
func (s *Session) readControl() error {
	if s.control == nil {
		return nil
	}
	var rec ringbuf.Record
	s.control.SetDeadline(time.Now())
	for !s.exited {
		err := s.control.ReadInto(&rec)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read control events: %w", err)
		}
		if err := s.handle(rec.RawSample); err != nil {
			return err
		}
	}
	return nil
}

// controlOwed returns how many bytes of the event ring must be read
// before the control records waiting now: all it holds, or 0 when no
// control record waits.
func (s *Session) controlOwed() int {
	if s.control == nil || s.control.AvailableBytes() == 0 {
		return 0
	}
	return s.reader.AvailableBytes()
}

// ringRecordBytes is the room a record of n bytes takes in a ring buffer:
// an 8-byte header, the data rounded up to 8 bytes.
func ringRecordBytes(n int) int { return 8 + (n+7)&^7 }
