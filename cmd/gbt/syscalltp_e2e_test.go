package main

import (
	"strings"
	"testing"
	"time"
)

// TestE2ESyscallTracepoints: system call tracepoints run on the raw
// tracepoints sys_enter and sys_exit (one program a block: a call's
// number compared, or looked up for more than 8 calls) print what their
// perf events print (--no-feature syscall_tp_btf): args' fields of every
// width and sign, ret, __syscall_nr, probe, the record as a value;
// raw_syscalls' id, ret and args[] by element and whole.
func TestE2ESyscallTracepoints(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	script := `tracepoint:syscalls:sys_enter_openat /pid == @PID@/ {
	printf("%d %d %d %s %d\n", args.dfd, args.flags, args->mode, str(args.filename), args.__syscall_nr);
	@flags[args.flags, (int32)args.dfd] = count();
}
tracepoint:syscalls:sys_exit_openat, tracepoint:syscalls:sys_exit_close /pid == @PID@/ {
	@ret[probe, args.ret >= 0, args->__syscall_nr] = count();
	$r = *args; @rec[$r.ret >= 0] = count();
}
tracepoint:syscalls:sys_enter_*open* /pid == @PID@/ { @opens[probe] = count(); }
tracepoint:raw_syscalls:sys_enter /pid == @PID@ && args.id == 257/ { @raw[args->args[2], (int32)args.args[0]] = count(); $r = *args; @rawrec[$r.args[2]] = count(); $i = 2; @rawi[args.args[$i] == args.args[2], args.args[$i + 5]] = count(); }
tracepoint:raw_syscalls:sys_exit /pid == @PID@ && args.id == 3/ { @rawret[args.ret] = count(); }
tracepoint:syscalls:sys_exit_* /pid == @PID@ && (args.__syscall_nr == 257 || args->__syscall_nr == 3)/ { @nr[args.__syscall_nr, args.ret >= 0] = count(); }
tracepoint:syscalls:sys_enter_getpgid /pid == @PID@/ { exit(); }`
	outs := map[string]string{}
	for _, mode := range []string{"raw tracepoints", "perf events"} {
		argv := []string{gbt, "-v", "@SCRIPT@"}
		if mode == "perf events" {
			argv = []string{gbt, "-v", "--no-feature", "syscall_tp_btf", "@SCRIPT@"}
		}
		res := runTracer(t, traceRun{argv: argv, script: script, workload: []string{"open", "3", "/dev/null"}, work: work, timeout: 30 * time.Second})
		if res.exitCode != 0 {
			t.Fatalf("%s: exit code %d\nstderr:\n%s", mode, res.exitCode, clip(res.stderr))
		}
		onRaw := strings.Contains(res.stderr, "system calls, raw tracepoint sys_enter)") && strings.Contains(res.stderr, "system calls, raw tracepoint sys_exit)")
		if onRaw != (mode == "raw tracepoints") {
			t.Errorf("%s: attached on the raw tracepoints: %v\nstderr:\n%s", mode, onRaw, clip(res.stderr))
		}
		outs[mode] = res.stdout
	}
	raw, perf := outs["raw tracepoints"], outs["perf events"]
	if raw != perf {
		t.Errorf("raw tracepoints print:\n%s\nperf events print:\n%s", raw, perf)
	}
	for _, want := range []string{"-100 524288 0 /dev/null 257\n", "@opens[tracepoint:syscalls:sys_enter_openat]: 3\n",
		"@ret[tracepoint:syscalls:sys_exit_openat, true, 257]: 3\n", "@ret[tracepoint:syscalls:sys_exit_close, true, 3]: 3\n",
		"@flags[524288, -100]: 3\n", "@rec[true]: ", "@raw[524288, -100]: 3\n", "@rawrec[524288]: 3\n", "@rawi[true, 0]: 3\n", "@rawret[0]: 3\n",
		"@nr[3, true]: 3\n", "@nr[257, true]: 3\n"} {
		if !strings.Contains(raw, want) {
			t.Errorf("stdout lacks %q:\n%s", want, raw)
		}
	}
}
