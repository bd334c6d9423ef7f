// Command conformance runs bpftrace's runtime test suite against gbt with
// the peer runner (run_runtime.py) and fails when a test in the suite's
// checked-in pass list (testdata/conformance/<suite>.pass) does not pass.
//
//	conformance [-peer DIR] [-tests SUITE_DIR] [-list FILE] [-log FILE] [-from LOG] [-update] GBT
//
// The peer directory holds run_runtime.py and the suites; by default it is
// ../shared/peer beside the repository, else /work/shared/peer. The suite is
// DIR/bpftrace-v0.17.0 unless -tests (make's PEER_TESTS) names another; its
// list file is named after it (bpftrace-v0.26.1 -> v0.26.1.pass). With
// -update the list gains every test the run passed; none is removed.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/gbt-dev/gbt/internal/conformance"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	peer := fs.String("peer", "", "directory of run_runtime.py (default ../shared/peer, else /work/shared/peer)")
	tests := fs.String("tests", "", "suite root (default PEER/bpftrace-v0.17.0)")
	listPath := fs.String("list", "", "pass list (default testdata/conformance/<suite version>.pass)")
	logPath := fs.String("log", "", "where to keep a copy of the runner's output (default conformance-<suite version>.log beside GBT)")
	from := fs.String("from", "", "check this runner log instead of running the suite (GBT may then be omitted)")
	update := fs.Bool("update", false, "add the tests this run passed to the list (never removes one)")
	name := fs.String("name", "bpftrace", "run GBT through a symlink of this name (its process name, comm, in the tests); empty: as it is")
	compatFlag := fs.String("compat", "auto", "GBT_COMPAT for GBT (the runner passes no environment on): auto is 0.17 for the v0.17 suites, else none")
	if err := fs.Parse(args); err != nil {
		return err
	}
	tool := fs.Arg(0)
	if fs.NArg() > 1 || (tool == "" && *from == "") {
		return errors.New("usage: conformance [flags] GBT_BINARY")
	}

	dir, err := peerDir(*peer)
	if err != nil {
		return err
	}
	suite := *tests
	if suite == "" {
		suite = filepath.Join(dir, "bpftrace-v0.17.0")
	}
	if _, err := os.Stat(filepath.Join(suite, "tests", "runtime")); err != nil {
		return fmt.Errorf("suite %s has no tests/runtime: %w", suite, err)
	}
	version := strings.TrimPrefix(filepath.Base(filepath.Clean(suite)), "bpftrace-")
	if *listPath == "" {
		*listPath = filepath.Join("testdata", "conformance", version+".pass")
	}
	if *logPath == "" {
		*logPath = filepath.Join(filepath.Dir(tool), "conformance-"+version+".log")
	}

	var out io.Reader
	if *from != "" {
		f, err := os.Open(*from)
		if err != nil {
			return fmt.Errorf("opening runner log: %w", err)
		}
		defer f.Close()
		out = f
	} else {
		compat := *compatFlag
		if compat == "auto" {
			compat = ""
			if strings.HasPrefix(version, "v0.17") {
				compat = "0.17"
			}
		}
		runAs, cleanup, err := linkAs(tool, *name, compat)
		if err != nil {
			return err
		}
		if compat != "" {
			fmt.Fprintf(stdout, "conformance: gbt runs with GBT_COMPAT=%s (its output in bpftrace %s's shape)\n", compat, compat)
		}
		out, err = runSuite(dir, suite, runAs, *logPath, stdout)
		cleanup()
		if err != nil {
			return err
		}
	}
	log, err := conformance.ParseLog(out)
	if err != nil {
		return err
	}

	list, err := readList(*listPath)
	if err != nil {
		return err
	}
	if *update {
		merged, added := conformance.Merge(list, log)
		if err := writeList(*listPath, merged); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "conformance: %s: %d tests added, %d listed\n", *listPath, added, len(merged))
		list = merged
	}
	bad := conformance.Regressions(list, log)
	if len(bad) > 0 {
		for _, line := range bad {
			fmt.Fprintln(stdout, "  "+line)
		}
		return fmt.Errorf("%s; %d of the %d tests in %s did not pass", log.Counts, len(bad), len(list), *listPath)
	}
	fmt.Fprintf(stdout, "conformance: %s; all %d tests in %s passed\n", log.Counts, len(list), *listPath)
	return nil
}

