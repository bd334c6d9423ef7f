// Package conformance compares a run of bpftrace's runtime test suite
// (the log of run_runtime.py) with a checked-in list of tests gbt passes.
//
// A list file holds one "file:test name" a line, sorted, no duplicates. The
// list only grows: Merge adds the tests a run passed and never drops one; a
// test leaves the list only by a human edit.
package conformance

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// Log is what a run of the suite reported.
type Log struct {
	// Passed holds every test that passed (PASS or FLAKY) each time it ran;
	// a name the suite uses twice passes only if both runs passed.
	Passed map[string]bool
	// Lines maps each test that did not pass to its runner line (FAIL or SKIP
	// with the reason).
	Lines map[string]string
	// Counts is the runner's last line, "N passed, M failed, K skipped".
	Counts string
}

var (
	resultLine = regexp.MustCompile(`^(PASS|FLAKY|FAIL|SKIP) (.+)$`)
	countsLine = regexp.MustCompile(`^\d+ passed, \d+ failed, \d+ skipped$`)
)

// ParseLog reads a run_runtime.py log. Lines that are not test results
// (verbose failure output, "# testprogs ..." notes) are ignored. A log
// without the final counts line is an error: the run did not finish.
func ParseLog(r io.Reader) (*Log, error) {
	l := &Log{Passed: map[string]bool{}, Lines: map[string]string{}}
	failed := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if countsLine.MatchString(line) {
			l.Counts = line
			continue
		}
		m := resultLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		status, name := m[1], m[2]
		if status != "PASS" {
			name = withoutReason(name)
		}
		if status == "PASS" || status == "FLAKY" {
			if !failed[name] {
				l.Passed[name] = true
			}
			continue
		}
		failed[name] = true
		delete(l.Passed, name)
		l.Lines[name] = line
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading runner log: %w", err)
	}
	if l.Counts == "" {
		return nil, fmt.Errorf("runner log has no final %q line: the run did not finish", "N passed, M failed, K skipped")
	}
	return l, nil
}

// ReadList reads a list file: one test a line; blank lines and lines
// starting with '#' are ignored.
func ReadList(r io.Reader) ([]string, error) {
	var list []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		list = append(list, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading pass list: %w", err)
	}
	return list, nil
}

// Regressions returns, for each listed test that did not pass in the log,
// the runner's line for it, or "NOT RUN name" when the log does not
// mention it.
func Regressions(list []string, l *Log) []string {
	var bad []string
	for _, name := range list {
		if l.Passed[name] {
			continue
		}
		if line, ok := l.Lines[name]; ok {
			bad = append(bad, line)
		} else {
			bad = append(bad, "NOT RUN "+name)
		}
	}
	return bad
}

// Merge returns the sorted, duplicate-free union of list and the tests the
// log passed, and how many tests it added.
func Merge(list []string, l *Log) ([]string, int) {
	out := slices.Clone(list)
	have := map[string]bool{}
	for _, name := range list {
		have[name] = true
	}
	added := 0
	for name := range l.Passed {
		if !have[name] {
			out = append(out, name)
			added++
		}
	}
	slices.Sort(out)
	return slices.Compact(out), added
}

// WriteList writes list one test a line.
func WriteList(w io.Writer, list []string) error {
	for _, name := range list {
		if _, err := fmt.Fprintln(w, name); err != nil {
			return fmt.Errorf("writing pass list: %w", err)
		}
	}
	return nil
}

// withoutReason cuts the bracketed tail the runner puts after a FAIL, SKIP
// or FLAKY test's name: "[exit code 1]", or "[failed first (timeout;
// expected regex SUCCESS [0-9]*), passed on rerun]", whose regular
// expression has brackets of its own, matched from the end.
func withoutReason(s string) string {
	if !strings.HasSuffix(s, "]") {
		return s
	}
	depth := 0
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case ']':
			depth++
		case '[':
			depth--
			if depth == 0 {
				if i > 0 && s[i-1] == ' ' {
					return s[:i-1]
				}
				return s
			}
		}
	}
	return s
}
