package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestBalanced covers the REPL's rule for when an entry is complete.
func TestBalanced(t *testing.T) {
	tests := map[string]bool{
		`BEGIN { printf("}"); }`:     true,
		`BEGIN { printf("{");`:       false,
		"BEGIN {\n  @x = 1;\n":       false,
		"BEGIN { // }\n":             false,
		"BEGIN { /* } */ }":          true,
		`BEGIN { $c = '{'; }`:        true,
		"BEGIN { if (1) { } }":       true,
		"tracepoint:syscalls:sys_en": true,
	}
	for src, want := range tests {
		if got := balanced(src); got != want {
			t.Errorf("balanced(%q) = %v, want %v", src, got, want)
		}
	}
}

// ptyRun drives the built gbt through a pseudo-terminal.
type ptyRun struct {
	t   *testing.T
	f   *os.File
	mu  sync.Mutex
	out bytes.Buffer
}

func startPTY(t *testing.T, gbt, home string) *ptyRun {
	cmd := exec.Command(gbt)
	cmd.Env = append(os.Environ(), "HOME="+home, "TERM=xterm")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	r := &ptyRun{t: t, f: f}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			r.mu.Lock()
			r.out.Write(buf[:n])
			r.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
	})
	return r
}

func (r *ptyRun) send(s string) {
	if _, err := r.f.Write([]byte(s)); err != nil {
		r.t.Fatal(err)
	}
}

// waitFor waits until the terminal output since mark contains s.
func (r *ptyRun) waitFor(mark int, s string) int {
	r.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		out := r.out.String()
		r.mu.Unlock()
		if i := strings.Index(out[mark:], s); i >= 0 {
			return mark + i + len(s)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.t.Fatalf("no %q in terminal output:\n%s", s, r.out.String()[mark:])
	return 0
}

// TestKernelREPL types programs into the REPL on a pseudo-terminal: one
// over two lines, one stopped by ^C whose map then prints, a bad one whose
// error points at the text, Tab completion, history recall and the
// history file.
func TestKernelREPL(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	home := t.TempDir()
	r := startPTY(t, gbt, home)
	m := r.waitFor(0, "gbt> ")
	r.send("BEGIN { printf(\"hi from repl\\n\");\r")
	m = r.waitFor(m, "...> ")
	r.send("exit(); }\r")
	m = r.waitFor(m, "hi from repl")
	m = r.waitFor(m, "gbt> ")
	r.send("interval:ms:50 { @ticks = count(); }\r")
	m = r.waitFor(m, "Attaching 1 probe")
	time.Sleep(300 * time.Millisecond)
	r.send("\x03") // ^C stops the program; its map prints
	m = r.waitFor(m, "@ticks: ")
	m = r.waitFor(m, "gbt> ")
	r.send("BEGIN { @x = cuont(); }\r")
	m = r.waitFor(m, "~~~~~")
	m = r.waitFor(m, `did you mean "count"?`)
	m = r.waitFor(m, "gbt> ")
	r.send("tracepoi")
	m = r.waitFor(m, "tracepoi")
	r.send("\t") // completes the probe kind
	m = r.waitFor(m, "nt:")
	r.send("\x15")         // ^U clears the line
	r.send("\x1b[A\x1b[A") // history: two entries back is the interval program
	r.waitFor(m, "interval:ms:50")
	r.send("\x15")
	r.send(".quit\r")
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(filepath.Join(home, ".gbt_history")); err == nil && strings.Contains(string(b), "interval:ms:50") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("history file has no entries")
}
