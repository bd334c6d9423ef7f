package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestE2EStopSignals: SIGINT, SIGTERM and SIGHUP stop gbt with END and the
// maps printed, also when a second signal follows the first at once (as
// timeout and a terminal send one to the process and one to its group).
func TestE2EStopSignals(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	for _, tt := range []struct {
		name string
		sigs []syscall.Signal
		exit int
	}{
		{"SIGINT", []syscall.Signal{syscall.SIGINT}, 0},
		{"SIGTERM", []syscall.Signal{syscall.SIGTERM}, 0},
		{"SIGHUP", []syscall.Signal{syscall.SIGHUP}, 0},
		{"two SIGINTs", []syscall.Signal{syscall.SIGINT, syscall.SIGINT}, 0},
		{"three SIGINTs", []syscall.Signal{syscall.SIGINT, syscall.SIGINT, syscall.SIGINT}, exitInterrupted},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(gbt, "-e", `interval:ms:10 { @n = count(); } END { printf("end\n"); }`)
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "Attached ") {
					break
				}
			}
			time.Sleep(50 * time.Millisecond)
			// The signals of one ^C to a process group arrive together:
			// the third is sent only once gbt has seen the second.
			for i, sig := range tt.sigs {
				cmd.Process.Signal(sig)
				if i == 1 {
					for sc.Scan() && !strings.Contains(sc.Text(), "signal again") {
					}
				} else {
					time.Sleep(time.Millisecond)
				}
			}
			go func() {
				for sc.Scan() {
				}
			}()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("gbt still runs 10 s after %v", tt.sigs)
			}
			if got := cmd.ProcessState.ExitCode(); got != tt.exit {
				t.Errorf("exit %d, want %d", got, tt.exit)
			}
			if tt.exit == 0 && (!strings.HasPrefix(stdout.String(), "end\n") || !strings.Contains(stdout.String(), "@n: ")) {
				t.Errorf("stdout %q: want END's line and the map", stdout.String())
			}
		})
	}
}

// TestE2EOutputFile: -o is opened only once the script compiles (a typo
// leaves the file as it was) and never through a symbolic link.
func TestE2EOutputFile(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	dir := t.TempDir()
	out, target, link := filepath.Join(dir, "out"), filepath.Join(dir, "target"), filepath.Join(dir, "link")
	for _, f := range []string{out, target} {
		if err := os.WriteFile(f, []byte("keep\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	read := func(f string) string {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if err := exec.Command(gbt, "-o", out, "-e", `BEGIN { @x = cuont(); }`).Run(); err == nil {
		t.Error("a script that does not compile ran")
	}
	if got := read(out); got != "keep\n" {
		t.Errorf("after a compile error the file holds %q", got)
	}
	msg, err := exec.Command(gbt, "-o", link, "-e", `BEGIN { @x = count(); exit(); }`).CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "is a symbolic link") || read(target) != "keep\n" {
		t.Errorf("-o through a link: %v %q; target %q", err, msg, read(target))
	}
	if msg, err := exec.Command(gbt, "-o", out, "-e", `BEGIN { @x = count(); exit(); }`).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, msg)
	}
	if got := read(out); got != "\n\n@x: 1\n" {
		t.Errorf("-o wrote %q", got)
	}
}
