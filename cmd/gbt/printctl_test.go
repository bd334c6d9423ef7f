package main

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// histProg fills a hist, a keyed lhist and a count.
const histProg = `BEGIN { @h = hist(5); @h = hist(100); @h = hist(0); @h = hist(40); @l["a"] = lhist(3, 0, 10, 2); @l["a"] = lhist(30, 0, 10, 2); @n = count(); exit(); }`

const histBars = "\n\n@h:\n" +
	"[0]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n" +
	"[1]                    0 |                                                    |\n" +
	"[2, 4)                 0 |                                                    |\n" +
	"[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n" +
	"[8, 16)                0 |                                                    |\n" +
	"[16, 32)               0 |                                                    |\n" +
	"[32, 64)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n" +
	"[64, 128)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"

const lhistBars = "@l[a]:\n" +
	"[2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n" +
	"[4, 6)                 0 |                                                    |\n" +
	"[6, 8)                 0 |                                                    |\n" +
	"[8, 10)                0 |                                                    |\n" +
	"[10, ...)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"

// TestE2EPrintControls: --percentiles adds its line under the bars (and a
// JSON field) and nothing else; without it the output is bpftrace's;
// --sort, --reverse and --top reorder and cut the maps printed at exit.
func TestE2EPrintControls(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	counts := `BEGIN { @[3] = count(); @[1] = count(); @[1] = count(); @[1] = count(); @[2] = count(); @[2] = count(); @[4] = count(); @[4] = count(); @[4] = count(); @[4] = count(); exit(); }`
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"hist as bpftrace prints it", []string{"-e", histProg}, histBars + "\n" + lhistBars + "\n@n: 1\n"},
		{"percentiles under the bars", []string{"--percentiles", "-e", histProg},
			histBars + "p50 6, p90 96, p99 96, max 127\n\n" + lhistBars + "p50 3, p90 >= 10, p99 >= 10, max >= 10\n\n@n: 1\n"},
		{"percentiles from the config block", []string{"-e", `config = { print_percentiles = true } ` + histProg},
			histBars + "p50 6, p90 96, p99 96, max 127\n\n" + lhistBars + "p50 3, p90 >= 10, p99 >= 10, max >= 10\n\n@n: 1\n"},
		{"percentiles in JSON", []string{"-f", "json", "-q", "--percentiles", "-e", histProg},
			`{"type": "hist", "data": {"@h": [{"min": 0, "max": 0, "count": 1}, {"min": 1, "max": 1, "count": 0}, {"min": 2, "max": 3, "count": 0}, {"min": 4, "max": 7, "count": 1}, {"min": 8, "max": 15, "count": 0}, {"min": 16, "max": 31, "count": 0}, {"min": 32, "max": 63, "count": 1}, {"min": 64, "max": 127, "count": 1}]}, "percentiles": {"@h": {"p50": 6, "p90": 96, "p99": 96, "max": 127}}}` + "\n" +
				`{"type": "hist", "data": {"@l": {"a": [{"min": 2, "max": 3, "count": 1}, {"min": 4, "max": 5, "count": 0}, {"min": 6, "max": 7, "count": 0}, {"min": 8, "max": 9, "count": 0}, {"min": 10, "count": 1}]}}, "percentiles": {"@l": {"a": {"p50": 3, "p90": 10, "p99": 10, "max": 10}}}}` + "\n" +
				`{"type": "map", "data": {"@n": 1}}` + "\n"},
		{"by value", []string{"-e", counts}, "\n\n@[3]: 1\n@[2]: 2\n@[1]: 3\n@[4]: 4\n"},
		{"by value, descending", []string{"--reverse", "-e", counts}, "\n\n@[4]: 4\n@[1]: 3\n@[2]: 2\n@[3]: 1\n"},
		{"by key", []string{"--sort=key", "-e", counts}, "\n\n@[1]: 3\n@[2]: 2\n@[3]: 1\n@[4]: 4\n"},
		{"top 2 by key", []string{"--sort", "key", "--top", "2", "-e", counts}, "\n\n@[1]: 3\n@[4]: 4\n"},
		{"top 3, descending", []string{"--top=3", "--reverse", "-e", counts}, "\n\n@[4]: 4\n@[1]: 3\n@[2]: 2\n"},
		{"print's own top wins", []string{"--top=3", "-e", `BEGIN { @[1] = count(); @[2] = count(); @[2] = count(); print(@, 1); clear(@); exit(); }`}, "@[2]: 2\n\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkExit(t, gbt, tt.args, nil, 0, tt.want, "")
		})
	}
	t.Run("percentiles from the environment", func(t *testing.T) {
		checkExit(t, gbt, []string{"-e", `BEGIN { @h = hist(3); exit(); }`}, []string{"BPFTRACE_PRINT_PERCENTILES=1"}, 0,
			"\n\n@h:\n[2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\np50 3, p90 3, p99 3, max 3\n\n", "")
	})
}

