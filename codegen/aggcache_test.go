package codegen_test

import (
	"slices"
	"testing"
)

// TestAggCachePlan: a keyed aggregation map whose slot fits 8 times in a
// cache (not hist(v, 1) or a big lhist) gets a cache only when BPF code
// updates it alone and user space alone reads it; every other use reads
// or changes it in BPF, where its slots are not seen.
func TestAggCachePlan(t *testing.T) {
	const tp = "tracepoint:syscalls:sys_enter_openat "
	tests := []struct {
		name, prog string
		cached     []string
	}{
		{"count by comm", tp + `{ @[comm] = count(); }`, []string{"@"}},
		{"tuple key", tp + `{ @x[pid, comm] = count(); }`, []string{"@x"}},
		{"printed, cleared and zeroed", tp + `{ @x[pid] = count(); } interval:s:1 { print(@x); clear(@x); zero(@x); }`, []string{"@x"}},
		{"two maps", tp + `{ @a[pid] = count(); @b[tid] = count(); }`, []string{"@a", "@b"}},
		{"in a macro", `macro inc(@m, k) { @m[k] = count(); } ` + tp + `{ inc(@x, pid); }`, []string{"@x"}},

		{"keyless", tp + `{ @x = count(); }`, nil},
		{"sum, avg and stats", tp + `{ @s[pid] = sum(args.flags); @a[pid] = avg(args.mode); @t[comm] = stats(1); }`, []string{"@a", "@s", "@t"}},

		{"min and max", tp + `{ @x[pid] = min(args.mode); @y[pid] = max(args.mode); }`, []string{"@x", "@y"}},
		{"hist and a small lhist", tp + `{ @x[pid] = hist(args.mode); @y[comm, pid] = lhist(args.mode, 0, 100, 10); }`, []string{"@x", "@y"}},

		{"hist and lhist (too big)", tp + `{ @x[pid] = hist(args.mode, 2); @y[pid] = lhist(args.mode, 0, 10000, 10); }`, nil},
		{"read in BPF", tp + `{ @x[pid] = count(); if (@x[pid] > 3) { exit(); } }`, nil},
		{"deleted in BPF", tp + `{ @x[pid] = count(); delete(@x, pid); }`, nil},
		{"deleted element", tp + `{ @x[pid] = count(); delete(@x[pid]); }`, nil},
		{"has_key", tp + `{ @x[pid] = count(); if (has_key(@x, 1)) { exit(); } }`, nil},
		{"len", tp + `{ @x[pid] = count(); @n = len(@x); }`, nil},
		{"iterated", tp + `{ @x[pid] = count(); for ($kv : @x) { @y = $kv.1; } }`, nil},
		{"declared", `let @x = percpuhash(10); ` + tp + `{ @x[pid] = count(); }`, nil},
		{"pointer key", `tp_btf:sys_enter { @c[args->regs] = count(); }`, nil},
		{"key too big", tp + `{ @x[str(args.filename)] = count(); }`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := compile(t, tt.prog)
			var cached []string
			for _, md := range obj.Maps {
				if md.Cache != nil {
					cached = append(cached, md.Name)
					if md.Cache.Slots*md.Cache.SlotSize > 8192 || md.Cache.ValueOff()+md.Cache.ValueSize > md.Cache.SlotSize {
						t.Errorf("%s: %d slots of %d bytes, value at %d", md.Name, md.Cache.Slots, md.Cache.SlotSize, md.Cache.ValueOff())
					}
				}
			}
			if !slices.Equal(cached, tt.cached) {
				t.Errorf("cached maps %v, want %v", cached, tt.cached)
			}
		})
	}
}
