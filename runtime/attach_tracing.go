package runtime

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gbt-dev/gbt/lang/probe"
)

// attachTracing attaches a tracing program: kfunc (fentry), kretfunc
// (fexit) or tp_btf. Its target was fixed when it was loaded (its
// AttachType and AttachTo), so the point adds nothing, and a BPF
// trampoline carries no cookie: each point has its own program.
func attachTracing(s *Session, prog *ebpf.Program, _ probe.Point, _ uint64) error {
	l, err := link.AttachTracing(link.TracingOptions{Program: prog})
	if err != nil {
		return err
	}
	s.links = append(s.links, l)
	return nil
}
