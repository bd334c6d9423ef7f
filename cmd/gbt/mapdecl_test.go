package main

import (
	"strings"
	"testing"
	"time"
)

// TestE2EMapDecl runs map declarations (`let @m = kind(N);`, bpftrace
// 0.23), which bpftrace 0.17 rejects: each output is what bpftrace 0.27.1
// prints for the same program (tests/runtime/map at v0.26.1).
func TestE2EMapDecl(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	const full = "Map full; can't update element."
	tests := []struct {
		name       string
		prog       string
		want       string // exact stdout
		wantStderr string // a line stderr must contain ("" for none)
		noStderr   string // text stderr must not contain
	}{
		{
			name: "a full hash refuses a second key",
			prog: `let @a = hash(1); begin { @a[1] = 1; @a[2] = 2; exit(); }`,
			want: "\n\n@a[1]: 1\n",
			// The declaration sized it, not max_map_keys: gbt says so.
			wantStderr: "WARNING: Map full; can't update element: 1 update of @a failed. Try declaring it with more entries than 1, e.g. `let @a = hash(2)`",
		},
		{
			name:     "a key already there is updated",
			prog:     `let @a = hash(1); begin { @a[0] = 0; @a[0] = 1; exit(); }`,
			want:     "\n\n@a[0]: 1\n",
			noStderr: full,
		},
		{
			name:     "an lru hash evicts",
			prog:     `let @a = lruhash(1); begin { @a[1] = 1; @a[2] = 2; exit(); }`,
			want:     "\n\n@a[2]: 2\n",
			noStderr: full,
		},
		{
			name:       "a full per-CPU hash skips the aggregation, and the probe goes on",
			prog:       `let @a = percpuhash(1); begin { @a[1] = count(); @a[2] = count(); @a[1] = count(); exit(); }`,
			want:       "\n\n@a[1]: 2\n",
			wantStderr: "WARNING: Map full; can't update element: 1 update of @a failed.",
		},
		{
			name:     "a per-CPU lru hash evicts",
			prog:     `let @a = percpulruhash(1); begin { @a[1] = count(); @a[2] = count(); exit(); }`,
			want:     "\n\n@a[2]: 1\n",
			noStderr: full,
		},
		{
			name:       "an unused declaration is a warning",
			prog:       `let @a = percpuhash(1); begin { exit(); }`,
			want:       "\n\n",
			wantStderr: "stdin:1:1-24: WARNING: Unused map: @a",
		},
		{
			name: "unsigned keys print unsigned",
			prog: `begin { @a[18446744073709551615] = 0; @b[(uint32)-1] = 1; @c[-1] = 2; exit(); }`,
			want: "\n\n@a[18446744073709551615]: 0\n@b[4294967295]: 1\n@c[-1]: 2\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runTracer(t, traceRun{argv: []string{gbt, "-e", tt.prog}, work: work, timeout: 30 * time.Second})
			if res.exitCode != 0 {
				t.Fatalf("exit code %d\nstderr:\n%s", res.exitCode, clip(res.stderr))
			}
			if res.stdout != tt.want {
				t.Errorf("stdout:\n%q\nwant:\n%q\nstderr:\n%s", res.stdout, tt.want, clip(res.stderr))
			}
			if tt.wantStderr != "" && !strings.Contains(res.stderr, tt.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantStderr, clip(res.stderr))
			}
			if tt.noStderr != "" && strings.Contains(res.stderr, tt.noStderr) {
				t.Errorf("stderr has %q:\n%s", tt.noStderr, clip(res.stderr))
			}
		})
	}
}
