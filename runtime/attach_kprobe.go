package runtime

import (
	"errors"
	"fmt"
	"os"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gbt-dev/gbt/lang/probe"
)

// attachKprobe attaches a kprobe at pt.Func (plus pt.Offset), or a
// kretprobe when pt.Return.
func attachKprobe(s *Session, prog *ebpf.Program, pt probe.Point, cookie uint64) error {
	var l link.Link
	var err error
	if pt.Return {
		l, err = link.Kretprobe(pt.Func, prog, &link.KprobeOptions{Cookie: cookie})
	} else {
		l, err = link.Kprobe(pt.Func, prog, &link.KprobeOptions{Cookie: cookie, Offset: pt.Offset})
	}
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, link.ErrNotSupported) {
			return fmt.Errorf("this kernel cannot attach kprobes (no kprobe support or kprobe_events): %w", err)
		}
		return err
	}
	s.links = append(s.links, l)
	return nil
}
