package vmtest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// The guest mounts the host directory a run exchanges files through (its
// 9p mount tag is XferTag) at GuestXferDir, under the guest's tmpfs /run.
const (
	XferTag      = "vmtest"
	GuestXferDir = "/run/vmtest"
	RootTag      = "hostroot"
	jobsFile     = "jobs.json"
)

// XferBin is the subdirectory of the exchange directory whose tree the
// guest copies to GuestBinDir, in its memory, before the jobs run: the
// exchange directory is a 9p mount without a page cache, where each page
// a program faults in is a round trip to the host (a Go binary started
// from there took 3 to 4 s under TCG to print its version, from
// GuestBinDir 0.4 s).
const (
	XferBin     = "bin"
	GuestBinDir = "/run/vmtest-bin"
)

// A Job is one command the guest runs, chrooted into the host's root file
// system (so paths name the host's files), with no standard input.
type Job struct {
	Name    string        // names its result; letters, digits, '-', '_', '.'
	Argv    []string      // the command and its arguments
	Env     []string      // its environment; a default PATH when empty
	Timeout time.Duration // the guest kills its process group after this long
}

// A Result is what a job did.
type Result struct {
	Stdout   string
	Stderr   string
	ExitCode int  // -1 when it was killed or could not start
	TimedOut bool // killed after its Timeout
	Error    string
	Elapsed  time.Duration
}

var jobName = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// writeJobs writes jobs where the guest reads them.
func writeJobs(dir string, jobs []Job) error {
	for _, j := range jobs {
		if !jobName.MatchString(j.Name) {
			return fmt.Errorf("job name %q: use letters, digits, '-', '_' and '.'", j.Name)
		}
	}
	data, err := json.MarshalIndent(jobs, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, jobsFile), data, 0o644)
}

// ReadJobs reads the jobs a run gave the guest from the exchange directory.
func ReadJobs(dir string) ([]Job, error) {
	data, err := os.ReadFile(filepath.Join(dir, jobsFile))
	if err != nil {
		return nil, err
	}
	var jobs []Job
	if err := json.Unmarshal(data, &jobs); err != nil {
		return nil, fmt.Errorf("%s: %w", jobsFile, err)
	}
	return jobs, nil
}

func resultPath(dir, name string) string { return filepath.Join(dir, name+".result.json") }

func startedPath(dir, name string) string { return filepath.Join(dir, name+".started") }

// MarkStarted records in the exchange directory that the guest is about
// to run a job, so that a death is blamed on the job it came during and
// not on one the guest never reached (a kernel that dies while booting).
func MarkStarted(dir, name string) error {
	return os.WriteFile(startedPath(dir, name), nil, 0o644)
}

// started reports whether the guest marked a job started.
func started(dir, name string) bool {
	_, err := os.Stat(startedPath(dir, name))
	return err == nil
}

// clearStarted removes the marks a previous boot left for jobs.
func clearStarted(dir string, jobs []Job) error {
	for _, j := range jobs {
		if err := os.Remove(startedPath(dir, j.Name)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

// WriteResult records a job's result in the exchange directory. It
// writes a temporary file and renames it, so that a guest dying while it
// writes (the 7.2 guest did, in CI) leaves no result rather than half of
// one: the job then counts as the one the guest died in, and the host
// boots it again and shows the console (RunRebooting), where a half
// result ended the whole run with a JSON error and no console.
func WriteResult(dir, name string, r Result) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	tmp := resultPath(dir, name) + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, resultPath(dir, name))
}

// readResult reads a job's result; ok is false when the guest left none.
func readResult(dir, name string) (r Result, ok bool, err error) {
	data, err := os.ReadFile(resultPath(dir, name))
	if os.IsNotExist(err) {
		return Result{}, false, nil
	}
	if err != nil {
		return Result{}, false, err
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return Result{}, false, fmt.Errorf("result of %s: %w", name, err)
	}
	return r, true, nil
}
