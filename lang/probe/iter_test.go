package probe_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
)

// TestExpandIter: iter:NAME names an iterator the kernel's BTF has a
// struct bpf_iter__NAME for (it: is its short name); the point carries
// the iterator's name for the load, and ctx points to that struct. A
// wildcard, an empty name and an iterator the kernel lacks are errors, in
// bpftrace's words where it has them. A pin is a path in the BPF file
// system, /sys/fs/bpf/ unless absolute.
func TestExpandIter(t *testing.T) {
	env := probetest.New()
	tests := []struct {
		ap   *ast.AttachPoint
		name string
		ctx  string
		pin  string
		err  string
	}{
		{ap: ap("iter", "task"), name: "iter:task", ctx: "struct bpf_iter__task"},
		{ap: ap("it", "task_file"), name: "iter:task_file", ctx: "struct bpf_iter__task_file"},
		{ap: ap("iter", "task*"), err: "iter probe type does not support wildcards"},
		{ap: ap("iter", "task", "pin*"), err: "iter probe type does not support wildcards"},
		{ap: ap("iter", ""), err: "iter should specify a iterator's name"},
		{ap: ap("iter", "bpf_map"), err: "iter bpf_map not available for your kernel version."},
		{ap: ap("iter", "task", "list"), name: "iter:task:list", ctx: "struct bpf_iter__task", pin: "/sys/fs/bpf/list"},
		{ap: ap("iter", "task_file", "/sys/fs/bpf/files"), name: "iter:task_file:/sys/fs/bpf/files", ctx: "struct bpf_iter__task_file", pin: "/sys/fs/bpf/files"},
		{ap: ap("iter", "task", "a/../b"), name: "iter:task:a/../b", ctx: "struct bpf_iter__task", pin: "/sys/fs/bpf/b"},
		{ap: ap("iter"), err: "iter probe type takes 2 arguments (1 optional)"},
		{ap: ap("iter", "task", "a", "b"), err: "iter probe type takes 2 arguments (1 optional)"},
	}
	for _, tt := range tests {
		pts, err := probe.Expand(tt.ap, env)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: error %v, want %q", tt.ap.Raw, err, tt.err)
			}
			continue
		}
		if err != nil || len(pts) != 1 {
			t.Errorf("%s: %v, %d points", tt.ap.Raw, err, len(pts))
			continue
		}
		pt := pts[0]
		k := pt.Kind
		if pt.Path != tt.pin || pt.Pinned() != (tt.pin != "") {
			t.Errorf("%s: pinned at %q (%v), want %q", tt.ap.Raw, pt.Path, pt.Pinned(), tt.pin)
		}
		if pt.Name != tt.name || k.Attach != probe.AttachIter || k.Ctx == nil || k.Ctx(pt) != tt.ctx || k.LastCallSlot != 8 || !k.OnePoint {
			t.Errorf("%s: got point %s of %s (attach %v, ctx %v), want %s with ctx %s", tt.ap.Raw, pt.Name, k, k.Attach, k.Ctx != nil, tt.name, tt.ctx)
		}
	}
	// Without a machine to ask, the name is taken as written.
	if pts, err := probe.Expand(ap("iter", "tcp"), nil); err != nil || len(pts) != 1 || pts[0].Func != "tcp" {
		t.Errorf("iter:tcp without an Env: %v, %+v", err, pts)
	}
}

// TestCheckBlockOnePoint: a block with an iter attach point has no other
// one, in each release's words.
func TestCheckBlockOnePoint(t *testing.T) {
	tests := []struct {
		aps     []*ast.AttachPoint
		at      int // index of the attach point reported, -1 for none
		newest  string
		release string
	}{
		{aps: []*ast.AttachPoint{ap("iter", "task")}, at: -1},
		{aps: []*ast.AttachPoint{ap("kprobe", "vfs_read"), ap("kprobe", "vfs_write")}, at: -1},
		{aps: []*ast.AttachPoint{ap("iter", "task"), ap("iter", "task_file")}, at: 0,
			newest: "iter probe only supports one attach point.", release: "Only single iter attach point is allowed."},
		{aps: []*ast.AttachPoint{ap("BEGIN"), ap("it", "task")}, at: 1,
			newest: "iter probe only supports one attach point.", release: "Only single iter attach point is allowed."},
	}
	for i, tt := range tests {
		at, err := probe.CheckBlock(tt.aps)
		if tt.at < 0 {
			if err != nil || at != nil {
				t.Errorf("%d: error %v at %v, want none", i, err, at)
			}
			continue
		}
		if err == nil || at != tt.aps[tt.at] {
			t.Errorf("%d: error %v at %v, want one at %s", i, err, at, tt.aps[tt.at].Raw)
			continue
		}
		if err.Msg != tt.newest || err.Say(compat.Newest) != tt.newest || err.Say(compat.V017) != tt.release {
			t.Errorf("%d: %q / %q / %q, want %q and 0.17's %q", i, err.Msg, err.Say(compat.Newest), err.Say(compat.V017), tt.newest, tt.release)
		}
	}
}

// TestListIters: -l lists the iterators the kernel's BTF has a context
// struct for (probetest's: task and task_file); a pattern picks among
// them.
func TestListIters(t *testing.T) {
	k := probe.Lookup("iter")
	got, err := k.List(probetest.New())
	if err != nil || len(got) != 2 || got[0] != "iter:task" || got[1] != "iter:task_file" {
		t.Errorf("List: %v, %v; want [iter:task iter:task_file]", got, err)
	}
	got, err = k.ListMatching(probetest.New(), "*file")
	if err != nil || len(got) != 1 || got[0] != "iter:task_file" {
		t.Errorf("ListMatching *file: %v, %v; want [iter:task_file]", got, err)
	}
	if got, err := k.List(nil); err != nil || len(got) != 0 {
		t.Errorf("List without an Env: %v, %v; want none", got, err)
	}
}

// TestIterParams: -lv lists the parameters of the kernel's bpf_iter_NAME,
// which declares the iterator's context, but meta.
func TestIterParams(t *testing.T) {
	k := probe.Lookup("iter")
	got, err := k.Params(probetest.New(), "iter:task_file")
	want := []string{"struct task_struct * task", "uint32 fd", "struct file * file"}
	if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Params(iter:task_file) = %q, %v; want %q", got, err, want)
	}
	if _, err := k.Params(probetest.New(), "iter:nosuch"); err == nil {
		t.Error("Params(iter:nosuch): no error")
	}
}
