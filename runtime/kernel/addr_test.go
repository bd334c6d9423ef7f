package kernel

import (
	"debug/elf"
	"strings"
	"testing"
)

// TestUserAddrPIE: a symbol of a position-independent executable is given
// from the start of its lowest executable segment (a process's
// mm->start_code); one of a shared library is refused.
func TestUserAddrPIE(t *testing.T) {
	const bash = "/bin/bash"
	f, err := elf.Open(bash)
	if err != nil {
		t.Skipf("no %s: %v", bash, err)
	}
	defer f.Close()
	if f.Type != elf.ET_DYN {
		t.Skipf("%s is not position-independent here", bash)
	}
	var text, value uint64 = ^uint64(0), 0
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 {
			text = min(text, p.Vaddr)
		}
	}
	syms, _ := f.DynamicSymbols()
	for _, s := range syms {
		if s.Name == "ps1_prompt" {
			value = s.Value
		}
	}
	if value == 0 {
		t.Skip("bash has no dynamic symbol ps1_prompt here")
	}
	var e Env
	got, err := e.UserAddr(bash, "ps1_prompt")
	if err != nil {
		t.Fatal(err)
	}
	if !got.FromText || got.Addr != value-text || got.Size != 8 {
		t.Errorf("UserAddr(bash, ps1_prompt) = %+v, want FromText, Addr 0x%x, Size 8", got, value-text)
	}
	if _, err := e.UserAddr("/usr/lib/x86_64-linux-gnu/libc.so.6", "environ"); err == nil || !strings.Contains(err.Error(), "shared library") {
		t.Errorf("UserAddr(libc, environ): err = %v, want a shared library's", err)
	}
}
