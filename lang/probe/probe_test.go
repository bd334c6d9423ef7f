package probe_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
)

func ap(provider string, parts ...string) *ast.AttachPoint {
	return &ast.AttachPoint{Raw: strings.Join(append([]string{provider}, parts...), ":"), Provider: provider, Parts: parts}
}

func TestExpand(t *testing.T) {
	env := probetest.New()
	tests := []struct {
		ap    *ast.AttachPoint
		names []string
		err   string
	}{
		{ap: ap("BEGIN"), names: []string{"BEGIN"}},
		{ap: ap("t", "syscalls", "sys_enter_openat"), names: []string{"tracepoint:syscalls:sys_enter_openat"}},
		{ap: ap("tracepoint", "syscalls", "sys_enter_open*"), names: []string{"tracepoint:syscalls:sys_enter_open", "tracepoint:syscalls:sys_enter_open_by_handle_at", "tracepoint:syscalls:sys_enter_open_tree", "tracepoint:syscalls:sys_enter_open_tree_attr", "tracepoint:syscalls:sys_enter_openat", "tracepoint:syscalls:sys_enter_openat2"}},
		{ap: ap("t", "syscalls", "sys_enter_{open,openat}"), names: []string{"tracepoint:syscalls:sys_enter_open", "tracepoint:syscalls:sys_enter_openat"}},
		{ap: ap("interval", "ms", "100"), names: []string{"interval:ms:100"}},
		{ap: ap("i", "s", "5"), names: []string{"interval:s:5"}},
		{ap: ap("profile", "hz", "99"), names: []string{"profile:hz:99"}},
		// The newest bpftrace's durations, named in microseconds as it
		// names them.
		{ap: ap("interval", "1s"), names: []string{"interval:us:1000000"}},
		{ap: ap("i", "100ms"), names: []string{"interval:us:100000"}},
		{ap: ap("interval", "1_500us"), names: []string{"interval:us:1500"}},
		{ap: ap("p", "1e6"), names: []string{"profile:us:1000"}},
		{ap: ap("profile", "2m"), names: []string{"profile:us:120000000"}},
		{ap: ap("i", "0x2710"), names: []string{"interval:us:10"}},
		{ap: ap("begin"), names: []string{"begin"}},
		{ap: ap("end"), names: []string{"end"}},
		{ap: ap("p", "ms", "1000"), names: []string{"profile:ms:1000"}},
		{ap: ap("s", "cpu-clock", "1000"), names: []string{"software:cpu-clock:1000"}},
		{ap: ap("hardware", "cycles"), names: []string{"hardware:cycles:1000000"}}, // as written, as bpftrace names it
		{ap: ap("s", "cpu", "1e6"), names: []string{"software:cpu:1000000"}},
		{ap: ap("w", "0xffff8000dead0", "8", "rw"), names: []string{"watchpoint:0xffff8000dead0:8:rw"}},
		{ap: ap("k", "vfs_read+16"), names: []string{"kprobe:vfs_read+16"}},
		{ap: ap("END"), names: []string{"END"}},
		{ap: ap("kr", "vfs_read"), names: []string{"kretprobe:vfs_read"}},
		{ap: ap("u", "/bin/sh", "main"), names: []string{"uprobe:/bin/sh:main"}},
		{ap: ap("ur", "/bin/sh", "0x1000"), names: []string{"uretprobe:/bin/sh:0x1000"}},
		{ap: ap("rt", "sched_switch"), names: []string{"rawtracepoint:vmlinux:sched_switch"}},
		{ap: ap("tp_btf", "sched_switch"), names: []string{"tp_btf:sched_switch"}},
		{ap: ap("f", "vfs_read"), names: []string{"fentry:vmlinux:vfs_read"}},
		{ap: ap("fr", "vfs_read"), names: []string{"fexit:vmlinux:vfs_read"}},
		{ap: ap("iter", "task"), names: []string{"iter:task"}},
		// Wildcard kprobes: one point per traceable function (probetest's
		// available_filter_functions), sorted, each name once.
		{ap: ap("kprobe", "vfs_*"), names: []string{"kprobe:vfs_open", "kprobe:vfs_read", "kprobe:vfs_write"}},
		{ap: ap("kr", "do_sys_open*"), names: []string{"kretprobe:do_sys_open", "kretprobe:do_sys_openat2"}},
		{ap: ap("k", "{vfs_read,vfs_*}"), names: []string{"kprobe:vfs_read", "kprobe:vfs_open", "kprobe:vfs_write"}},
		{ap: ap("k", "p9_client_*"), names: []string{"kprobe:p9_client_create"}},
		{ap: ap("k", "nosuch*"), err: "No matches for kprobe nosuch*."},
		{ap: ap("kfunc", "vfs_*"), names: []string{"fentry:vmlinux:vfs_read", "fentry:vmlinux:vfs_write"}},
		{ap: ap("kretfunc", "vfs_re*ad"), names: []string{"fexit:vmlinux:vfs_read"}},
		// The newest bpftrace names kfunc and kretfunc fentry and fexit.
		{ap: ap("kfunc", "nosuch*"), err: "No matches for fentry nosuch*."},
		// A function the kernel's BTF does not have is missing (and
		// missing_probes decides), as a wildcard matching nothing is.
		{ap: ap("fentry", "nonsense"), err: "No matches for fentry nonsense."},
		{ap: ap("kretfunc", "nonsense"), err: "No matches for fexit nonsense."},
		{ap: ap("kfunc", "vfs_write"), names: []string{"fentry:vmlinux:vfs_write"}},
		// KIND:MODULE:FUNCTION, as the newest bpftrace (and 0.17 for
		// kfuncs) reads it: named as written unless a part is a glob.
		{ap: ap("kfunc", "vmlinux", "vfs_read"), names: []string{"fentry:vmlinux:vfs_read"}},
		{ap: ap("kfunc", "vmlinu*", "vfs_read"), names: []string{"fentry:vmlinux:vfs_read"}},
		{ap: ap("kretfunc", "vmlinux", "vfs_write"), names: []string{"fexit:vmlinux:vfs_write"}},
		{ap: ap("kfunc", "vmlinux", "vfs_*"), names: []string{"fentry:vmlinux:vfs_read", "fentry:vmlinux:vfs_write"}},
		{ap: ap("kfunc", "vmlinux", "do_nanosleep"), err: "No matches for kfunc vmlinux:do_nanosleep."},
		{ap: ap("kprobe", "vmlinux", "vfs_read"), names: []string{"kprobe:vmlinux:vfs_read"}},
		{ap: ap("kprobe", "vmlinux", "vfs_read+16"), names: []string{"kprobe:vmlinux:vfs_read+16"}},
		{ap: ap("kr", "9pnet", "p9_client_create"), names: []string{"kretprobe:9pnet:p9_client_create"}},
		{ap: ap("kprobe", "*", "p9_client_*"), names: []string{"kprobe:9pnet:p9_client_create"}},
		{ap: ap("kprobe", "vmlinux", "vfs_{read,write}"), names: []string{"kprobe:vmlinux:vfs_read", "kprobe:vmlinux:vfs_write"}},
		{ap: ap("kprobe", "vmlinux", "nosuch"), err: "No matches for kprobe vmlinux:nosuch."},
		{ap: ap("kprobe", "syscalls", "sys_exit_nanosleep"), err: "specified module syscalls in probe kprobe:syscalls:sys_exit_nanosleep is not loaded."},
		{ap: ap("kretprobe", "syscalls", "sys_exit_nanosleep"), err: "specified module syscalls in probe kretprobe:syscalls:sys_exit_nanosleep is not loaded."},
		{ap: ap("kprobe", "vmlinux", "vfs_*+4"), err: "an offset needs one function, not a wildcard: kprobe:vmlinux:vfs_*+4"},
		{ap: ap("kprobe", "a", "b", "c"), err: "kprobe probe type requires 1 or 2 arguments, found 3"},
		// kretprobes that might deadlock: refused by name, left out of a
		// wildcard (kprobes on them are fine).
		{ap: ap("kretprobe", "_raw_spin_lock"), err: "kretprobe:_raw_spin_lock can't be used as it might lock up your system."},
		{ap: ap("kr", "queued_spin_lock_slowpath"), err: "kretprobe:queued_spin_lock_slowpath can't be used as it might lock up your system."},
		{ap: ap("kprobe", "_raw_spin_lock"), names: []string{"kprobe:_raw_spin_lock"}},
		{ap: ap("h", "cycels"), err: "cycels is not a hardware probe"},
		{ap: ap("tracepiont", "a", "b"), err: "Invalid probe type: tracepiont"},
		{ap: ap("t", "syscalls", "sys_enter_opnat"), err: "No matches for tracepoint syscalls:sys_enter_opnat."},
		{ap: ap("t", "nosuch", "*"), err: "No matches for tracepoint nosuch:*."},
		{ap: ap("interval", "min", "1"), err: "min is not an accepted unit of time"},
		{ap: ap("interval", "s", "0"), err: "interval frequency should be a positive integer"},
		{ap: ap("interval", "s", "x"), err: "Invalid rate of interval probe: invalid integer: x"},
		{ap: ap("i", "5"), err: "Invalid rate of interval probe. Minimum is 1000 or 1us. Found: 5 nanoseconds"},
		{ap: ap("profile", "99hz"), err: "Invalid rate of profile probe: invalid trailing bytes: 99hz"},
		{ap: ap("profile", "9e18s"), err: "Invalid rate of profile probe: 9e18s is too large"},
		{ap: ap("profile", "0e1"), err: "Invalid rate of profile probe: coefficient part of scientific literal must be 1-9: 0e1"},
		{ap: ap("i", "99999999999d"), err: "Invalid rate of interval probe: 99999999999d is too large"},
		{ap: ap("begin", "x"), err: "begin probe type requires 0 arguments, found 1"},
		{ap: ap("t", "syscalls"), err: "tracepoint probe type requires 2 arguments, found 1"},
	}
	for _, tt := range tests {
		pts, err := probe.Expand(tt.ap, env)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: error %v, want %q", tt.ap.Raw, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.ap.Raw, err)
			continue
		}
		var names []string
		for _, p := range pts {
			names = append(names, p.Name)
		}
		if strings.Join(names, " ") != strings.Join(tt.names, " ") {
			t.Errorf("%s: got %v, want %v", tt.ap.Raw, names, tt.names)
		}
	}
}

