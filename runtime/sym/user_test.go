package sym

import (
	"debug/elf"
	"os"
	"strings"
	"testing"
)

// TestUserResolvesOwnFunction resolves the address of a function of this
// test binary in this process, through /proc/self/maps and the ELF file.
func TestUserResolvesOwnFunction(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	syms, err := f.Symbols()
	f.Close()
	if err != nil {
		t.Skipf("test binary has no symbol table: %v", err)
	}
	var target elf.Symbol
	for _, s := range syms {
		if s.Name == "github.com/gbt-dev/gbt/runtime/sym.(*User).Resolve" {
			target = s
		}
	}
	if target.Value == 0 {
		t.Fatal("symbol of (*User).Resolve not found in the test binary")
	}
	u := NewUser()
	pid := os.Getpid()
	// The binary is not PIE (go test's default): the address is the symbol's.
	name, off, module, ok := u.Resolve(target.Value+3, pid)
	if !ok || name != target.Name || off != 3 || !strings.HasSuffix(module, ".test") {
		t.Errorf("Resolve = %q+%d in %q (%v), want %q+3", name, off, module, ok, target.Name)
	}
	if got := u.Format(target.Value+3, pid); got != target.Name+"+3" {
		t.Errorf("Format = %q", got)
	}
	if got := u.Name(1, pid); got != "0x1" {
		t.Errorf("Name of an unmapped address = %q, want 0x1", got)
	}
}
