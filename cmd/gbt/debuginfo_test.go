package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/internal/testenv"
)

// TestE2EDebuginfo: a binary stripped of its DWARF lists its uprobe
// parameters from the separate debug file --debuginfo's directory holds
// under its build id, as the newest bpftrace does; without the flag it
// has none, with bpftrace's warning.
func TestE2EDebuginfo(t *testing.T) {
	gbt, _ := binaries(t)
	gcc := testenv.RequireCommand(t, "gcc", "apt-get install gcc")
	objcopy := testenv.RequireCommand(t, "objcopy", "apt-get install binutils")
	dir := t.TempDir()
	prog := filepath.Join(dir, "prog")
	run := func(name string, args ...string) string {
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	run(gcc, "-g", "-O0", "-Wl,--build-id", "-o", prog, "../../runtime/dwarfinfo/testdata/prog.c")
	run(objcopy, "--only-keep-debug", prog, prog+".debug")
	run(objcopy, "--strip-debug", prog)
	_, id, ok := strings.Cut(run("readelf", "-n", prog), "Build ID: ")
	id = strings.TrimSpace(strings.SplitN(id, "\n", 2)[0])
	if !ok || len(id) < 4 {
		t.Fatalf("no build id in %s", prog)
	}
	debugDir := filepath.Join(dir, "debug")
	link := filepath.Join(debugDir, ".build-id", id[:2], id[2:]+".debug")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(prog+".debug", link); err != nil {
		t.Fatal(err)
	}
	point := "uprobe:" + prog + ":function1"
	if got, want := run(gbt, "--debuginfo", "/nonexistent:"+debugDir, "-lv", point), point+"\n    int* n\n    char c\n"; got != want {
		t.Errorf("with --debuginfo: %q, want %q", got, want)
	}
	cmd := exec.Command(gbt, "-lv", point)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || string(out) != point+"\n" || stderr.String() != "WARNING: No DWARF found for \""+prog+"\", cannot show parameter info\n" {
		t.Errorf("without: %v, stdout %q, stderr %q", err, out, stderr.String())
	}
}
