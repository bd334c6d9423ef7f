package kernel

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gbt-dev/gbt/lang/probe"
)

// TestHostBinaries: globs keep the "./" the user wrote, library names are
// found in the linker's directories (libNAME.so.VERSION, as NAME or
// libNAME, passing over a libNAME.so that is no ELF file), other paths
// are themselves.
func TestHostBinaries(t *testing.T) {
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	elfFile, err := os.ReadFile(exe) // this test: an ELF executable
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"libfoo.so.1", "prog_a", "prog_b"} {
		if err := os.WriteFile(filepath.Join(dir, f), elfFile, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "noexec"), elfFile, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.zip"), []byte("PK"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A linker script, as Debian's libc.so is.
	if err := os.WriteFile(filepath.Join(dir, "libfoo.so"), []byte("GROUP ( libfoo.so.1 )"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	names := func(bins []probe.UserBinary) []string {
		var out []string
		for _, b := range bins {
			out = append(out, b.Name)
		}
		return out
	}
	if got := names(hostBinaries("./prog_*", nil)); !slices.Equal(got, []string{"./prog_a", "./prog_b"}) {
		t.Errorf("glob: %v", got)
	}
	for _, name := range []string{"foo", "libfoo"} {
		if got := names(hostBinaries(name, []string{"/nonexistent", dir})); !slices.Equal(got, []string{filepath.Join(dir, "libfoo.so.1")}) {
			t.Errorf("library %s: %v", name, got)
		}
	}
	if p := filepath.Join(dir, "prog_a"); !slices.Equal(names(hostBinaries(p, nil)), []string{p}) {
		t.Errorf("path: %v", names(hostBinaries(p, nil)))
	}
	if p := filepath.Join(dir, "a.zip") + "!/bin/true"; !slices.Equal(names(hostBinaries(p, nil)), []string{p}) {
		t.Errorf("zip member: %v", names(hostBinaries(p, nil)))
	}
	// noexec: an executable (Go builds ET_EXEC) without its exec bit.
	for _, p := range []string{"/x/y", filepath.Join(dir, "libfoo.so"), filepath.Join(dir, "nozip.zip") + "!/true", filepath.Join(dir, "noexec")} {
		if got := hostBinaries(p, nil); len(got) != 0 {
			t.Errorf("%s, missing or no ELF file: %v", p, got)
		}
	}
	if got := hostBinaries("./none*", nil); len(got) != 0 {
		t.Errorf("glob without a match: %v", got)
	}
}

// TestProcessBinaries: with a traced process, "" and "*" are the files of
// its executable mappings, and a library name is the file it maps.
func TestProcessBinaries(t *testing.T) {
	proc := t.TempDir()
	maps := `55d0c0a00000-55d0c0a2f000 r--p 00000000 fe:00 246999 /usr/bin/bash
55d0c0a2f000-55d0c0af0000 r-xp 0002f000 fe:00 246999 /usr/bin/bash
7f1e2a228000-7f1e2a3bd000 r-xp 00028000 fe:00 263070 /usr/lib/x86_64-linux-gnu/libc.so.6
7f1e2a400000-7f1e2a401000 r-xp 00000000 00:00 0 [vdso]
7f1e2a500000-7f1e2a501000 r-xp 00000000 fe:00 1 /tmp/gone (deleted)
`
	if err := os.MkdirAll(filepath.Join(proc, "42"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(proc, "42", "maps"), []byte(maps), 0o644); err != nil {
		t.Fatal(err)
	}
	bins, ok := processBinaries(proc, 42, "")
	if !ok || len(bins) != 2 || bins[0].Name != "/usr/bin/bash" || bins[1].Name != "/usr/lib/x86_64-linux-gnu/libc.so.6" {
		t.Errorf("all files: %v %v", bins, ok)
	}
	bins, ok = processBinaries(proc, 42, "libc")
	if !ok || len(bins) != 1 || bins[0].Name != "/usr/lib/x86_64-linux-gnu/libc.so.6" {
		t.Errorf("libc: %v %v", bins, ok)
	}
	if _, ok := processBinaries(proc, 42, "libnone"); ok {
		t.Error("a library the process does not map: decided by the process")
	}
}
