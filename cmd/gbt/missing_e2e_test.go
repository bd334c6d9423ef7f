package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestE2EMissingProbesAtAttach: a probe the kernel will not attach (a
// function no kernel has) is left out as missing_probes says, as the
// newest bpftrace does when attaching: "warn" with its two warnings,
// "ignore" without a word, the run going on with the other probes and
// "Attached N probes" counting those; "error" (the default) fails.
// biolatency-kp.bt (missing_probes = ignore; kprobes on
// blk_account_io_start and the like, which newer kernels inline) needs it.
func TestE2EMissingProbesAtAttach(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	prog := func(missing string) string {
		return `config = { missing_probes = "` + missing + `" } kprobe:gbt_no_such_function { } interval:ms:50 { printf("ran\n"); exit(); }`
	}
	checkExit(t, gbt, []string{"-e", prog("warn")}, nil, 0, "ran\n\n\n",
		"WARNING: Unable to attach probe: kprobe:gbt_no_such_function. Skipping.\nAttached 1 probe\n")
	checkExit(t, gbt, []string{"-e", prog("ignore")}, nil, 0, "ran\n\n\n", "Attaching 2 probes...\nAttached 1 probe\n")
	checkExit(t, gbt, []string{"-e", prog("error")}, nil, 1, "",
		"ERROR: Unable to attach probe: kprobe:gbt_no_such_function. If this is expected, set the 'missing_probes' config variable to 'warn'.\n")
	out, _ := exec.Command(gbt, "-e", prog("ignore")).CombinedOutput()
	if strings.Contains(string(out), "WARNING") || strings.Contains(string(out), "ERROR") {
		t.Errorf("missing_probes = ignore: a warning or error:\n%s", out)
	}
}
