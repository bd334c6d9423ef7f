package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestCompatCommandLine: --compat=0.17, or GBT_COMPAT=0.17 without the
// flag, words the -p errors as bpftrace 0.17 does (/usr/bin/bpftrace here
// prints exactly these lines); the flag wins over the variable, and an
// unknown version is an error naming where it came from.
func TestCompatCommandLine(t *testing.T) {
	for _, tt := range []struct {
		env    string
		args   []string
		stderr string
	}{
		{"", []string{"--compat=0.17", "-p", "a1111", "file.bt"}, "ERROR: pid 'a1111' is not a valid decimal number\n"},
		{"0.17", []string{"-p", "111a1", "file.bt"}, "ERROR: pid '111a1' is not a valid decimal number\n"},
		{"0.17", []string{"-p", "not_a_pid", "file.bt"}, "ERROR: pid 'not_a_pid' is not a valid decimal number\n"},
		{"0.17", []string{"-p", "5000000", "file.bt"}, "ERROR: pid '5000000' out of valid pid range [1,4194304]\n"},
		{"0.17", []string{"-p", "0", "file.bt"}, "ERROR: pid '0' out of valid pid range [1,4194304]\n"},
		{"0.17", []string{"-p", "-5", "file.bt"}, "ERROR: pid '-5' out of valid pid range [1,4194304]\n"},
		{"0.17", []string{"--compat", "newest", "-p", "5000000", "file.bt"}, "ERROR: Pid out of range: 5000000\n"},
		{"newest", []string{"-p", "a1111", "file.bt"}, "ERROR: Failed to parse pid: invalid integer: a1111\n"},
		{"", []string{"--compat=0.16", "-e", "BEGIN {}"}, "ERROR: --compat: unknown output compatibility \"0.16\": want 0.17 or newest\n"},
		{"17", []string{"-e", "BEGIN {}"}, "ERROR: GBT_COMPAT: unknown output compatibility \"17\": want 0.17 or newest\n"},
	} {
		t.Setenv("GBT_COMPAT", tt.env)
		var stdout, stderr bytes.Buffer
		code := run(tt.args, io.NopCloser(strings.NewReader("")), &stdout, &stderr)
		if code != exitError || stderr.String() != tt.stderr || stdout.Len() != 0 {
			t.Errorf("GBT_COMPAT=%s gbt %q: exit %d, stderr %q, stdout %q; want exit %d, stderr %q",
				tt.env, tt.args, code, stderr.String(), stdout.String(), exitError, tt.stderr)
		}
	}
}
