package codegen_test

import (
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/internal/compiletest"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/runtime"
)

// TestMapReadReuse counts the lookups of @s in the block of each script: a
// read of the predicate's element in the body reuses its value, until the
// body may have changed it (values: TestDiffBpftrace's
// tp_predicate_map_reads.bt).
func TestMapReadReuse(t *testing.T) {
	const tp = "BEGIN { @s[0] = 1; } tracepoint:syscalls:sys_enter_openat "
	tests := []struct {
		name, prog string
		lookups    int
		k          bool // -k: report each failed lookup
	}{
		{"latency shape", tp + `/@s[tid]/ { @h = hist((nsecs - @s[tid]) / 1000); delete(@s[tid]); }`, 1, false},
		{"two reads in one statement", tp + `/@s[tid]/ { @x = @s[tid] + @s[tid]; }`, 1, false},
		{"both sides of && when true", tp + `/pid == 1 && @s[tid] > 5/ { @x = @s[tid]; }`, 1, false},
		{"the left of a negated &&", tp + `/!(@s[tid] && pid == 1)/ { @x = @s[tid]; }`, 1, false},
		{"read in an if", tp + `/@s[tid]/ { if (pid > 1) { @x = @s[tid]; } }`, 1, false},
		{"tuple keys", "BEGIN { @s[0, 0] = 1; } tracepoint:syscalls:sys_enter_openat " + `/@s[args.dfd, args.flags]/ { @x = @s[args.dfd, args.flags]; }`, 1, false},

		{"after a delete", tp + `/@s[tid]/ { delete(@s[tid]); @x = @s[tid]; }`, 2, false},
		{"after a write of another key", tp + `/@s[tid]/ { @s[0] = 1; @x = @s[tid]; }`, 2, false},
		{"after ++ (a lookup of its own)", tp + `/@s[tid]/ { @s[tid]++; @x = @s[tid]; }`, 3, false},
		{"the right of ||", tp + `/pid == 1 || @s[tid]/ { @x = @s[tid]; }`, 2, false},
		{"a ternary's branch", tp + `/pid == 1 ? @s[tid] : 0/ { @x = @s[tid]; }`, 2, false},
		{"a key that changes", tp + `/@s[nsecs]/ { @x = @s[nsecs]; }`, 2, false},
		{"a key of a call", tp + `/@s[rand]/ { @x = @s[rand]; }`, 2, false},
		{"a different key", tp + `/@s[tid]/ { @x = @s[pid]; }`, 2, false},
		{"in a loop", tp + `/@s[tid]/ { for ($i : 0..2) { @x = @s[tid]; } }`, 2, false},
		{"-k reports each lookup", tp + `/@s[tid]/ { @x = @s[tid]; }`, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := runtime.CompileOptions{Env: probetest.New()}
			if tt.k {
				opts.HelperErrors = codegen.HelperErrorsOn
			}
			obj := compiletest.CompileWith(t, "stdin", tt.prog, opts)
			got := 0
			for _, p := range obj.Programs {
				if !strings.HasPrefix(p.Name, "tracepoint") {
					continue
				}
				last := ""
				for _, ins := range p.Insns {
					if ins.IsLoadFromMap() {
						last = ins.Reference()
					}
					if ins.IsBuiltinCall() && asm.BuiltinFunc(ins.Constant) == asm.FnMapLookupElem && strings.HasSuffix(last, "_s") {
						got++
					}
				}
			}
			if got != tt.lookups {
				t.Errorf("%d lookups of @s, want %d:\n%s", got, tt.lookups, disasm(obj))
			}
		})
	}
}
