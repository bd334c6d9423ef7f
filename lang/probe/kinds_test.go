package probe_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
)

// TestExpandSelf: self:signal:SIGNAL names one of the signals bpftrace
// allows (SIGUSR1), and the point carries the signal the runtime waits
// for; other triggers and signals are errors in bpftrace's words.
func TestExpandSelf(t *testing.T) {
	tests := []struct {
		parts []string
		name  string
		sig   int
		err   string
	}{
		{parts: []string{"signal", "SIGUSR1"}, name: "self:signal:SIGUSR1", sig: 10},
		{parts: []string{"signal", "sighup"}, err: "sighup is not a supported signal"},
		{parts: []string{"signal", "SIGUSR2"}, err: "SIGUSR2 is not a supported signal"},
		{parts: []string{"signal", "SIGUSR*"}, err: "SIGUSR* is not a supported signal"},
		{parts: []string{"keypress", "space"}, err: "keypress is not a supported trigger"},
		{parts: []string{"signal"}, err: "self probe type requires 2 arguments, found 1"},
		{parts: []string{"signal", "SIGUSR1", "x"}, err: "self probe type requires 2 arguments, found 3"},
	}
	for _, tt := range tests {
		a := ap("self", tt.parts...)
		pts, err := probe.Expand(a, nil)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: error %v, want %q", a.Raw, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", a.Raw, err)
			continue
		}
		if len(pts) != 1 || pts[0].Name != tt.name || pts[0].Signal != tt.sig || pts[0].Kind.Attach != probe.AttachSignal {
			t.Errorf("%s: got %+v, want one point %s on signal %d", a.Raw, pts, tt.name, tt.sig)
		}
	}
}

// TestExpandFillsAttach: expand puts in each point what attaching it
// needs, so that runtime never looks at a kind's name.
func TestExpandFillsAttach(t *testing.T) {
	tests := []struct {
		raw    []string
		attach probe.Attach
		ret    bool
		perf   *probe.Perf
	}{
		{raw: []string{"profile", "hz", "99"}, attach: probe.AttachPerfEvent, perf: &probe.Perf{Type: probe.PerfSoftware, Config: 0, Sample: 99, Freq: true, AllCPUs: true}},
		{raw: []string{"profile", "10ms"}, attach: probe.AttachPerfEvent, perf: &probe.Perf{Type: probe.PerfSoftware, Config: 0, Sample: 10e6, AllCPUs: true}},
		{raw: []string{"interval", "ms", "100"}, attach: probe.AttachPerfEvent, perf: &probe.Perf{Type: probe.PerfSoftware, Config: 0, Sample: 100e6}},
		{raw: []string{"i", "2s"}, attach: probe.AttachPerfEvent, perf: &probe.Perf{Type: probe.PerfSoftware, Config: 0, Sample: 2e9}},
		{raw: []string{"p", "us", "250"}, attach: probe.AttachPerfEvent, perf: &probe.Perf{Type: probe.PerfSoftware, Config: 0, Sample: 250e3, AllCPUs: true}},
		{raw: []string{"software", "faults"}, attach: probe.AttachPerfEvent, perf: &probe.Perf{Type: probe.PerfSoftware, Config: 2, Sample: 100, AllCPUs: true}},
		{raw: []string{"s", "cs", "7"}, attach: probe.AttachPerfEvent, perf: &probe.Perf{Type: probe.PerfSoftware, Config: 3, Sample: 7, AllCPUs: true}},
		{raw: []string{"hardware", "cache-misses"}, attach: probe.AttachPerfEvent, perf: &probe.Perf{Type: probe.PerfHardware, Config: 3, Sample: 1000000, AllCPUs: true}},
		{raw: []string{"kprobe", "vfs_read"}, attach: probe.AttachKprobe},
		{raw: []string{"kr", "vfs_read"}, attach: probe.AttachKprobe, ret: true},
		{raw: []string{"uprobe", "/bin/sh", "main"}, attach: probe.AttachUprobe},
		{raw: []string{"ur", "/bin/sh", "main"}, attach: probe.AttachUprobe, ret: true},
		{raw: []string{"kretfunc", "vfs_read"}, attach: probe.AttachTracing, ret: true},
		{raw: []string{"BEGIN"}, attach: probe.AttachRunOnce},
		{raw: []string{"end"}, attach: probe.AttachRunOnce},
		{raw: []string{"bench", "a"}, attach: probe.AttachBench},
	}
	for _, tt := range tests {
		a := ap(tt.raw[0], tt.raw[1:]...)
		pts, err := probe.Expand(a, nil)
		if err != nil || len(pts) != 1 {
			t.Errorf("%s: %v, %d points", a.Raw, err, len(pts))
			continue
		}
		pt := pts[0]
		if pt.Kind.Attach != tt.attach || pt.Return != tt.ret {
			t.Errorf("%s: attach %v, return %v; want %v, %v", a.Raw, pt.Kind.Attach, pt.Return, tt.attach, tt.ret)
		}
		if (pt.Perf == nil) != (tt.perf == nil) || pt.Perf != nil && *pt.Perf != *tt.perf {
			t.Errorf("%s: perf %+v, want %+v", a.Raw, pt.Perf, tt.perf)
		}
	}
}

