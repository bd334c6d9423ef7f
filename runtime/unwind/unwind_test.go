package unwind

import (
	"bufio"
	"encoding/hex"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/internal/testenv"
	"github.com/gbt-dev/gbt/runtime/sym"
)

// TestUnwindNoFramePointers unwinds the stack testdata/nofp.c takes of
// itself in funcD, built without frame pointers (where frame-pointer
// walking finds funcD alone), as a position-independent and as a
// fixed-address executable, and without unwind tables (its functions'
// CFI only in .debug_frame), and names the frames.
func TestUnwindNoFramePointers(t *testing.T) {
	gcc := testenv.RequireCommand(t, "gcc", "apt-get install gcc libc6-dev; .ci/run does")
	for _, tc := range []struct{ name, flag string }{{"pie", "-pie"}, {"nopie", "-no-pie"}, {"debug_frame", "-fno-asynchronous-unwind-tables"}} {
		t.Run(tc.name, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "nofp")
			out, err := exec.Command(gcc, "-O2", "-g", "-fomit-frame-pointer", "-fno-optimize-sibling-calls", tc.flag,
				"-o", bin, "testdata/nofp.c").CombinedOutput()
			if err != nil {
				t.Fatalf("gcc: %v\n%s", err, out)
			}
			cmd := exec.Command(bin)
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				stdin.Close()
				if err := cmd.Wait(); err != nil {
					t.Errorf("nofp: %v", err)
				}
			}()
			regs, mem := readDump(t, bufio.NewReader(stdout))

			pid := cmd.Process.Pid
			frames, err := New().Unwind(pid, regs, mem, 127)
			if err != nil {
				t.Errorf("Unwind: %v (after %d frames)", err, len(frames))
			}
			syms := sym.NewUser()
			var names []string
			for _, f := range frames {
				name, _, _, _ := syms.Resolve(f, pid)
				names = append(names, name)
			}
			want := []string{"funcD", "funcC", "funcB", "funcA", "main"}
			if len(names) < len(want)+1 || strings.Join(names[:len(want)], " ") != strings.Join(want, " ") || names[len(names)-1] != "_start" {
				t.Errorf("frames %v, want %v, libc's, then _start", names, want)
			}
		})
	}
}

// readDump reads what nofp writes: its registers, and its stack from its
// stack pointer up.
func readDump(t *testing.T, r *bufio.Reader) (Regs, StackCopy) {
	t.Helper()
	line := func() string {
		s, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading nofp's output: %v", err)
		}
		return strings.TrimSpace(s)
	}
	fields := strings.Fields(line())
	if len(fields) != 8 {
		t.Fatalf("nofp wrote %d registers, want 8", len(fields))
	}
	var vals [8]uint64
	for i, f := range fields {
		v, err := strconv.ParseUint(f, 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		vals[i] = v
	}
	var regs Regs
	regs.Set(RegRA, vals[0])
	regs.Set(RegSP, vals[1])
	regs.Set(RegBP, vals[2])
	for i, reg := range []uint64{3, 12, 13, 14, 15} { // rbx, r12-r15
		regs.Set(reg, vals[3+i])
	}
	data, err := hex.DecodeString(line())
	if err != nil {
		t.Fatal(err)
	}
	return regs, StackCopy{Addr: vals[1], Data: data}
}
