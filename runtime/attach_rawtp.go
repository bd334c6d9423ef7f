package runtime

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/lang/probe"
)

// attachRawTracepoint attaches a raw tracepoint program to the tracepoint
// pt.Func. Raw tracepoint links carry no cookie: each point has its own
// program.
func attachRawTracepoint(s *Session, prog *ebpf.Program, pt probe.Point, _ uint64) error {
	l, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: pt.Func, Program: prog})
	switch {
	case errors.Is(err, unix.ENOENT):
		return fmt.Errorf("the kernel has no raw tracepoint %s (list them with gbt -l 'tracepoint:*:%s')", pt.Func, pt.Func)
	case errors.Is(err, unix.EINVAL):
		return fmt.Errorf("%w (does the script read more args than %s has?)", err, pt.Func)
	case err != nil:
		return err
	}
	s.links = append(s.links, l)
	return nil
}
