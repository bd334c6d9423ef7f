package sym

import (
	"debug/elf"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/internal/testenv"
)

// TestUserResolve resolves an address of a running process through its
// memory maps and ELF symbols, then, once the process is gone, through
// the fallback executable.
func TestUserResolve(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "gbtwork")
	build := exec.Command("go", "build", "-o", bin, "../../internal/cmd/gbtwork")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build workload: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	syms, err := f.Symbols()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var run elf.Symbol
	for _, s := range syms {
		if s.Name == "main.run" {
			run = s
		}
	}
	if run.Value == 0 {
		t.Fatal("main.run not in the workload's symbols")
	}
	cmd := exec.Command(bin, "sleep", "5000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	pid := cmd.Process.Pid
	u := NewUser()
	var name string
	var off uint64
	var module string
	var ok bool
	for i := 0; i < 100 && !ok; i++ { // until the process has mapped its executable
		name, off, module, ok = u.Resolve(run.Value+3, pid)
		if !ok {
			u = NewUser()
			time.Sleep(10 * time.Millisecond)
		}
	}
	if !ok || name != "main.run" || off != 3 || module != bin {
		t.Fatalf("Resolve = %q+%d in %q (%v), want main.run+3 in %s", name, off, module, ok, bin)
	}
	if got := u.Format(run.Value+3, pid); got != "main.run+3" {
		t.Errorf("Format = %q", got)
	}
	if got := u.Name(1, pid); got != "0x1" {
		t.Errorf("Name of an unmapped address = %q, want 0x1", got)
	}
	snap := NewUser()
	snap.Snapshot(pid)
	cmd.Process.Kill()
	cmd.Wait()

	if got := snap.Name(run.Value, pid); got != "main.run" {
		t.Errorf("exited process with a snapshot of its maps: %q, want main.run", got)
	}
	gone := NewUser()
	if got := gone.Name(run.Value, pid); got != "0x"+strconv.FormatUint(run.Value, 16) {
		t.Errorf("exited process without fallback: %q", got)
	}
	gone = NewUser()
	gone.AddFallback(bin)
	if got := gone.Name(run.Value, pid); got != "main.run" {
		t.Errorf("exited process with the executable as fallback: %q, want main.run", got)
	}
}

// TestNoSymbol: an address without a symbol prints as bpftrace prints it,
// 0 without its 0x (C++'s showbase), the others in hex.
func TestNoSymbol(t *testing.T) {
	for addr, want := range map[uint64]string{0: "0", 1: "0x1", 0xffffffff81000000: "0xffffffff81000000"} {
		if got := NoSymbol(addr); got != want {
			t.Errorf("NoSymbol(%#x) = %q, want %q", addr, got, want)
		}
	}
}

// TestUserSeparateDebugSymbols: a stripped executable's local function,
// in no symbol table of its own, resolves through the .symtab of its
// separate debug file, found by build id under the debug directories (as
// libc's __libc_start_call_main does with Debian's libc6-dbg).
func TestUserSeparateDebugSymbols(t *testing.T) {
	for _, tool := range []string{"gcc", "objcopy", "strip"} {
		testenv.RequireCommand(t, tool, "apt-get install gcc binutils")
	}
	dir := t.TempDir()
	src, bin := filepath.Join(dir, "p.c"), filepath.Join(dir, "p")
	prog := "static __attribute__((noinline)) int hidden(int v) { return v * 3; }\nint main(int c, char **v) { return hidden(c); }\n"
	if err := os.WriteFile(src, []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) {
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	run("gcc", "-O1", "-no-pie", "-Wl,--build-id", "-o", bin, src)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	var hidden uint64
	syms, _ := f.Symbols()
	for _, s := range syms {
		if s.Name == "hidden" {
			hidden = s.Value
		}
	}
	var note []byte
	if sec := f.Section(".note.gnu.build-id"); sec != nil {
		note, _ = sec.Data()
	}
	f.Close()
	if hidden == 0 || len(note) < 16+2 {
		t.Fatal("no symbol hidden or no build id")
	}
	id := hex.EncodeToString(note[16:]) // after the note's header and "GNU\0"
	debugDir := filepath.Join(dir, "debug")
	debugFile := filepath.Join(debugDir, ".build-id", id[:2], id[2:]+".debug")
	if err := os.MkdirAll(filepath.Dir(debugFile), 0o755); err != nil {
		t.Fatal(err)
	}
	run("objcopy", "--only-keep-debug", bin, debugFile)
	run("strip", "--strip-all", bin)

	for _, tt := range []struct {
		dirs []string
		want string
	}{
		{[]string{debugDir}, "hidden"},
		{nil, ""}, // no debug file: .dynsym has no such function
	} {
		u := NewUser()
		u.debugDirs = tt.dirs
		u.AddFallback(bin)
		name, off, _, ok := u.Resolve(hidden+1, -1)
		if tt.want == "" {
			if ok && name == "hidden" {
				t.Errorf("without the debug file: resolved %s+%d", name, off)
			}
			continue
		}
		if !ok || name != tt.want || off != 1 {
			t.Errorf("with %v: Resolve = %q+%d (%v), want %s+1", tt.dirs, name, off, ok, tt.want)
		}
	}
}
