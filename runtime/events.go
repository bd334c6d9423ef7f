package runtime

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
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
		if s.opts.Unbuffered {
			if err := s.out.Flush(); err != nil {
				return err
			}
		}
	}
	s.checkLost()
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

// handle dispatches one ring-buffer record by its event id.
func (s *Session) handle(rec []byte) error {
	if len(rec) < 8 {
		return fmt.Errorf("short event record (%d bytes)", len(rec))
	}
	id := binary.LittleEndian.Uint64(rec)
	if id >= uint64(len(s.obj.Events)) {
		return fmt.Errorf("unknown event id %d", id)
	}
	ev := s.obj.Events[id]
	switch ev.Kind {
	case codegen.EvPrintf:
		s.line = s.printfs[id].Append(s.line[:0], rec)
		return s.pr.Printf(s.line)
	case codegen.EvExit:
		s.exited = true
	case codegen.EvPrintValue:
		return s.pr.PrintValue(ev.Args[0], rec[ev.Offs[0]:])
	case codegen.EvTime:
		s.line = output.AppendStrftime(s.line[:0], ev.Format, time.Now())
		return s.pr.Message("time", s.line)
	case codegen.EvSystem:
		s.line = s.printfs[id].Append(s.line[:0], rec)
		return s.system(string(s.line))
	case codegen.EvCat:
		s.line = s.printfs[id].Append(s.line[:0], rec)
		return s.cat(string(s.line))
	case codegen.EvJoin:
		s.line = appendJoin(s.line[:0], rec, ev.Format)
		return s.pr.Line("join", s.line)
	case codegen.EvPrintMap:
		return s.printMap(ev.Map, ev.Top, ev.Div)
	case codegen.EvClear:
		return s.clearMap(ev.Map, false)
	case codegen.EvZero:
		return s.clearMap(ev.Map, true)
	case codegen.EvUnwatch:
		s.unwatch(binary.LittleEndian.Uint64(rec[ev.Offs[0]:]))
	}
	return nil
}

// DefaultCatBytesMax is bpftrace's BPFTRACE_CAT_BYTES_MAX default.
const DefaultCatBytesMax = 10 << 10

// system runs a command for system() (only compiled with --unsafe); its
// output is printed in event order.
func (s *Session) system(cmdline string) error {
	cmd := exec.Command("/bin/sh", "-c", cmdline)
	cmd.Stderr = s.opts.Stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			fmt.Fprintf(s.opts.Stderr, "gbt: system(%q): %v\n", cmdline, err)
		}
	}
	return s.pr.Message("system", out)
}

// cat prints (up to Options.CatBytesMax of) a file for cat().
func (s *Session) cat(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(s.opts.Stderr, "gbt: cat: %v\n", err)
		return nil
	}
	limit := s.opts.CatBytesMax
	if limit <= 0 {
		limit = DefaultCatBytesMax
	}
	return s.pr.Message("cat", b[:min(len(b), limit)])
}

// appendJoin joins the strings of a join() record with delim, up to the
// first empty one, as bpftrace 0.17 does.
func appendJoin(dst, rec []byte, delim string) []byte {
	for i := 0; i < codegen.JoinArgs; i++ {
		off := 8 + i*codegen.JoinArgSize
		if off >= len(rec) {
			break
		}
		slot := rec[off:min(off+codegen.JoinArgSize, len(rec))]
		if n := bytes.IndexByte(slot, 0); n >= 0 {
			slot = slot[:n]
		}
		if len(slot) == 0 {
			break
		}
		if i > 0 {
			dst = append(dst, delim...)
		}
		dst = append(dst, slot...)
	}
	return dst
}