// TestE2EPrintControlErrors: bad values of the print controls are
// command-line errors.
func TestE2EPrintControlErrors(t *testing.T) {
	gbt, _ := binaries(t)
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"--sort=count", "-e", "BEGIN {}"}, `ERROR: --sort "count": want 'key' or 'value'`},
		{[]string{"--top=-1", "-e", "BEGIN {}"}, `ERROR: --top -1: want a number of entries above 0`},
		{[]string{"--interval=soon", "-e", "BEGIN {}"}, `ERROR: --interval "soon": want a period of 1ms or more`},
		{[]string{"--interval=0", "-e", "BEGIN {}"}, `ERROR: --interval "0": want a period of 1ms or more`},
	} {
		checkExit(t, gbt, tt.args, nil, exitError, "", tt.stderr)
	}
}

// TestE2EInterval: --interval prints the aggregations that hold something
// and clears them; plain maps (the script's state) are left for the
// exit. The script exits a second after start, long after the first 1 ms
// tick; later ticks find the aggregations empty and print nothing.
func TestE2EInterval(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	prog := `BEGIN { @c = count(); @c = count(); @h[1] = hist(3); @s[1] = 5; } interval:s:1 { exit(); }`
	want := "@c: 2\n@h[1]:\n[2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n" +
		"\n\n@s[1]: 5\n" // the emptied @c and @h print nothing
	checkExit(t, gbt, []string{"--interval=1ms", "-e", prog}, nil, 0, want, "")
}

// TestE2EStrict: a flood of printf in begin fills the ring buffer (gbt
// reads it only once begin is done), then exit(0) is called with the ring
// full: it still ends the run at once, through the control ring; every
// record the ring took is printed, the rest is reported lost, and with
// --strict the run fails naming the count. A map that fills fails
// --strict too.
func TestE2EStrict(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	const flood, fill = 20000, 10
	prog := `BEGIN {
		for ($i : 0..` + strconv.Itoa(flood) + `) { printf("flood %d %d %d %d %d %d %d\n", $i, $i, $i, $i, $i, $i, $i); }
		for ($i : 0..` + strconv.Itoa(fill) + `) { printf("fill\n"); }
		exit(0);
	}
	interval:s:3600 { printf("not reached\n"); }`
	for _, strict := range []bool{false, true} {
		t.Run("strict="+strconv.FormatBool(strict), func(t *testing.T) {
			args := []string{"-e", prog}
			if strict {
				args = append([]string{"--strict"}, args...)
			}
			// The deadline only keeps a hung run from hanging the test.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, gbt, args...)
			var out, errOut strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &errOut
			err := cmd.Run()
			if ctx.Err() != nil {
				t.Fatalf("gbt did not stop: the exit() was lost\nstderr:\n%s", clip(errOut.String()))
			}
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			printed := strings.Count(out.String(), "flood ") + strings.Count(out.String(), "fill\n")
			lost := flood + fill - printed
			if lost == 0 || !strings.HasSuffix(out.String(), "fill\n\n\n") {
				t.Fatalf("want a full ring, some records lost, and the last ones printed before the exit; %d printed, stdout ends %q", printed, out.String()[max(0, out.Len()-40):])
			}
			summary := "WARNING: " + strconv.Itoa(lost) + " events lost in all"
			if !strings.Contains(errOut.String(), summary) {
				t.Errorf("stderr lacks %q:\n%s", summary, clip(errOut.String()))
			}
			msg := "ERROR: --strict: the output is incomplete: " + strconv.Itoa(lost) + " events lost (the ring buffer was full)\n"
			switch {
			case !strict && code != 0:
				t.Errorf("exit %d without --strict\nstderr:\n%s", code, clip(errOut.String()))
			case strict && code != exitError:
				t.Errorf("exit %d with --strict, want %d\nstderr:\n%s", code, exitError, clip(errOut.String()))
			case strict && !strings.HasSuffix(errOut.String(), msg):
				t.Errorf("stderr does not end with %q:\n%s", msg, clip(errOut.String()))
			}
		})
	}
	t.Run("map full", func(t *testing.T) {
		prog := `config = { max_map_keys = 4 } BEGIN { for ($i : 0..10) { @m[$i] = count(); } exit(); }`
		checkExit(t, gbt, []string{"-e", prog}, nil, 0, "\n\n@m[0]: 1\n@m[1]: 1\n@m[2]: 1\n@m[3]: 1\n", "6 updates of @m failed")
		checkExit(t, gbt, []string{"--strict", "-e", prog}, nil, exitError, "",
			"ERROR: --strict: the output is incomplete: 6 map updates failed (the map was full)\n")
	})
}

// TestE2EEndHandledWhole: every record END sends is handled, however long
// handling takes: six clear()s of 3 001-key maps take longer than the
// 10 ms window the last read had, which dropped the clears after it and
// END's printf (the maps printed at exit, the line missing).
func TestE2EEndHandledWhole(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	prog := `BEGIN { for ($i : 0..3000) { @a[$i] = 1; @b[$i] = 1; @c[$i] = 1; @d[$i] = 1; @e[$i] = 1; @f[$i] = 1; } exit(); }
END { clear(@a); clear(@b); clear(@c); clear(@d); clear(@e); clear(@f); printf("end\n"); }`
	checkExit(t, gbt, []string{"-e", prog}, nil, 0, "end\n\n\n", "")
}
