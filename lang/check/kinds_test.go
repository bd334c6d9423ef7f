package check_test

import (
	"strings"
	"testing"
)

// TestKindBuiltins: builtins that only some probe kinds give are checked
// against the kind's properties, in bpftrace's words, so that codegen
// never meets them in a kind that lacks them.
func TestKindBuiltins(t *testing.T) {
	tests := []struct {
		src    string
		unsafe bool
		err    string // "" for none
	}{
		{src: `kprobe:vfs_read { $x = arg5; $y = sarg0; $z = func; }`},
		{src: `uprobe:/bin/sh:main { $x = arg0; $y = sarg1; $z = func; }`},
		{src: `rawtracepoint:sched_switch { $x = arg7; }`},
		{src: `kretprobe:vfs_read { $x = retval; $z = func; }`},
		{src: `kprobe:vfs_read { $y = arg6; }`, err: "x86_64 doesn't support arg6"},
		{src: `uprobe:/bin/sh:main { $y = arg9; }`, err: "x86_64 doesn't support arg9"},
		{src: `rawtracepoint:sched_switch { $x = sarg0; }`, err: "The sarg0 builtin can only be used with 'kprobes' and 'uprobes' probes"},
		{src: `kretprobe:vfs_read { $x = sarg0; }`, err: "The sarg0 builtin can only be used with 'kprobes' and 'uprobes' probes"},
		{src: `interval:s:1 { $x = arg0; }`, err: "The arg0 builtin can only be used with 'kprobes', 'uprobes' and 'usdt' probes"},
		{src: `self:signal:SIGUSR1 { $x = arg0; }`, err: "The arg0 builtin can only be used with 'kprobes', 'uprobes' and 'usdt' probes"},
		{src: `interval:s:1 { $x = retval; }`, err: "The retval builtin can only be used with 'kretprobe' and 'uretprobe' and 'fentry' probes"},
		{src: `tp_btf:sched_switch { $x = func; }`, err: "The func builtin can not be used with 'tp_btf' probes"},
		{src: `interval:s:1 { $x = func; }`, err: "The func builtin can not be used with 'interval' probes"},
		{src: `self:signal:SIGUSR1 { $x = args; }`, err: "The args builtin can only be used with tracepoint, rawtracepoint, fentry/fexit, and uprobe probes (self used here)"},
		{src: `kprobe:vfs_read { override(1); }`, unsafe: true},
		{src: `kretprobe:vfs_read { override(1); }`, unsafe: true, err: "override() can only be used with kprobes"},
		{src: `kprobe:vfs_read { $a = uaddr("main"); }`, err: "uaddr() can only be used in uprobe, uretprobe and usdt probes"},
		{src: `profile:hz:99 { $a = reg("ip"); } watchpoint:0x1000:8:w { $b = reg("sp"); }`},
		{src: `tracepoint:syscalls:sys_enter_read { $a = reg("ip"); }`, err: `reg can not be used with "tracepoint" probes`},
		{src: `BEGIN { $a = reg("ip"); }`, err: `reg can not be used with "begin" probes`},
		{src: `self:signal:SIGUSR1 { $a = reg("ip"); }`, err: `reg can not be used with "self" probes`},
	}
	for _, tt := range tests {
		info, out := checkSourceUnsafe(tt.src, tt.unsafe)
		switch {
		case tt.err == "" && info == nil:
			t.Errorf("%s:\n%s", tt.src, out)
		case tt.err != "" && (info != nil || !strings.Contains(out, "ERROR: "+tt.err+"\n") && !strings.Contains(out, ": "+tt.err+"\n")):
			t.Errorf("%s: got\n%s\nwant the error %q", tt.src, out, tt.err)
		}
	}
}
