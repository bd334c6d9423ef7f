package kernel

import (
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// requireBTF skips a test on a kernel without BTF.
func requireBTF(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		t.Skip("the kernel has no BTF: ", err)
	}
}

// fieldType returns the type of a record's field.
func fieldType(t *testing.T, rec types.Type, name string) types.Type {
	t.Helper()
	i := slices.IndexFunc(rec.Fields, func(f types.Field) bool { return f.Name == name })
	if i < 0 {
		t.Fatalf("%s has no field %s", rec.Name, name)
	}
	return rec.Fields[i].Type
}

// TestBTF: the kernel's structs and prototypes, converted.
func TestBTF(t *testing.T) {
	requireBTF(t)
	e := NewEnv()
	task, err := e.Struct("struct task_struct")
	if err != nil {
		t.Fatal(err)
	}
	if comm := fieldType(t, task, "comm"); !comm.Equal(types.StringOf(16)) {
		t.Errorf("task_struct.comm: %s", comm)
	}
	if pid := fieldType(t, task, "pid"); !pid.Equal(types.I32) {
		t.Errorf("task_struct.pid: %s", pid)
	}
	if again, _ := e.Struct("struct task_struct"); &again.Fields[0] != &task.Fields[0] {
		t.Error("task_struct was converted twice")
	}
	if _, err := e.Struct("struct no_such_struct_gbt"); !errors.Is(err, probe.ErrNoStruct) {
		t.Errorf("unknown struct: %v", err)
	}
	args, ret, err := e.FuncArgs(probe.TracingTracepoint, "sched_switch")
	if err != nil {
		t.Fatal(err)
	}
	if prev := fieldType(t, args, "prev"); prev.Kind != types.Pointer || prev.Elem.Name != "struct task_struct" || ret.Kind != types.Void {
		t.Errorf("sched_switch: prev %s, returns %s", prev, ret)
	}
	args, ret, err = e.FuncArgs(probe.TracingEntry, "vfs_read")
	if err != nil {
		t.Fatal(err)
	}
	if len(args.Fields) != 4 || args.Fields[0].Name != "file" || !ret.IsInt() {
		t.Errorf("vfs_read: %+v returns %s", args, ret)
	}
	if _, _, err := e.FuncArgs(probe.TracingEntry, "no_such_function_gbt"); !errors.Is(err, probe.ErrNoStruct) {
		t.Errorf("unknown function: %v", err)
	}
}

// TestBTFEnums: a kernel enumerator's value and its enum, converted once
// for all its enumerators.
func TestBTFEnums(t *testing.T) {
	requireBTF(t)
	e := NewEnv()
	if v, ok := e.EnumValue("BPF_MAP_TYPE_ARRAY"); !ok || v != 2 {
		t.Errorf("BPF_MAP_TYPE_ARRAY = %d, %v; want 2", v, ok)
	}
	hash, ok := e.EnumOf("BPF_MAP_TYPE_HASH")
	if !ok || hash.Name != "bpf_map_type" {
		t.Fatalf("enum of BPF_MAP_TYPE_HASH: %v, %v", hash, ok)
	}
	if name, _ := hash.VariantOf(2); name != "BPF_MAP_TYPE_ARRAY" {
		t.Errorf("variant 2 of bpf_map_type: %q", name)
	}
	if array, _ := e.EnumOf("BPF_MAP_TYPE_ARRAY"); array != hash {
		t.Error("bpf_map_type was converted twice")
	}
	if _, ok := e.EnumOf("NO_SUCH_ENUMERATOR_GBT"); ok {
		t.Error("an unknown enumerator has an enum")
	}
}
