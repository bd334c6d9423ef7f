package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestE2EListTypesNewest: -lv 'struct NAME' writes the kernel's struct as
// the newest bpftrace does, padding members and packed attribute
// included, for structs with cacheline padding (task_struct, mm_struct),
// bitfields (sk_buff, kbd_struct's int: padding), empty structs
// (flow_offload_tuple's __hash) and packed ones (acpi_madt_core_pic).
func TestE2EListTypesNewest(t *testing.T) {
	gbt, _ := binaries(t)
	newest := newestBpftraceLauncher(t)
	for _, name := range []string{"struct task_struct", "struct mm_struct", "struct sk_buff", "struct kbd_struct", "struct flow_offload_tuple", "struct acpi_madt_core_pic", "struct file", "union bpf_attr", "enum bpf_cmd"} {
		want, err := exec.Command(newest, "-lv", name).Output()
		if err != nil || len(want) == 0 {
			t.Fatalf("newest bpftrace -lv %q: %v", name, err)
		}
		got, err := exec.Command(gbt, "-lv", name).Output()
		if err != nil {
			t.Fatalf("gbt -lv %q: %v", name, err)
		}
		// The newest bpftrace may write other types after the one asked
		// for (acpi_madt_core_pic's -lv has acpi_madt_rintc...), without
		// the "vmlinux: " prefix: gbt's is the first of its.
		want = want[:min(len(want), len(got))]
		if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")); diff != "" {
			t.Errorf("-lv %q differs from the newest bpftrace's (-newest +gbt):\n%s", name, diff)
		}
	}
}
