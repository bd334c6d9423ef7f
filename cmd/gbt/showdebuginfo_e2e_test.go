package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/internal/testenv"
)

// inlineProg calls leaf from code inlined twice into outer (inner into
// middle into outer); the store after the call keeps leaf's return
// address inside inner. The probe is on leaf2, which leaf calls: at a
// function's first instruction the frame-pointer walk skips its caller
// (leaf), so the frame after leaf2 is the return address in outer. main
// sleeps, so that its memory maps are there when the stack is printed.
// Lines are numbered from 1.
const inlineProg = `#include <unistd.h>
volatile int sink;
__attribute__((noinline)) void leaf2(int v) { sink = v; }
__attribute__((noinline)) void leaf(int v) { leaf2(v); sink = v; }
__attribute__((always_inline)) static inline void inner(int v) {
  leaf(v);
  sink = v + 1;
}
__attribute__((always_inline)) static inline void middle(int v) {
  inner(v + 1);
}
__attribute__((noinline)) void outer(int v) {
  middle(v * 2);
  sink = 0;
}
int main(void) {
  outer(3);
  sleep(5);
  return 0;
}
`

// TestE2EShowDebugInfo: with show_debug_info a user stack names each
// frame's source line and the functions inlined at a return address, as
// bpftrace built with Blazesym prints them; perf mode labels the inlined
// functions; without the setting (the default) frames are as before.
func TestE2EShowDebugInfo(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	gcc := testenv.RequireCommand(t, "gcc", "apt-get install gcc")
	dir := t.TempDir()
	src := filepath.Join(dir, "inline.c")
	prog := filepath.Join(dir, "inline")
	if err := os.WriteFile(src, []byte(inlineProg), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gcc, "-O1", "-g", "-fno-omit-frame-pointer", "-o", prog, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	// The same program with its DWARF in a separate file, found by build
	// id under --debuginfo's directory.
	stripped, debugDir := separateDebugInfo(t, dir, prog)
	for _, tt := range []struct {
		name, config string
		want         []string // the stack's first lines, trimmed
		stripped     bool     // run the copy without DWARF, with --debuginfo
	}{
		{"bpftrace mode", "config = { show_debug_info=1 }", []string{
			"leaf2+0@" + src + ":3",
			"[inlined] inner@" + src + ":6", // the call's line, not the next
			"[inlined] middle@" + src + ":10",
			"outer+", // the offset is the compiler's
		}, false},
		{"perf mode", "config = { show_debug_info=1; stack_mode=perf }", []string{
			"leaf2+0 (" + prog + ")",
			"inner (inlined)",
			"middle (inlined)",
			"outer+",
		}, false},
		{"off", "", []string{"leaf2+0", "outer+"}, false},
		{"separate debug file", "config = { show_debug_info=1 }", []string{
			"leaf2+0@" + src + ":3",
			"[inlined] inner@" + src + ":6",
			"[inlined] middle@" + src + ":10",
			"outer+",
		}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bin, args := prog, []string{"-q"}
			if tt.stripped {
				bin, args = stripped, []string{"-q", "--debuginfo", debugDir}
			}
			script := tt.config + " uprobe:" + bin + ":leaf2 { print(ustack); exit(); }"
			cmd := exec.Command(gbt, append(args, "-c", bin, "-e", script)...)
			timer := time.AfterFunc(60*time.Second, func() { _ = cmd.Process.Kill() })
			out, err := cmd.CombinedOutput()
			timer.Stop()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			var lines []string
			for _, l := range strings.Split(string(out), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					// perf mode: "addr frame"
					if _, rest, ok := strings.Cut(l, " "); ok && strings.Contains(tt.config, "perf") {
						l = rest
					}
					lines = append(lines, l)
				}
			}
			if len(lines) < len(tt.want) {
				t.Fatalf("got %d frames, want at least %d:\n%s", len(lines), len(tt.want), out)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(lines[i], w) || (strings.HasSuffix(w, "+") && strings.Contains(lines[i], "@") && tt.config == "") {
					t.Errorf("frame %d: %q, want %q...\n%s", i, lines[i], w, out)
				}
			}
			if tt.name == "bpftrace mode" && !strings.HasSuffix(lines[3], "@"+src+":13") {
				t.Errorf("outer's frame %q, want it at %s:13", lines[3], src)
			}
			if tt.config == "" && strings.Contains(string(out), "@"+src) {
				t.Errorf("source lines printed without show_debug_info:\n%s", out)
			}
		})
	}
}

// separateDebugInfo copies prog without its DWARF and puts the DWARF in a
// separate file under a debug directory, by prog's build id, as Debian's
// -dbgsym packages do; it returns the copy and the directory.
func separateDebugInfo(t *testing.T, dir, prog string) (stripped, debugDir string) {
	t.Helper()
	objcopy := testenv.RequireCommand(t, "objcopy", "apt-get install binutils")
	readelf := testenv.RequireCommand(t, "readelf", "apt-get install binutils")
	out, err := exec.Command(readelf, "-n", prog).Output()
	_, id, ok := strings.Cut(string(out), "Build ID: ")
	id = strings.TrimSpace(strings.SplitN(id, "\n", 2)[0])
	if err != nil || !ok || len(id) < 4 {
		t.Fatalf("no build id in %s: %v", prog, err)
	}
	debugDir = filepath.Join(dir, "debug")
	debugFile := filepath.Join(debugDir, ".build-id", id[:2], id[2:]+".debug")
	if err := os.MkdirAll(filepath.Dir(debugFile), 0o755); err != nil {
		t.Fatal(err)
	}
	stripped = prog + "-stripped"
	for _, args := range [][]string{{"--only-keep-debug", prog, debugFile}, {"--strip-debug", prog, stripped}} {
		if b, err := exec.Command(objcopy, args...).CombinedOutput(); err != nil {
			t.Fatalf("objcopy %v: %v\n%s", args, err, b)
		}
	}
	return stripped, debugDir
}
