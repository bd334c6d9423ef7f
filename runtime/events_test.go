package runtime_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/output"
)

// TestKernelEveryEventKind: each kind of record BEGIN can send reaches its
// builtin's decoder, in order, in text and JSON: printf, print of a map and
// of a value, cat, zero, clear, time, system, unwatch (nothing to remove),
// and exit, which ends the probe (END still runs).
func TestKernelEveryEventKind(t *testing.T) {
	requireRoot(t)
	src := `BEGIN {
	@m[1] = 2;
	printf("p %d %s\n", 7, "x");
	print(@m);
	print((1, "a"));
	cat("%s", "/proc/sys/kernel/ostype");
	zero(@m);
	print(@m);
	clear(@m);
	print(@m);
	time("T\n");
	system("echo s%d", 1);
	unwatch(0);
	exit();
	printf("not reached\n");
}
END { printf("end\n"); }`
	obj, _, err := runtime.Compile("t.bt", src, runtime.CompileOptions{Unsafe: true})
	if err != nil {
		t.Fatal(err)
	}
	const jsonRecords = `{"type": "printf", "data": "p 7 x\n"}
{"type": "map", "data": {"@m": {"1": 2}}}
{"type": "value", "data": [1,"a"]}
{"type": "cat", "data": "Linux\n"}
{"type": "map", "data": {"@m": {"1": 0}}}
{"type": "time", "data": "T\n"}
{"type": "syscall", "data": "s1\n"}
{"type": "printf", "data": "end\n"}
`
	for _, tc := range []struct {
		format output.Format
		quiet  bool
		want   string
	}{
		// The cleared @m prints nothing, as in the newest bpftrace.
		{output.Text, true, "p 7 x\n@m[1]: 2\n(1, a)\nLinux\n@m[1]: 0\nT\ns1\nend\n\n\n"},
		// JSON is one record per line with no blank lines; -q drops
		// attached_probes as the newest bpftrace does.
		{output.JSON, true, jsonRecords},
		{output.JSON, false, `{"type": "attached_probes", "count": 2, "data": {"probes": 2}}
` + jsonRecords},
	} {
		var out bytes.Buffer
		if err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: &out, Stderr: io.Discard, Quiet: tc.quiet, Format: tc.format}); err != nil {
			t.Fatal(err)
		}
		if out.String() != tc.want {
			t.Errorf("format %d: output\n%q\nwant\n%q", tc.format, out.String(), tc.want)
		}
	}
}

// TestKernelZeroedKeylessPrints: a keyless aggregation lives in a per-CPU
// array, so all-zero values read as "never stored" and print nothing; one
// that zero() reset still prints its zero value, as in bpftrace, until
// clear() empties it again.
func TestKernelZeroedKeylessPrints(t *testing.T) {
	requireRoot(t)
	src := `BEGIN {
	@h = hist(2); zero(@h);
	@l = lhist(2, 0, 100, 10); zero(@l);
	@s = stats(3); zero(@s);
	@c = stats(3); zero(@c); clear(@c);
	@n = hist(5); clear(@n);
	exit();
}`
	obj, _, err := runtime.Compile("t.bt", src, runtime.CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: &out, Stderr: io.Discard, Quiet: true, Format: output.JSON}); err != nil {
		t.Fatal(err)
	}
	want := `{"type": "hist", "data": {"@h": []}}
{"type": "hist", "data": {"@l": []}}
{"type": "stats", "data": {"@s": {"count": 0, "average": 0, "total": 0}}}
`
	if out.String() != want {
		t.Errorf("output\n%s\nwant\n%s", out.String(), want)
	}
}

// TestKernelCatMissingFile: cat() of a file that cannot be opened reports
// it in the newest bpftrace's words on stderr and the probe goes on.
func TestKernelCatMissingFile(t *testing.T) {
	requireRoot(t)
	obj, _, err := runtime.Compile("t.bt", `BEGIN { cat("/does/not/exist/file"); printf("after\n"); exit(); }`, runtime.CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	if err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: &out, Stderr: &errs, Quiet: true}); err != nil {
		t.Fatal(err)
	}
	if want := "ERROR: failed to open file '/does/not/exist/file' (No such file or directory)\n"; errs.String() != want {
		t.Errorf("stderr %q, want %q", errs.String(), want)
	}
	if want := "after\n\n\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
}

// TestKernelNotifyAttached: with NotifyAttached the marker line is
// printed on stdout once the probes are attached, as the newest bpftrace
// prints it, and not without it.
func TestKernelNotifyAttached(t *testing.T) {
	requireRoot(t)
	obj, _, err := runtime.Compile("t.bt", `BEGIN { exit(); }`, runtime.CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		quiet, notify bool
		want, wantOut string // stderr, stdout
	}{
		{false, true, "Attaching 1 probe...\nAttached 1 probe\n", runtime.AttachedMarker + "\n\n\n"}, // the blank lines at exit
		{true, true, "", runtime.AttachedMarker + "\n\n\n"},
		{false, false, "Attaching 1 probe...\nAttached 1 probe\n", "\n\n"},
	} {
		var out, errs bytes.Buffer
		if err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: &out, Stderr: &errs, Quiet: tt.quiet, NotifyAttached: tt.notify}); err != nil {
			t.Fatal(err)
		}
		if errs.String() != tt.want || out.String() != tt.wantOut {
			t.Errorf("quiet %v notify %v: stderr %q, stdout %q; want %q, %q", tt.quiet, tt.notify, errs.String(), out.String(), tt.want, tt.wantOut)
		}
	}
}
