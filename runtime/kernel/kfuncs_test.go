package kernel

import (
	"errors"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/gbt-dev/gbt/internal/testenv"
	"github.com/gbt-dev/gbt/lang/probe"
)

// TestKfuncAllowed asks the running kernel: vfs_read is a function but no
// kfunc (refused in every program); bpf_rcu_read_lock is in the kfunc set
// of every program type from the kernel that has it (6.2) on; a name the
// BTF lacks is an ErrNoStruct.
func TestKfuncAllowed(t *testing.T) {
	testenv.RequireRoot(t)
	e := NewEnv()
	var fn *btf.Func
	e.btf.load()
	if e.btf.err != nil {
		t.Fatal(e.btf.err)
	}
	hasRCU := e.btf.spec.TypeByName("bpf_rcu_read_lock", &fn) == nil
	for _, kind := range []string{"tracepoint", "interval", "BEGIN", "tp_btf"} {
		k, target := probe.Lookup(kind), ""
		if k.Prog == probe.ProgTracing {
			target = "sched_switch"
		}
		if ok, err := e.KfuncAllowed("vfs_read", k, target); ok || err != nil {
			t.Errorf("%s: vfs_read allowed: %v, %v", kind, ok, err)
		}
		if ok, err := e.KfuncAllowed("bpf_rcu_read_lock", k, target); hasRCU && (!ok || err != nil) {
			t.Errorf("%s: bpf_rcu_read_lock not allowed: %v, %v", kind, ok, err)
		}
		if _, err := e.KfuncAllowed("gbt_no_such_kfunc", k, target); !errors.Is(err, probe.ErrNoStruct) {
			t.Errorf("%s: gbt_no_such_kfunc: %v, want ErrNoStruct", kind, err)
		}
	}
}
