package sym

import (
	"os"
	"slices"
	"testing"
)

func TestELFFunctions(t *testing.T) {
	libc := ""
	for _, p := range []string{"/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib64/libc.so.6"} {
		if _, err := os.Stat(p); err == nil {
			libc = p
			break
		}
	}
	if libc == "" {
		t.Skip("no glibc shared library found to read symbols from")
	}
	funcs, err := ELFFunctions(libc) // stripped of .symtab: read from .dynsym
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range funcs {
		names = append(names, f.Name)
		if f.Name == "malloc" && (f.Addr == 0 || f.Size == 0) {
			t.Errorf("malloc: address %#x size %d, want both set", f.Addr, f.Size)
		}
	}
	if !slices.Contains(names, "malloc") || !slices.Contains(names, "open") {
		t.Errorf("libc functions lack malloc/open (%d names)", len(names))
	}
	if !slices.IsSorted(names) {
		t.Error("names are not sorted")
	}
	if _, err := ELFFunctions("/nonexistent"); err == nil {
		t.Error("no error for a missing file")
	}
}