// TestExpandWildcards: a wildcard tracepoint expands, through an Env's
// index, to every tracepoint whose name matches, in sorted order.
func TestExpandWildcards(t *testing.T) {
	env := probetest.New()
	all, err := env.Tracepoints()
	if err != nil {
		t.Fatal(err)
	}
	for _, parts := range [][]string{
		{"syscalls", "sys_enter_*"}, {"syscalls", "*open*"}, {"sched", "sched_{switch,wakeup}"},
		{"sched*", "*"}, {"*", "sys_enter_read"}, {"{block,sched}", "*_rq_*"}, {"raw_syscalls", "*"},
		{"syscalls", "sys_enter_open?t"}, {"*", "*"}, {"syscalls", "*"}, {"syscalls", "sys_enter_{open,open*}"}, {"syscalls", "sys_enter_{open*,openat}"},
		{"syscalls", "{sys_exit_read,sys_enter_read}"}, {"syscalls", "{sys_enter_read,*_write}"},
		{"syscalls", "sys_{exit,enter}_open*"}, {"syscalls", "sys_enter_rea?"},
	} {
		a := ap("tracepoint", parts...)
		var want []string
		for _, tp := range all {
			if name := "tracepoint:" + tp; probe.Match(a.Raw, name) {
				want = append(want, name)
			}
		}
		slices.Sort(want)
		if len(want) == 0 {
			t.Fatalf("%s matches nothing", a.Raw)
		}
		pts, err := probe.Expand(a, env)
		if err != nil {
			t.Errorf("%s: %v", a.Raw, err)
			continue
		}
		var got []string
		for _, p := range pts {
			got = append(got, p.Name)
			if p.Category+":"+p.Event != strings.TrimPrefix(p.Name, "tracepoint:") || p.Kind.Name != "tracepoint" {
				t.Errorf("%s: point %+v", a.Raw, p)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", a.Raw, got, want)
		}
	}
	for _, parts := range [][]string{{"sys", "*"}, {"syscall", "*"}, {"nosuch*", "*"}} {
		a := ap("tracepoint", parts...)
		if _, err := probe.Expand(a, env); err == nil || err.Error() != "No matches for tracepoint "+parts[0]+":"+parts[1]+"." {
			t.Errorf("%s: error %v", a.Raw, err)
		}
	}
}

func TestExpandHints(t *testing.T) {
	_, err := probe.Expand(ap("tracepiont", "a", "b"), nil)
	if pe, ok := err.(*probe.Error); !ok || pe.Hint != `did you mean "tracepoint"?` {
		t.Errorf("hint: %#v", err)
	}
	_, err = probe.Expand(ap("t", "syscalls", "sys_enter_opnat"), probetest.New())
	if pe, ok := err.(*probe.Error); !ok || pe.Hint != "did you mean tracepoint:syscalls:sys_enter_openat?" {
		t.Errorf("hint: %#v", err)
	}
}

// cannedFormat returns the text of a canned format file.
func cannedFormat(t *testing.T, category, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("probetest", "testdata", "events", category, name, "format"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseFormat(t *testing.T) {
	f, err := probe.ParseFormat(cannedFormat(t, "sched", "sched_process_exec"))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]probe.FormatField{}
	for _, fld := range f.Fields {
		byName[fld.Name] = fld
	}
	fn := byName["filename"]
	if !fn.DataLoc || fn.Offset != 8 || fn.Size != 4 || !fn.Char {
		t.Errorf("filename: %+v", fn)
	}
	if pid := byName["pid"]; pid.Offset != 12 || pid.Size != 4 || !pid.Signed || pid.CType != "pid_t" {
		t.Errorf("pid: %+v", pid)
	}
	if !byName["common_pid"].Common {
		t.Error("common_pid not marked common")
	}
	f, err = probe.ParseFormat(cannedFormat(t, "sched", "sched_switch"))
	if err != nil {
		t.Fatal(err)
	}
	for _, fld := range f.Fields {
		if fld.Name == "prev_comm" && (fld.ArrayN != 16 || !fld.Char || fld.Size != 16) {
			t.Errorf("prev_comm: %+v", fld)
		}
	}
}

// TestParseFormatEnums: a field declared `enum NAME` names its enum;
// pointers and arrays of enums, and other fields, name none.
func TestParseFormatEnums(t *testing.T) {
	f, err := probe.ParseFormat(cannedFormat(t, "timer", "hrtimer_start"))
	if err != nil {
		t.Fatal(err)
	}
	for _, fld := range f.Fields {
		want := ""
		if fld.Name == "mode" {
			want = "hrtimer_mode"
		}
		if fld.Enum != want {
			t.Errorf("%s (%s): enum %q, want %q", fld.Name, fld.CType, fld.Enum, want)
		}
	}
	text := "name: e\nformat:\n" +
		"\tfield:const enum a x;\toffset:8;\tsize:4;\tsigned:0;\n" +
		"\tfield:enum b * p;\toffset:16;\tsize:8;\tsigned:0;\n" +
		"\tfield:enum c arr[2];\toffset:24;\tsize:8;\tsigned:0;\n" +
		"\tfield:enumx y;\toffset:32;\tsize:4;\tsigned:0;\n"
	f, err = probe.ParseFormat(text)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"x": "a", "p": "", "arr": "", "y": ""}
	for _, fld := range f.Fields {
		if fld.Enum != want[fld.Name] {
			t.Errorf("%s (%s): enum %q, want %q", fld.Name, fld.CType, fld.Enum, want[fld.Name])
		}
	}
}

// TestParseFormatSyscallSigns: syscall tracepoints mark every argument
// signed:0; the C type decides.
func TestParseFormatSyscallSigns(t *testing.T) {
	f, err := probe.ParseFormat(cannedFormat(t, "syscalls", "sys_enter_openat"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"__syscall_nr": true, "dfd": true, "filename": false, "flags": true, "mode": false, "common_type": false}
	for _, fld := range f.Fields {
		if w, ok := want[fld.Name]; ok && fld.Signed != w {
			t.Errorf("%s (%s): signed %v, want %v", fld.Name, fld.CType, fld.Signed, w)
		}
	}
}

// TestFormatCache: a format file is read and parsed once, a parse error
// is kept with it, a read error is not.
func TestFormatCache(t *testing.T) {
	text := cannedFormat(t, "syscalls", "sys_enter_openat")
	want, err := probe.ParseFormat(text)
	if err != nil {
		t.Fatal(err)
	}
	var c probe.FormatCache
	reads := 0
	read := func(text string, err error) func() (string, error) {
		return func() (string, error) { reads++; return text, err }
	}
	f, err := c.Format("syscalls", "sys_enter_openat", read(text, nil))
	if err != nil || !reflect.DeepEqual(f, want) {
		t.Fatalf("Format = %+v, %v; want %+v", f, err, want)
	}
	if g, _ := c.Format("syscalls", "sys_enter_openat", read(text, nil)); g != f || reads != 1 {
		t.Errorf("a format was read %d times, parsed again: %v", reads, g != f)
	}
	_, want2 := probe.ParseFormat("name: empty\n")
	for range 2 {
		_, err := c.Format("bad", "empty", read("name: empty\n", nil))
		if err == nil || err.Error() != want2.Error() || !errors.As(err, new(*probe.FormatError)) {
			t.Errorf("error %v, want %v", err, want2)
		}
	}
	if reads != 2 {
		t.Errorf("a bad format was read %d times, want once", reads-1)
	}
	missing := errors.New("no such tracepoint")
	for range 2 {
		if _, err := c.Format("gone", "later", read("", missing)); err != missing {
			t.Errorf("error %v, want %v", err, missing)
		}
	}
	if f, err := c.Format("gone", "later", read(text, nil)); err != nil || !reflect.DeepEqual(f, want) {
		t.Errorf("a tracepoint that appeared: %v", err)
	}
}

func TestMatchGlobs(t *testing.T) {
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"sys_enter_*", "sys_enter_openat", true},
		{"sys_enter_*", "sys_exit_openat", false},
		{"*openat", "sys_enter_openat", true},
		{"*open*", "sys_exit_openat2", true},
		{"*open*", "sys_read", false},
		{"sys_enter_open?t", "sys_enter_openat", true},
		{"sys_enter_openat", "sys_enter_openat", true},
		{"*", "anything", true},
		{"tracepoint:syscalls:sys_enter_{open,openat}", "tracepoint:syscalls:sys_enter_openat", true},
	}
	for _, tt := range tests {
		if got := probe.Match(tt.pat, tt.s); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pat, tt.s, got, tt.want)
		}
	}
}

