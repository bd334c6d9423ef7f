package check_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/stdlib"
)

// TestCompat: what the checker says and folds in the newest bpftrace's
// way and, with compat.V017, in bpftrace 0.17's (its words for a missing
// tracepoint; sizeof of a comparison, an int64 in 0.17).
func TestCompat(t *testing.T) {
	for _, tt := range []struct {
		src          string
		newest, v017 string // a diagnostic, or the folded sizeof
	}{
		{`tracepoint:sched:nonsense { }`,
			"stdin:1:1-26: ERROR: No matches for tracepoint sched:nonsense.",
			"stdin:1:1-26: ERROR: tracepoint not found: sched:nonsense"},
		{`tracepoint:nonsense:* { }`,
			"stdin:1:1-22: ERROR: Probe has no valid attach points. If this is expected, set the 'missing_probes' config variable to 'warn'.",
			"stdin:1:1-22: ERROR: tracepoints not found: nonsense:*"},
		{`kretprobe:_raw_spin_lock { }`,
			"stdin:1:1-25: ERROR: kretprobe:_raw_spin_lock can't be used as it might lock up your system.",
			"stdin:1:1-25: ERROR: error: kretprobe:_raw_spin_lock can't be used as it might lock up your system."},
		{`kprobe:syscalls:sys_exit_nanosleep { }`,
			"stdin:1:1-35: ERROR: specified module syscalls in probe kprobe:syscalls:sys_exit_nanosleep is not loaded.",
			"stdin:1:1-35: ERROR: kprobe probe type requires 1 argument"},
		{`BEGIN { @ = sizeof(1 == 1); }`, "1", "8"},
		{`BEGIN { @ = sizeof(!0); }`, "1", "8"},
		{`BEGIN { @ = sizeof(1); }`, "8", "8"},
		// Integer literals in tuples: sized by value in the newest, int64
		// in 0.17; a wider value later widens the element.
		{`BEGIN { $t = ((int8)-100, 3, "abc", -1000); @ = sizeof($t); }`, "8", "32"},
		{`BEGIN { $t = (1, "a"); $t = (1000, "b"); @ = sizeof($t); }`, "4", "16"},
		{`BEGIN { @t = (1, 2 * 3); @t = (pid, 7); @ = sizeof(@t); }`, "8", "16"},
		// pid and tid: uint32 in the newest, uint64 in 0.17.
		{`BEGIN { @ = sizeof((pid, tid(init))); }`, "8", "16"},
		{`BEGIN { @ = sizeof((-129, 18446744073709551615)); }`, "16", "16"},
		// A variable given integer literals: sized by them in the newest,
		// over the whole probe (a later assignment widens it; ++ and
		// compound assignments make it 8 bytes); int64 in 0.17.
		{`BEGIN { $x = 1; @ = sizeof($x); }`, "1", "8"},
		{`BEGIN { $x = -129; @ = sizeof($x); }`, "2", "8"},
		{`BEGIN { $x = 1; @ = sizeof($x); if (1) { $x = 100000; } }`, "4", "8"},
		{`BEGIN { $x = 1 + 2; $y = $x; $x = 1000; @ = sizeof($y); }`, "2", "8"},
		{`BEGIN { $x = 18446744073709551615; @ = sizeof($x); }`, "8", "8"},
		{`BEGIN { $x = 1; $x++; @ = sizeof($x); }`, "8", "8"},
		{`BEGIN { $x = 1; $x += 2; @ = sizeof($x); }`, "8", "8"},
		{`BEGIN { $x = 1; $x = (uint16)2; @ = sizeof($x); }`, "2", "8"},
		{`BEGIN { $x = (uint8)1; @ = sizeof($x); }`, "1", "1"},
		// Typed values join by sign; a literal that fits them sizes nothing.
		{`BEGIN { $x = (int16)5; $x = (uint32)7; @ = sizeof($x); }`, "8", "2"},
		{`BEGIN { $x = -5; $x = (uint32)7; @ = sizeof($x); }`, "8", "8"},
		{`BEGIN { $x = 5; $x = (uint16)7; @ = sizeof($x); }`, "2", "8"},
		{`BEGIN { $x = (uint16)7; $x = -5; @ = sizeof($x); }`, "4", "2"},
		{`BEGIN { let $x: int32 = 1; @ = sizeof($x); }`, "4", "4"},
		{`BEGIN { let $x; $x = 1; @ = sizeof($x); }`, "1", "8"},
	} {
		for _, v := range []compat.Version{compat.Newest, compat.V017} {
			want := tt.newest
			if v == compat.V017 {
				want = tt.v017
			}
			prog, diags := parse.Parse("stdin", tt.src)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: stdlib.New(), Compat: v})
			var b strings.Builder
			diag.RenderAll(&b, diag.Source{Name: "stdin", Text: tt.src}, diags)
			if strings.HasPrefix(want, "stdin:") {
				if !strings.Contains(b.String(), want+"\n") {
					t.Errorf("%s (%v):\n%s\nwant %q", tt.src, v, b.String(), want)
				}
				continue
			}
			if diags.HasErrors() {
				t.Fatalf("%s (%v): %s", tt.src, v, b.String())
			}
			if got := sizeofConst(t, info); got != want {
				t.Errorf("%s (%v): sizeof = %s, want %s", tt.src, v, got, want)
			}
		}
	}
}

// sizeofConst returns the folded value of the script's one sizeof.
func sizeofConst(t *testing.T, info *check.Info) string {
	t.Helper()
	for e, v := range info.Consts {
		if _, ok := e.(*ast.Sizeof); ok {
			return strconv.FormatInt(v, 10)
		}
	}
	t.Fatal("no sizeof folded")
	return ""
}