// TestKindProperties: the properties kinds are checked, compiled and
// attached by agree with each other.
func TestKindProperties(t *testing.T) {
	runAt := map[probe.RunAt]int{}
	for _, k := range probe.Kinds() {
		if k.Supported != (k.Attach != probe.AttachNone) {
			t.Errorf("%s: supported %v, attach %v", k, k.Supported, k.Attach)
		}
		if (k.Attach == probe.AttachRunOnce) != (k.RunAt != probe.RunOnEvent) {
			t.Errorf("%s: attach %v, run at %v", k, k.Attach, k.RunAt)
		}
		runAt[k.RunAt]++
		if (k.Prog == probe.ProgTracing) != (k.Tracing != probe.TracingNone) {
			t.Errorf("%s: program %v, tracing target %v", k, k.Prog, k.Tracing)
		}
		if k.ArgN == probe.ArgsRegs && k.Prog != probe.ProgKprobe {
			t.Errorf("%s: arguments in registers without pt_regs", k)
		}
		if k.Prog.TestRun() && !(k.PerPoint || k.RunAt != probe.RunOnEvent) {
			t.Errorf("%s: programs run by BPF_PROG_TEST_RUN carry no cookie: compile one per point", k)
		}
	}
	if runAt[probe.RunAtStart] != 1 || runAt[probe.RunAtEnd] != 1 {
		t.Errorf("kinds run at start and end: %v", runAt)
	}
}

