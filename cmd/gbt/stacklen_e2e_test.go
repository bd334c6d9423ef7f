package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// TestE2EStackLen: len() of a kstack or ustack is its number of frames
// (bpftrace's suite: call's "ustack len" and "kstack len"): a stack cut
// to its depth has that many, in each printing mode and build_id; a stack
// another probe took cannot be counted, and gives 0 with a runtime
// warning (README).
func TestE2EStackLen(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	prog := `tracepoint:syscalls:sys_enter_clock_nanosleep /pid == cpid/ {
		$s = ustack(2); @s[1] = ustack(3); @u = len($s); @raw = len(ustack(raw, 1)); @m = len(@s[1]) == len(ustack(3));
		@b = len(ustack(build_id, 2)); @k = len(kstack(4)) > 0; @kd = len(kstack) >= len(kstack(1)); exit(); }
		END { @e = len(@s[1]); delete(@s[1]); }`
	cmd := exec.Command(gbt, "-e", prog, "-c", "/bin/sleep 0.01")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	want := "\n\n@b: 2\n@e: 0\n@k: true\n@kd: true\n@m: true\n@raw: 1\n@u: 2\n" // the emptied @s prints nothing
	if string(out) != want {
		t.Errorf("stdout:\n%q\nwant:\n%q", out, want)
	}
	if w := "WARNING: len() of a stack taken elsewhere"; strings.Count(stderr.String(), w) != 1 {
		t.Errorf("stderr lacks one %q:\n%s", w, stderr.String())
	}
}
