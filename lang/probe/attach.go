package probe

// Attach is the mechanism that attaches a kind's programs. runtime has one
// attacher per mechanism (runtime/attach_*.go), registered in one table;
// what an attacher needs to know about a point, expand puts in the Point.
type Attach uint8

// Attach mechanisms.
const (
	AttachNone          Attach = iota // gbt cannot attach it (the kind is not Supported)
	AttachRunOnce                     // not attached: run once with BPF_PROG_TEST_RUN, when Kind.RunAt says
	AttachTracepoint                  // a tracefs tracepoint's perf event: Point.Category, Point.Event
	AttachRawTracepoint               // a raw tracepoint: Point.Func
	AttachTracing                     // a BTF trampoline or BTF tracepoint, fixed at load (Kind.Tracing, Point.Func)
	AttachKprobe                      // a kprobe, or a kretprobe with Point.Return: Point.Func, Point.Offset
	AttachUprobe                      // a uprobe, or a uretprobe with Point.Return: Point.Path, Point.Func
	AttachUSDT                        // a uprobe at a USDT location, with its semaphore: Point.Path, Point.USDT
	AttachPerfEvent                   // a sampling perf event: Point.Perf
	AttachWatchpoint                  // a hardware breakpoint in the traced process: Point.Watch
	AttachSignal                      // run with BPF_PROG_TEST_RUN each time gbt receives Point.Signal
	AttachBench                       // run many times with BPF_PROG_TEST_RUN and timed (--bench)
	AttachTest                        // run once with BPF_PROG_TEST_RUN and judged (--test)
	AttachIter                        // a BPF iterator (Point.Func), read once, or pinned at Point.Path
	numAttach
)

var attachNames = [...]string{
	AttachNone: "none", AttachRunOnce: "run once", AttachTracepoint: "tracepoint",
	AttachRawTracepoint: "raw tracepoint", AttachTracing: "tracing", AttachKprobe: "kprobe",
	AttachUprobe: "uprobe", AttachUSDT: "usdt", AttachPerfEvent: "perf event",
	AttachWatchpoint: "watchpoint", AttachSignal: "signal", AttachBench: "bench", AttachTest: "test", AttachIter: "iter",
}

func (a Attach) String() string {
	if a < numAttach {
		return attachNames[a]
	}
	return "Attach(?)"
}

// Attaches returns every attach mechanism but AttachNone, for tests that
// check each has its attacher.
func Attaches() []Attach {
	as := make([]Attach, 0, numAttach-1)
	for a := AttachNone + 1; a < numAttach; a++ {
		as = append(as, a)
	}
	return as
}

// RunAt says when the program of an AttachRunOnce kind runs.
type RunAt uint8

// When run-once programs run.
const (
	RunOnEvent RunAt = iota // not run once: the program runs when its attach point fires
	RunAtStart              // BEGIN: before any probe is attached
	RunAtEnd                // END: after every probe is detached
)

// ArgSource says where the arg0..argN of a kind come from.
type ArgSource uint8

// Sources of arg0..argN.
const (
	ArgsNone    ArgSource = iota // the kind has no arg0..argN
	ArgsRegs                     // registers of the calling convention (MaxRegArgs of them); sargN on the stack
	ArgsContext                  // the u64 slots of the program's context (raw tracepoints)
	ArgsUSDT                     // the locations the USDT note gives each argument
)

// MaxRegArgs is the number of arguments x86-64 passes in registers: the
// arg0..argN of ArgsRegs kinds.
const MaxRegArgs = 6

// Tracing is what a tracing program (ProgTracing) is loaded against.
type Tracing uint8

// Tracing targets.
const (
	TracingNone       Tracing = iota
	TracingEntry              // a kernel function's entry (fentry)
	TracingExit               // a kernel function's return (fexit)
	TracingTracepoint         // a BTF tracepoint (tp_btf)
)

// PIDFilter is how a kind's probes keep to the process -p names, as the
// newest bpftrace does.
type PIDFilter uint8

// PID filters.
const (
	PIDFilterNone      PIDFilter = iota // every process (interval, begin, end, signals)
	PIDFilterInProgram                  // the program returns early for other processes
	PIDFilterAtAttach                   // attached to the process alone (uprobes, USDT, watchpoints)
)

// FiresInTask reports whether the kind's programs run in the context of
// the task an event belongs to (the kinds -p keeps to a process): the
// current task is the traced one, so --cgroup keeps them to its cgroup's
// tasks. The others (begin, end, interval, self, bench) run once, on a
// timer whatever task it interrupts, or on gbt's behalf: they are never
// filtered.
func (k *Kind) FiresInTask() bool { return k.PIDFilter != PIDFilterNone }

// PerfType is a perf event type; the values are the kernel's PERF_TYPE_*.
type PerfType uint32

// Perf event types gbt samples.
const (
	PerfHardware PerfType = 0 // PERF_TYPE_HARDWARE
	PerfSoftware PerfType = 1 // PERF_TYPE_SOFTWARE
)

// Perf is the sampling perf event of a profile, interval, software or
// hardware point.
type Perf struct {
	Type   PerfType
	Config uint64 // PERF_COUNT_SW_* or PERF_COUNT_HW_*
	// Sample is the period: events, or nanoseconds for the clocks; with
	// Freq it is a frequency in Hz.
	Sample uint64
	Freq   bool
	// AllCPUs opens one event on each CPU (profile, software, hardware);
	// otherwise one on CPU 0 (interval).
	AllCPUs bool
}

// signals are the signals self:signal probes may name: bpftrace allows
// SIGUSR1 only.
var signals = []struct {
	name string
	sig  int // the signal number on Linux
}{
	{"SIGUSR1", 10},
}