// TestResolve: positional parameters in attach points take their values,
// within their part, and quotes go, as in bpftrace 0.17; a parameter the
// command line lacks is an error at the parameter.
func TestResolve(t *testing.T) {
	params := []string{"100", "/bin/bash", "a:b", "i:ms:1"}
	tests := []struct {
		src   string
		parts []string
		err   string
		col   [2]int // columns of the error
	}{
		{src: "interval:ms:$1", parts: []string{"ms", "100"}},
		{src: "uprobe:$2:readline", parts: []string{"/bin/bash", "readline"}},
		{src: "tracepoint:syscalls:sys_enter_$1", parts: []string{"syscalls", "sys_enter_100"}},
		{src: "uprobe:$3:f", parts: []string{"a:b", "f"}},
		{src: `uprobe:"/a b/c":f`, parts: []string{"/a b/c", "f"}},
		{src: `uprobe:"/a\"b":f`, parts: []string{`/a"b`, "f"}},
		{src: `uprobe:"$1":f`, parts: []string{"$1", "f"}},
		{src: `uprobe:/x$y:f`, parts: []string{"/x$y", "f"}},
		{src: "interval:ms:100", parts: []string{"ms", "100"}},
		// A parameter alone is the whole attach point, split at colons.
		{src: "$4", parts: []string{"ms", "1"}},
		{src: "interval:ms:$5", err: "Positional parameter $5 is not provided", col: [2]int{13, 15}},
		{src: "$5", err: "Positional parameter $5 is not provided", col: [2]int{1, 3}},
		{src: "uprobe:$1x:f", err: "Found trailing text 'x' in positional parameter index. Try quoting the trailing text.", col: [2]int{8, 11}},
		{src: "interval:ms:$#", err: "Not a positional parameter: $#", col: [2]int{13, 15}},
		{src: "interval:ms:$0", err: "param $0 is out of integer range [1, 9223372036854775807]", col: [2]int{13, 15}},
	}
	for _, tt := range tests {
		prog, diags := parse.Parse("stdin", tt.src+" { }")
		if diags.HasErrors() {
			t.Fatalf("%s: %v", tt.src, diags.Err())
		}
		a := prog.Probes[0].Points[0]
		got, err := probe.Resolve(a, params)
		if tt.err != "" {
			pe, ok := err.(*probe.Error)
			if !ok || pe.Msg != tt.err || pe.Span.Start.Col != tt.col[0] || pe.Span.End.Col != tt.col[1] {
				t.Errorf("%s: error %#v, want %q at columns %v", tt.src, err, tt.err, tt.col)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.src, err)
			continue
		}
		if !slices.Equal(got.Parts, tt.parts) || got.Raw != got.Provider+":"+strings.Join(tt.parts, ":") || got.Span != a.Span {
			t.Errorf("%s: got %+v, want parts %q", tt.src, got, tt.parts)
		}
		if !strings.ContainsAny(tt.src, `$"`) && got != a {
			t.Errorf("%s: copied an attach point that needs no change", tt.src)
		}
	}
	_, err := probe.Resolve(ap("interval", "ms", "$1"), nil)
	if pe, ok := err.(*probe.Error); !ok || !strings.Contains(pe.Hint, "no parameters") {
		t.Errorf("hint without parameters: %#v", err)
	}
}

// fewTraceable is a machine whose kernel lists only vfs_read as
// traceable.
type fewTraceable struct{ *probetest.Env }

func (fewTraceable) TraceableFunctions() ([]string, error) { return []string{"vmlinux:vfs_read"}, nil }

// TestLockingKretprobeUntraceable: a kretprobe on a spin lock function is
// refused as such even where the kernel does not list the function as
// traceable (the 7.2 guest's queued_spin_lock_slowpath), as bpftrace
// refuses it; another function it does not list is missing.
func TestLockingKretprobeUntraceable(t *testing.T) {
	env := fewTraceable{probetest.New()}
	_, err := probe.Expand(ap("kretprobe", "queued_spin_lock_slowpath"), env)
	if want := "kretprobe:queued_spin_lock_slowpath can't be used as it might lock up your system."; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	_, err = probe.Expand(ap("kretprobe", "vfs_write"), env)
	if pe, ok := err.(*probe.Error); !ok || !pe.Missing || pe.Untraceable != "vfs_write" {
		t.Errorf("kretprobe:vfs_write: error %#v, want it missing as untraceable", err)
	}
}
