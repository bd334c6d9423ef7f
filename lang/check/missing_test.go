package check_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/stdlib"
)

// TestMissingProbes: bpftrace's missing_probes setting makes an attach
// point that names nothing an error (the default), a warning and a skip,
// or a silent skip; a probe left without points goes.
func TestMissingProbes(t *testing.T) {
	const tp = `tracepoint:sched:sched_switch, tracepoint:sched:nonsense { } tracepoint:nonsense:x { }`
	// A function the kernel's BTF lacks, as the v0.26.1 suite's
	// fentry_*missing_probes tests write it.
	const fentry = `fentry:vfs_read,fentry:nonsense { }`
	const kprobe = `kprobe:vfs_read,kprobe:nonsense { }`
	const kprobeMod = `kprobe:vfs_read,kprobe:vmlinux:nonsense { }`
	tests := []struct {
		src, mode    string
		probes       int
		want, absent string
	}{
		{tp, "", 0, "ERROR: No matches for tracepoint sched:nonsense.", "WARNING"},
		{tp, "error", 0, "ERROR: No matches for tracepoint sched:nonsense.", "WARNING"},
		{tp, "warn", 1, "WARNING: No matches for tracepoint sched:nonsense. Skipping.", "ERROR"},
		{tp, "warn", 1, "WARNING: Probe has no valid attach points. It is being removed which may cause issues with program behavior.", "ERROR"},
		{tp, "ignore", 1, "", "No matches"},
		{fentry, "", 0, "ERROR: No matches for fentry nonsense.", "WARNING"},
		{fentry, "warn", 1, "WARNING: No matches for fentry nonsense. Skipping.", "ERROR"},
		{fentry, "ignore", 1, "", "nonsense"},
		// A kprobe on a function the kernel does not list as traceable
		// (probetest's available_filter_functions), with the newest
		// bpftrace's warning.
		{kprobe, "", 0, "ERROR: No matches for kprobe nonsense.", "Skipping"},
		{kprobe, "", 0, `WARNING: nonsense is not traceable (either non-existing, inlined, or marked as "notrace"); attaching to it will likely fail`, "Skipping"},
		{kprobe, "warn", 1, "WARNING: No matches for kprobe nonsense. Skipping.", "ERROR"},
		{kprobeMod, "", 0, "ERROR: No matches for kprobe vmlinux:nonsense.", "Skipping"},
	}
	for _, tt := range tests {
		src := tt.src
		prog, diags := parse.Parse("stdin", src)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: stdlib.New(), MissingProbes: tt.mode})
		if tt.probes > 0 && info == nil {
			t.Fatalf("%s, missing_probes=%q: %v", src, tt.mode, diags)
		}
		var b strings.Builder
		diag.RenderAll(&b, diag.Source{Name: "stdin", Text: src}, diags)
		out := b.String()
		if !strings.Contains(out, tt.want) || (tt.absent != "" && strings.Contains(out, tt.absent)) {
			t.Errorf("missing_probes=%q:\n%s\nwant %q, not %q", tt.mode, out, tt.want, tt.absent)
		}
		if tt.probes > 0 && (info == nil || len(info.Probes) != tt.probes || len(info.Probes[0].Points) != 1) {
			t.Errorf("missing_probes=%q: probes %+v", tt.mode, info)
		}
	}
}

// TestProbeFilter: --probe-filter keeps the event probes whose point names
// it accepts, and begin and end (with none kept, the run says "No
// probes to attach": runtime).
func TestProbeFilter(t *testing.T) {
	const src = `BEGIN { } tracepoint:sched:sched_switch, tracepoint:sched:sched_wakeup { } tracepoint:syscalls:sys_enter_openat { }`
	tests := []struct {
		keep   string
		points []string // of the probes kept, in order
		err    string
	}{
		{"sched_wakeup", []string{"BEGIN", "tracepoint:sched:sched_wakeup"}, ""},
		{"sched", []string{"BEGIN", "tracepoint:sched:sched_switch", "tracepoint:sched:sched_wakeup"}, ""},
		{"nothing", []string{"BEGIN"}, ""},
	}
	for _, tt := range tests {
		prog, diags := parse.Parse("stdin", src)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		keep := tt.keep
		info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: stdlib.New(),
			ProbeFilter: func(name string) bool { return strings.Contains(name, keep) }})
		var b strings.Builder
		diag.RenderAll(&b, diag.Source{Name: "stdin", Text: src}, diags)
		if tt.err != "" {
			if !strings.Contains(b.String(), tt.err) {
				t.Errorf("filter %q: %s, want %q", tt.keep, b.String(), tt.err)
			}
			continue
		}
		if diags.HasErrors() {
			t.Fatalf("filter %q: %s", tt.keep, b.String())
		}
		var got []string
		for _, pi := range info.Probes {
			for _, pt := range pi.Points {
				got = append(got, pt.Name)
			}
		}
		if strings.Join(got, " ") != strings.Join(tt.points, " ") {
			t.Errorf("filter %q keeps %q, want %q", tt.keep, got, tt.points)
		}
	}
}

// TestUntraceableUnsafe: with --unsafe a kprobe on a function the kernel
// does not list as traceable is kept, after the warning, for the kernel
// to refuse at attach time (bpftrace's kprobe_func_missing_unsafe).
func TestUntraceableUnsafe(t *testing.T) {
	const src = `kprobe:vmlinux:nonsense { }`
	prog, diags := parse.Parse("stdin", src)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: stdlib.New(), Unsafe: true})
	var b strings.Builder
	diag.RenderAll(&b, diag.Source{Name: "stdin", Text: src}, diags)
	if diags.HasErrors() || !strings.Contains(b.String(), "WARNING: nonsense is not traceable") {
		t.Fatalf("%s", b.String())
	}
	if len(info.Probes) != 1 || len(info.Probes[0].Points) != 1 || info.Probes[0].Points[0].Name != "kprobe:vmlinux:nonsense" {
		t.Errorf("probes %+v", info.Probes)
	}
}

// TestUntraceableKprobe017: under 0.17's compatibility a kprobe on a
// function the kernel does not list as traceable is kept, without a
// word, for the kernel to refuse when it attaches (after begin ran), as
// bpftrace 0.17 does.
func TestUntraceableKprobe017(t *testing.T) {
	const src = `kprobe:nonsense { } BEGIN { exit(); }`
	prog, diags := parse.Parse("stdin", src)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: stdlib.New(), Compat: compat.V017})
	if len(diags) > 0 || info == nil || len(info.Probes) != 2 || info.Probes[0].Points[0].Name != "kprobe:nonsense" {
		t.Errorf("diagnostics %v, probes %+v; want kprobe:nonsense kept without a word", diags, info)
	}
}

// TestPrintfStringOfInt017: printf's %s prints an integer, as the newest
// bpftrace does; under 0.17's compatibility it is refused, in its words.
func TestPrintfStringOfInt017(t *testing.T) {
	const src = `BEGIN { printf("%s\n", 1); }`
	for _, tt := range []struct {
		v    compat.Version
		want string
	}{
		{compat.Newest, ""},
		{compat.V017, "printf: %s specifier expects a value of type string (integer supplied)"},
	} {
		prog, diags := parse.Parse("stdin", src)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		_, diags = check.Check(prog, check.Config{Env: probetest.New(), Builtins: stdlib.New(), Compat: tt.v})
		var b strings.Builder
		diag.RenderAll(&b, diag.Source{Name: "stdin", Text: src}, diags)
		if got := b.String(); (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%v: %q, want %q", tt.v, got, tt.want)
		}
	}
}
