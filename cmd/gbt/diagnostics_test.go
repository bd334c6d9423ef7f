package main

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestE2EDiagnostics runs scripts whose programs report problems as they
// run, and compares gbt's whole output with the newest bpftrace's (and
// 0.17's with -kk): a division by zero, and with -k a lookup of a missing
// key, a delete of one and a read of NULL.
func TestE2EDiagnostics(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	const lookup = `i:ms:100 { @[1] = 1; printf("%d\n", @[2]); exit(); }`
	const nullRead = `struct foo {int a;}; BEGIN { $tmp = ((struct foo*) 0)->a; exit(); }`
	tests := []struct {
		name           string
		args           []string
		stdout, stderr string
	}{
		{"modulo by zero", []string{"-e", `BEGIN { @mod0 = 0; print((uint64)10 % (uint64)@mod0); exit(); }`},
			"1\n\n\n@mod0: 0\n",
			"Attaching 1 probe...\n" + // BEGIN runs before gbt says it attached
				"stdin:1:26-52: WARNING: Divide or modulo by 0 detected. This can lead to unexpected results. 1 is being used as the result.\n" +
				"BEGIN { @mod0 = 0; print((uint64)10 % (uint64)@mod0); exit(); }\n" +
				"                         ~~~~~~~~~~~~~~~~~~~~~~~~~~\n" +
				"Attached 1 probe\n"},
		{"division by zero, no warnings", []string{"--no-warnings", "-e", `BEGIN { $z = 0; @x = 5 / $z; exit(); }`},
			"\n\n@x: 1\n", "Attaching 1 probe...\nAttached 1 probe\n"},
		{"division by zero, json, even with --no-warnings", []string{"--no-warnings", "-q", "-f", "json", "-e", `BEGIN { $z = 0; @x = 5 / $z; exit(); }`},
			`{"type": "runtime_error", "msg": "Divide or modulo by 0 detected. This can lead to unexpected results. 1 is being used as the result.", "filename": "stdin", "line": 1, "col": 22}` + "\n" +
				`{"type": "map", "data": {"@x": 1}}` + "\n", ""},
		{"lookup -k", []string{"-k", "-e", lookup},
			"0\n\n\n@[1]: 1\n",
			"Attaching 1 probe...\nAttached 1 probe\n" +
				"stdin:1:37-41: WARNING: Can't lookup map element because it does not exist.\n" +
				"Additional Info - helper: map_lookup_elem, retcode: 0\n" +
				lookup + "\n" +
				"                                    ~~~~\n"},
		{"lookup -kk", []string{"-kk", "-e", lookup},
			"0\n\n\n@[1]: 1\n",
			"Attaching 1 probe...\nAttached 1 probe\n" +
				"stdin:1:37-41: WARNING: Failed to map_lookup_elem: 0\n" +
				lookup + "\n" +
				"                                    ~~~~\n"},
		{"lookup -k json", []string{"-k", "-q", "-f", "json", "-e", lookup},
			`{"type": "helper_error", "msg": "Success", "helper": "map_lookup_elem", "retcode": 0, "filename": "stdin", "line": 1, "col": 37}` + "\n" +
				`{"type": "printf", "data": "0\n"}` + "\n" +
				`{"type": "map", "data": {"@": {"1": 1}}}` + "\n", ""},
		// bpftrace reads an integer address in BEGIN with bpf_probe_read:
		// NULL fails with EFAULT, not probe_read_kernel's ERANGE.
		{"probe read of NULL -k json", []string{"-k", "-q", "-f", "json", "-e", nullRead},
			`{"type": "helper_error", "msg": "Bad address", "helper": "probe_read", "retcode": -14, "filename": "stdin", "line": 1, "col": 38}` + "\n", ""},
		{"probe read of NULL -kk json", []string{"-kk", "-q", "-f", "json", "-e", nullRead},
			`{"type": "helper_error", "helper": "probe_read", "retcode": -14, "line": 1, "col": 37}` + "\n", ""},
		{"delete -k", []string{"-k", "-f", "json", "-q", "-e", `i:ms:100 { @[1] = 1; delete(@[2]); exit(); }`},
			`{"type": "helper_error", "helper": "map_delete_elem", "retcode": -2, "line": 1, "col": 22}` + "\n" +
				`{"type": "map", "data": {"@": {"1": 1}}}` + "\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runTracer(t, traceRun{argv: append([]string{gbt}, tt.args...), work: work})
			if res.exitCode != 0 {
				t.Fatalf("exit %d: %s", res.exitCode, clip(res.stderr))
			}
			if res.stdout != tt.stdout {
				t.Errorf("stdout:\n%q\nwant:\n%q", res.stdout, tt.stdout)
			}
			if res.stderr != tt.stderr {
				t.Errorf("stderr:\n%q\nwant:\n%q", res.stderr, tt.stderr)
			}
		})
	}
}

// TestE2ENoProbesToAttach: a script left with no probe at all (every
// point missing under missing_probes=ignore, or none kept by
// --probe-filter) says so in the newest bpftrace's words and fails,
// rather than waiting for a signal with nothing attached.
func TestE2ENoProbesToAttach(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	for _, args := range [][]string{
		{"-e", `config = { missing_probes = "ignore" } tracepoint:syscalls:nonsense { exit(); } tracepoint:nonsense:x { exit(); }`},
		{"--probe-filter", "nonexistent_probe_xyz_42", "-e", `tracepoint:syscalls:sys_enter_getpid { exit(); }`},
	} {
		// A run that waited for a signal with nothing attached (the old
		// behaviour) is killed and fails the test rather than hang it.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, gbt, args...)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 || stdout.String() != "No probes to attach\n" {
			t.Errorf("gbt %q: %v\nstdout %q, want %q\nstderr %s", args, err, stdout.String(), "No probes to attach\n", stderr.String())
		}
	}
}