// runSuite runs the suite against tool, its output going to stdout and to
// logPath as it comes, and returns that output.
func runSuite(dir, suite, tool, logPath string, stdout io.Writer) (io.Reader, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("creating runner log: %w", err)
	}
	defer logFile.Close()
	var out bytes.Buffer
	cmd := exec.Command("python3", filepath.Join(dir, "run_runtime.py"), tool)
	cmd.Env = append(os.Environ(), "PEER_TESTS="+suite)
	if os.Getenv("PEER_RERUN") == "" {
		// A test that fails is run once more (FLAKY if it passes then):
		// these tests time real events on a shared machine.
		cmd.Env = append(cmd.Env, "PEER_RERUN=1")
	}
	cmd.Stdout = io.MultiWriter(&out, logFile, stdout)
	cmd.Stderr = os.Stderr
	fmt.Fprintf(stdout, "conformance: %s on %s (output kept in %s)\n", tool, suite, logPath)
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("run_runtime.py: %w", err)
	}
	return &out, nil
}

// linkAs returns the path to run tool by: a symlink named name in a new
// temporary directory, so that the process is called name. The suite's
// tests read the tracer's own process name (`BEGIN { print(comm) }`,
// `comm == "bpftrace"`) and expect "bpftrace", the name users give a
// drop-in replacement; the newest bpftrace's launcher here keeps that name
// the same way. With compat, the path is a shell script of that name that
// runs the symlink with GBT_COMPAT=compat: the runner gives the tool an
// environment of its own. cleanup removes the directory.
func linkAs(tool, name, compat string) (path string, cleanup func(), err error) {
	if compat == "" && (name == "" || filepath.Base(tool) == name) {
		return tool, func() {}, nil
	}
	if name == "" {
		name = filepath.Base(tool)
	}
	abs, err := filepath.Abs(tool)
	if err != nil {
		return "", nil, fmt.Errorf("locating %s: %w", tool, err)
	}
	dir, err := os.MkdirTemp("", "gbt-conformance-")
	if err != nil {
		return "", nil, fmt.Errorf("creating the directory of the %s link: %w", name, err)
	}
	link := filepath.Join(dir, name)
	if compat != "" {
		link = filepath.Join(dir, "bin", name)
		if err := os.Mkdir(filepath.Dir(link), 0o755); err != nil {
			os.RemoveAll(dir)
			return "", nil, err
		}
	}
	if err := os.Symlink(abs, link); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("linking %s as %s: %w", tool, name, err)
	}
	if compat == "" {
		return link, func() { os.RemoveAll(dir) }, nil
	}
	path = filepath.Join(dir, name)
	script := fmt.Sprintf("#!/bin/sh\nGBT_COMPAT=%s exec %s \"$@\"\n", compat, link)
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("writing the %s wrapper: %w", name, err)
	}
	return path, func() { os.RemoveAll(dir) }, nil
}

// peerDir finds the directory of run_runtime.py.
func peerDir(flagged string) (string, error) {
	candidates := []string{filepath.Join("..", "shared", "peer"), "/work/shared/peer"}
	if flagged != "" {
		candidates = []string{flagged}
	}
	for _, d := range candidates {
		if _, err := os.Stat(filepath.Join(d, "run_runtime.py")); err == nil {
			return filepath.Abs(d)
		}
	}
	return "", fmt.Errorf("no run_runtime.py in %s: set PEER to the directory of bpftrace's runtime suite runner",
		strings.Join(candidates, " or "))
}

func readList(path string) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("opening pass list: %w", err)
	}
	defer f.Close()
	return conformance.ReadList(f)
}

func writeList(path string, list []string) error {
	var b bytes.Buffer
	if err := conformance.WriteList(&b, list); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating pass list directory: %w", err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing pass list: %w", err)
	}
	return nil
}
