// Package progtype maps gbt's kinds of probe to the kernel's BPF program
// types: what codegen compiles a probe to, and what the runtime's feature
// probes load to ask the kernel about a kind (kfunc_allowed).
package progtype

import (
	"github.com/cilium/ebpf"

	"github.com/gbt-dev/gbt/lang/probe"
)

// Of returns the program type a probe of kind k compiles to and, for
// tracing programs, the attach type they are loaded with (0 otherwise).
// BEGIN and END (run once with BPF_PROG_TEST_RUN) are raw tracepoint
// programs; bench and test probes are XDP programs, whose test runs the
// kernel repeats and times.
func Of(k *probe.Kind) (ebpf.ProgramType, ebpf.AttachType) {
	switch k.Prog {
	case probe.ProgTestRun, probe.ProgRawTP:
		return ebpf.RawTracepoint, 0
	case probe.ProgTracepoint:
		return ebpf.TracePoint, 0
	case probe.ProgPerfEvent:
		return ebpf.PerfEvent, 0
	case probe.ProgKprobe:
		return ebpf.Kprobe, 0
	case probe.ProgTracing:
		switch k.Tracing {
		case probe.TracingEntry:
			return ebpf.Tracing, ebpf.AttachTraceFEntry
		case probe.TracingExit:
			return ebpf.Tracing, ebpf.AttachTraceFExit
		case probe.TracingTracepoint:
			return ebpf.Tracing, ebpf.AttachTraceRawTp
		}
		return ebpf.Tracing, 0
	case probe.ProgIter:
		return ebpf.Tracing, ebpf.AttachTraceIter
	case probe.ProgXDPRun:
		return ebpf.XDP, 0
	}
	return ebpf.UnspecifiedProgram, 0
}
