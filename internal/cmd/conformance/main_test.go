package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fakePeer makes a peer directory whose run_runtime.py prints log and the
// PEER_TESTS it was given, and a suite beside it.
func fakePeer(t *testing.T, log string) (peer, suite string) {
	t.Helper()
	peer = t.TempDir()
	suite = filepath.Join(peer, "bpftrace-v9.9.9")
	if err := os.MkdirAll(filepath.Join(suite, "tests", "runtime"), 0o755); err != nil {
		t.Fatal(err)
	}
	script := "import os, sys\ntool = sys.argv[1]\nif os.path.islink(tool): tool = os.path.basename(tool) + ' -> ' + os.readlink(tool)\n" +
		"elif os.path.exists(tool): tool = os.path.basename(tool) + ' runs ' + open(tool).read().splitlines()[-1]\n" +
		"print('# suite ' + os.environ['PEER_TESTS'] + ' tool ' + tool)\nsys.stdout.write(" +
		"'''" + log + "''')\n"
	if err := os.WriteFile(filepath.Join(peer, "run_runtime.py"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	return peer, suite
}

func TestRun(t *testing.T) {
	const log = "PASS a:one\nFAIL a:two [exit code 1]\nPASS b:three\n2 passed, 1 failed, 0 skipped\n"
	tests := []struct {
		name     string
		list     string // "" = no list file
		update   bool
		wantErr  string
		wantOut  []string
		wantList string
	}{
		{name: "listed tests pass", list: "a:one\nb:three\n",
			wantOut: []string{"# suite ", "FAIL a:two [exit code 1]", "all 2 tests in"}, wantList: "a:one\nb:three\n"},
		{name: "a listed test fails", list: "a:one\na:two\n",
			wantErr: "1 of the 2 tests", wantOut: []string{"  FAIL a:two [exit code 1]"}, wantList: "a:one\na:two\n"},
		{name: "update adds passes and keeps a failing one", list: "a:two\n", update: true,
			wantErr: "1 of the 3 tests", wantOut: []string{"2 tests added, 3 listed"}, wantList: "a:one\na:two\nb:three\n"},
		{name: "update creates the list", update: true,
			wantOut: []string{"2 tests added, 2 listed"}, wantList: "a:one\nb:three\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			peer, suite := fakePeer(t, log)
			dir := t.TempDir()
			listPath := filepath.Join(dir, "v9.9.9.pass")
			if tt.list != "" {
				if err := os.WriteFile(listPath, []byte(tt.list), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := []string{"-peer", peer, "-tests", suite, "-list", listPath}
			if tt.update {
				args = append(args, "-update")
			}
			var out strings.Builder
			err := run(append(args, filepath.Join(dir, "gbt")), &out)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("run: error %v, want %q\noutput:\n%s", err, tt.wantErr, out.String())
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if !strings.Contains(out.String(), "# suite "+suite+" tool bpftrace -> "+filepath.Join(dir, "gbt")) {
				t.Errorf("runner not given the suite and the tool linked as bpftrace:\n%s", out.String())
			}
			kept, err := os.ReadFile(filepath.Join(dir, "conformance-v9.9.9.log"))
			if err != nil || !strings.Contains(string(kept), "FAIL a:two") {
				t.Errorf("runner log not kept beside the binary: %v %q", err, kept)
			}
			got, _ := os.ReadFile(listPath)
			if string(got) != tt.wantList {
				t.Errorf("list file = %q, want %q", got, tt.wantList)
			}
		})
	}
}

func TestRunUnlinked(t *testing.T) {
	peer, suite := fakePeer(t, "PASS a:one\n1 passed, 0 failed, 0 skipped\n")
	dir := t.TempDir()
	var out strings.Builder
	tool := filepath.Join(dir, "gbt")
	err := run([]string{"-peer", peer, "-tests", suite, "-list", filepath.Join(dir, "l.pass"), "-name", "", tool}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), " tool "+tool+"\n") {
		t.Errorf("-name '' did not run the tool as it is:\n%s", out.String())
	}
}

// TestRunCompat: the v0.17 suites run gbt with GBT_COMPAT=0.17, through a
// script, since the runner gives the tool an environment of its own.
func TestRunCompat(t *testing.T) {
	peer, _ := fakePeer(t, "PASS a:one\n1 passed, 0 failed, 0 skipped\n")
	suite := filepath.Join(peer, "bpftrace-v0.17.0")
	if err := os.MkdirAll(filepath.Join(suite, "tests", "runtime"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var out strings.Builder
	err := run([]string{"-peer", peer, "-tests", suite, "-list", filepath.Join(dir, "l.pass"), filepath.Join(dir, "gbt")}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(` tool bpftrace runs GBT_COMPAT=0\.17 exec \S+/bin/bpftrace "\$@"\n`).MatchString(out.String()) {
		t.Errorf("the v0.17 suite did not run gbt as bpftrace with GBT_COMPAT=0.17:\n%s", out.String())
	}
}

func TestRunMissingPeer(t *testing.T) {
	err := run([]string{"-peer", t.TempDir(), "gbt"}, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "no run_runtime.py in") {
		t.Fatalf("err = %v, want the missing runner named", err)
	}
}
