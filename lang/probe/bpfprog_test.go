package probe_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
)

func TestExpandBPFFuncs(t *testing.T) {
	env := probetest.New()
	tests := []struct {
		name  string
		parts []string
		want  []string // point names
		ids   []uint32 // the points' program ids
		err   string
	}{
		{name: "by name", parts: []string{"bpf", "interval_us_100000_1"}, want: []string{"fentry:bpf:41:interval_us_100000_1"}, ids: []uint32{41}},
		{name: "glob over programs", parts: []string{"bpf", "*_1"}, want: []string{"fentry:bpf:41:interval_us_100000_1"}, ids: []uint32{41}},
		{name: "a program's functions", parts: []string{"bpf", "42", "*"},
			want: []string{"fentry:bpf:42:tracepoint_syscalls_sys_enter_openat_2", "fentry:bpf:42:gbt_cb_continue"}, ids: []uint32{42, 42}},
		{name: "any id", parts: []string{"bpf", "*", "gbt_cb_*"}, want: []string{"fentry:bpf:42:gbt_cb_continue"}, ids: []uint32{42}},
		{name: "other id", parts: []string{"bpf", "41", "gbt_cb_continue"}, err: "No matches for fentry bpf:41:gbt_cb_continue."},
		{name: "no name", parts: []string{"bpf"}, err: "the 'bpf' variant of this probe requires a bpf program name and optional bpf program id"},
		{name: "bad id", parts: []string{"bpf", "x", "f"}, err: "bpf program id must be a number or '*'"},
		{name: "not bpf", parts: []string{"vmlinux", "x", "f"}, err: "Only the 'bpf' variant of this probe supports 4 arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pts, err := probe.Expand(ap("fentry", tt.parts...), env)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			var ids []uint32
			for _, p := range pts {
				names, ids = append(names, p.Name), append(ids, p.BPF.ProgID)
				if p.Func != p.BPF.Name || p.Kind.Tracing != probe.TracingEntry {
					t.Errorf("point %+v", p)
				}
			}
			if !slices.Equal(names, tt.want) || !slices.Equal(ids, tt.ids) {
				t.Errorf("got %v %v, want %v %v", names, ids, tt.want, tt.ids)
			}
		})
	}
	// fexit names its points as the newest bpftrace does.
	pts, err := probe.Expand(ap("kretfunc", "bpf", "41", "interval_us_100000_1"), env)
	if err != nil || len(pts) != 1 || pts[0].Name != "fexit:bpf:41:interval_us_100000_1" || !pts[0].Return {
		t.Errorf("kretfunc:bpf:41:...: %+v, %v", pts, err)
	}
}

func TestListBPFFuncs(t *testing.T) {
	env := probetest.New()
	k := probe.Lookup("fexit")
	for _, tt := range []struct {
		rest string
		want []string
	}{
		{"bpf:*", []string{"fexit:bpf:41:interval_us_100000_1", "fexit:bpf:42:tracepoint_syscalls_sys_enter_openat_2", "fexit:bpf:42:gbt_cb_continue"}},
		{"bpf:interval*", []string{"fexit:bpf:41:interval_us_100000_1"}},
		{"bpf:42:*", []string{"fexit:bpf:42:tracepoint_syscalls_sys_enter_openat_2", "fexit:bpf:42:gbt_cb_continue"}},
		{"bpf:*:gbt_*", []string{"fexit:bpf:42:gbt_cb_continue"}},
	} {
		got, err := k.ListMatching(env, tt.rest)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("-l 'fexit:%s': %v, %v; want %v", tt.rest, got, err, tt.want)
		}
	}
	// Without "bpf:" the kernel's functions are listed, not programs.
	got, err := k.ListMatching(env, "*")
	if err != nil || slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "fexit:bpf:") }) {
		t.Errorf("-l 'fexit:*': %v, %v", got, err)
	}
}
