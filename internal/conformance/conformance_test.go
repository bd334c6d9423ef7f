package conformance

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const counts = "3 passed, 1 failed, 1 skipped\n"

func TestRegressions(t *testing.T) {
	tests := []struct {
		name string
		log  string
		list []string
		want []string
	}{
		{
			name: "all listed pass",
			log:  "PASS call:a\nPASS call:b c\nFAIL call:d [exit code 1]\n" + counts,
			list: []string{"call:a", "call:b c"},
		},
		{
			name: "listed test fails, with its reason",
			log:  "PASS call:a\nFAIL call:b c [timeout; expected regex x]\n" + counts,
			list: []string{"call:a", "call:b c"},
			want: []string{"FAIL call:b c [timeout; expected regex x]"},
		},
		{
			name: "listed test skipped counts as not passing",
			log:  "SKIP probe:k [uses kprobe probes (kernel lacks them)]\n" + counts,
			list: []string{"probe:k"},
			want: []string{"SKIP probe:k [uses kprobe probes (kernel lacks them)]"},
		},
		{
			name: "listed test missing from the log",
			log:  "PASS call:a\n" + counts,
			list: []string{"call:a", "call:gone"},
			want: []string{"NOT RUN call:gone"},
		},
		{
			name: "flaky counts as passing",
			log:  "FLAKY call:a [failed first (exit code 1), passed on rerun]\n" + counts,
			list: []string{"call:a"},
		},
		{
			name: "flaky with brackets in its reason counts as passing",
			log:  "FLAKY probe:kfunc_module_wildcard [failed first (timeout; expected regex SUCCESS [0-9][0-9]*), passed on rerun]\n" + counts,
			list: []string{"probe:kfunc_module_wildcard"},
		},
		{
			name: "failure with brackets in its reason",
			log:  "FAIL probe:kprobe_wildcard probe builtin [expected regex progs: [1-9][0-9]+]\n" + counts,
			list: []string{"probe:kprobe_wildcard probe builtin"},
			want: []string{"FAIL probe:kprobe_wildcard probe builtin [expected regex progs: [1-9][0-9]+]"},
		},
		{
			name: "name used twice: one failing run fails it, in either order",
			log:  "PASS p:dup\nFAIL p:dup [exit code 1]\nFAIL q:dup [x]\nPASS q:dup\n" + counts,
			list: []string{"p:dup", "q:dup"},
			want: []string{"FAIL p:dup [exit code 1]", "FAIL q:dup [x]"},
		},
		{
			name: "name with brackets and quotes",
			log:  "PASS usdt:\"semaphore [x]\"\nFAIL map:m[1] [exit code 1]\n" + counts,
			list: []string{"usdt:\"semaphore [x]\"", "map:m[1]"},
			want: []string{"FAIL map:m[1] [exit code 1]"},
		},
		{
			name: "verbose failure output is ignored",
			log:  "FAIL call:a [exit code 1]\n    program: PASS call:a\n    output: PASS call:a\n" + counts,
			list: []string{"call:a"},
			want: []string{"FAIL call:a [exit code 1]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseLog(strings.NewReader(tt.log))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, Regressions(tt.list, l)); diff != "" {
				t.Errorf("Regressions (-want +got):\n%s", diff)
			}
			if l.Counts != strings.TrimSpace(counts) {
				t.Errorf("Counts = %q", l.Counts)
			}
		})
	}
}

func TestParseLogUnfinished(t *testing.T) {
	if _, err := ParseLog(strings.NewReader("PASS call:a\n")); err == nil {
		t.Fatal("a log without the counts line parsed")
	}
}

func TestMerge(t *testing.T) {
	tests := []struct {
		name      string
		log       string
		list      []string
		want      []string
		wantAdded int
	}{
		{
			name:      "adds new passes, sorted",
			log:       "PASS z:1\nPASS a:1\nPASS m:1\n" + counts,
			list:      []string{"m:1"},
			want:      []string{"a:1", "m:1", "z:1"},
			wantAdded: 2,
		},
		{
			name: "never drops a failing listed test",
			log:  "FAIL m:1 [exit code 1]\n" + counts,
			list: []string{"a:1", "m:1"},
			want: []string{"a:1", "m:1"},
		},
		{
			name:      "from an empty list",
			log:       "PASS b:1\nSKIP c:1 [x]\nPASS a:1\n" + counts,
			want:      []string{"a:1", "b:1"},
			wantAdded: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseLog(strings.NewReader(tt.log))
			if err != nil {
				t.Fatal(err)
			}
			got, added := Merge(tt.list, l)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Merge (-want +got):\n%s", diff)
			}
			if added != tt.wantAdded {
				t.Errorf("added = %d, want %d", added, tt.wantAdded)
			}
		})
	}
}

func TestReadListRoundTrip(t *testing.T) {
	list, err := ReadList(strings.NewReader("# comment\n\ncall:a\n  call:b c  \n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"call:a", "call:b c"}, list); diff != "" {
		t.Fatalf("ReadList (-want +got):\n%s", diff)
	}
	var b strings.Builder
	if err := WriteList(&b, list); err != nil {
		t.Fatal(err)
	}
	if b.String() != "call:a\ncall:b c\n" {
		t.Errorf("WriteList = %q", b.String())
	}
}
