package vmtest

import (
	"fmt"
	"strings"
	"testing"
)

// TestConsoleExcerpt: an error shows the kernel's report of trouble from
// its first line, however long the console after it, and the last lines.
func TestConsoleExcerpt(t *testing.T) {
	lines := func(prefix string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%s %d\n", prefix, i)
		}
		return b.String()
	}
	boot := lines("boot", 200)
	lockup := "[  425.1] watchdog: BUG: soft lockup - CPU#0 stuck for 425s! [gbt:721]\n" + lines("trace", 300)
	tests := []struct {
		name, console string
		want, notWant []string
	}{
		{"no report: the tail", boot, []string{"boot 170\n", "boot 199\n"}, []string{"boot 169\n", "[...]"}},
		{"a long report: its start and the tail", boot + lockup + lines("after", 40),
			[]string{"watchdog: BUG: soft lockup", "trace 148\n", "[...]\n", "after 10\n", "after 39\n"},
			[]string{"boot 199", "trace 149\n", "after 9\n"}},
		{"a report in the tail: the tail alone", boot + "Kernel panic - not syncing: Fatal exception\n" + lines("after", 5),
			[]string{"boot 176\n", "Kernel panic", "after 4\n"}, []string{"[...]", "boot 175\n"}},
	}
	for _, tt := range tests {
		got := consoleExcerpt(tt.console)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: excerpt lacks %q:\n%s", tt.name, w, got)
			}
		}
		for _, w := range tt.notWant {
			if strings.Contains(got, w) {
				t.Errorf("%s: excerpt has %q:\n%s", tt.name, w, got)
			}
		}
	}
}
