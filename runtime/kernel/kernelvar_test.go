package kernel

import (
	"errors"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/gbt-dev/gbt/lang/probe"
)

// TestKernelVar: the kernel's per-CPU variables are in its BTF, with the
// id of their VAR type; other names are probe.ErrNoKernelVar.
func TestKernelVar(t *testing.T) {
	requireBTF(t)
	e := NewEnv()
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"process_counts", "runqueues"} {
		id, err := e.KernelVarID(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		typ, err := spec.TypeByID(id)
		if v, ok := typ.(*btf.Var); err != nil || !ok || v.Name != name {
			t.Errorf("%s: id %d is %v (%v), want its VAR", name, id, typ, err)
		}
		if err := e.KernelVar(name); err != nil {
			t.Errorf("KernelVar(%s): %v", name, err)
		}
	}
	for _, name := range []string{"no_such_variable_gbt", "vfs_read"} {
		if err := e.KernelVar(name); !errors.Is(err, probe.ErrNoKernelVar) {
			t.Errorf("KernelVar(%s): %v, want ErrNoKernelVar", name, err)
		}
	}
}