// TestList: what -l lists for each kind, from the kind alone or from
// the machine (probetest's canned kernel).
func TestList(t *testing.T) {
	env := probetest.New()
	tests := []struct {
		kind, rest string
		want       []string
	}{
		{kind: "software", rest: "cpu*", want: []string{"software:cpu-clock:", "software:cpu-migrations:", "software:cpu:"}},
		{kind: "hardware", rest: "cycles", want: []string{"hardware:cycles:"}},
		{kind: "interval", want: []string{"interval:hz:", "interval:ms:", "interval:s:", "interval:us:"}},
		{kind: "profile", rest: "hz:99", want: []string{"profile:hz:"}},
		{kind: "software", rest: "faults:10", want: []string{"software:faults:"}},
		{kind: "BEGIN", want: []string{"BEGIN"}},
		{kind: "self", rest: "signal:SIGUSR1", want: []string{"self:signal:SIGUSR1"}},
		{kind: "tracepoint", rest: "sched:sched_switch", want: []string{"tracepoint:sched:sched_switch"}},
		{kind: "rawtracepoint", rest: "sys_*", want: []string{"rawtracepoint:vmlinux:sys_enter", "rawtracepoint:vmlinux:sys_exit"}},
		{kind: "rawtracepoint", rest: "vmlinu*:sched_switch", want: []string{"rawtracepoint:vmlinux:sched_switch"}},
		{kind: "kprobe", want: []string{"kprobe:_raw_spin_lock", "kprobe:_raw_spin_lock_irqsave", "kprobe:_raw_spin_unlock_irqrestore", "kprobe:do_sys_open", "kprobe:do_sys_openat2", "kprobe:p9_client_create", "kprobe:queued_spin_lock_slowpath", "kprobe:vfs_open", "kprobe:vfs_read", "kprobe:vfs_write"}},
		{kind: "kretprobe", rest: "vfs_*", want: []string{"kretprobe:vfs_open", "kretprobe:vfs_read", "kretprobe:vfs_write"}},
		{kind: "kfunc", rest: "vfs_*", want: []string{"fentry:vmlinux:vfs_read", "fentry:vmlinux:vfs_write"}},
		{kind: "kretfunc", rest: "vmlinux:vfs_read", want: []string{"fexit:vmlinux:vfs_read"}},
		{kind: "uprobe"},
		{kind: "watchpoint"},
	}
	for _, tt := range tests {
		got, err := probe.Lookup(tt.kind).ListMatching(env, tt.rest)
		if err != nil {
			t.Errorf("%s:%s: %v", tt.kind, tt.rest, err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s:%s lists %q, want %q", tt.kind, tt.rest, got, tt.want)
		}
	}
	var inList []string
	for _, k := range probe.Kinds() {
		if k.InList {
			inList = append(inList, k.Name)
		}
	}
	if want := []string{"tracepoint", "rawtracepoint", "kprobe", "software", "hardware", "kfunc"}; !slices.Equal(inList, want) {
		t.Errorf("kinds -l lists without a pattern: %q, want %q", inList, want)
	}
}

// TestParams: -lv's parameters of a probe.
func TestParams(t *testing.T) {
	env := probetest.New()
	tests := []struct {
		kind, listed string
		want         []string
	}{
		{"tracepoint", "tracepoint:syscalls:sys_enter_openat", []string{"int __syscall_nr", "int dfd", "const char * filename", "int flags", "umode_t mode"}},
		{"kfunc", "fentry:vmlinux:vfs_read", []string{"struct file * file", "uint8 * buf", "uint64 count", "int64 * pos"}},
		{"rawtracepoint", "rawtracepoint:vmlinux:sched_switch", []string{"bool preempt", "struct task_struct * prev", "struct task_struct * next", "uint32 prev_state"}},
		// A kprobe's function's parameters from BTF, as the newest
		// bpftrace lists them (its suite's "it lists kprobes with
		// verbose mode").
		{"kprobe", "kprobe:vfs_read", []string{"struct file * file", "uint8 * buf", "uint64 count", "int64 * pos"}},
		{"software", "software:cpu:", nil},
	}
	for _, tt := range tests {
		got, err := probe.Lookup(tt.kind).Params(env, tt.listed)
		if err != nil {
			t.Errorf("%s: %v", tt.listed, err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s has params %q, want %q", tt.listed, got, tt.want)
		}
	}
}

// TestExpandBench: bench:NAME keeps its name; a bench probe needs one.
func TestExpandBench(t *testing.T) {
	pts, err := probe.Expand(ap("bench", "fast_path"), nil)
	if err != nil || len(pts) != 1 || pts[0].Name != "bench:fast_path" {
		t.Fatalf("bench:fast_path: %v, %+v", err, pts)
	}
	for _, name := range []string{"", "a*"} {
		if _, err := probe.Expand(ap("bench", name), nil); err == nil || !strings.Contains(err.Error(), "bench probes need a name") {
			t.Errorf("bench:%s: error %v, want: bench probes need a name", name, err)
		}
	}
}

// TestFiresInTask: --cgroup keeps the probes that run in the traced task's
// context to the cgroup (those -p keeps to a process); begin and end, the
// interval timer, self and bench run on gbt's behalf and are never
// filtered.
func TestFiresInTask(t *testing.T) {
	want := map[string]bool{
		"BEGIN": false, "END": false, "interval": false, "self": false, "bench": false, "test": false,
		"tracepoint": true, "rawtracepoint": true, "tp_btf": true, "kprobe": true, "kretprobe": true,
		"uprobe": true, "uretprobe": true, "usdt": true, "profile": true, "software": true,
		"hardware": true, "watchpoint": true, "asyncwatchpoint": true, "kfunc": true, "kretfunc": true,
		// An iterator runs when gbt reads it, in gbt's own task.
		"iter": false,
	}
	for _, k := range probe.Kinds() {
		w, ok := want[k.Name]
		if !ok {
			if k.Supported {
				t.Errorf("%s: supported kind missing from this test: does --cgroup filter it?", k.Name)
			}
			continue
		}
		if got := k.FiresInTask(); got != w {
			t.Errorf("%s.FiresInTask() = %v, want %v", k.Name, got, w)
		}
	}
}
