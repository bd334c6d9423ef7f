package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/internal/testenv"
)

// End-to-end tests: the built gbt binary runs scripts against gbtwork and the
// output must match exactly (or a pattern where values vary by nature).

const exitWhenDone = `tracepoint:syscalls:sys_enter_getpgid /pid == @PID@/ { exit(); }`

// strnstrProg searches for needles at the start, in the middle and at the
// end of a string, and for missing, empty and longer ones, in a string
// and in a map's longer string.
const (
	strnstrProg = `BEGIN { $h = "hello world"; $a = "hello"; $b = "world"; $c = "o w"; $d = "xyz"; $e = ""; $f = "hello world and more"; $g = "d";
		@h = "abcabc"; $i = "cab";
		printf("%d %d %d %d %d %d %d %d\n", strstr($h, $a), strstr($h, $b), strstr($h, $c), strstr($h, $d), strstr($h, $e), strstr($h, $f), strstr($h, $g), strstr(@h, $i));
		printf("%d %d %d %d %d %d %d %d\n", strcontains($h, $a), strcontains($h, $b), strcontains($h, $c), strcontains($h, $d), strcontains($h, $e), strcontains($h, $f), strcontains($h, $g), strcontains(@h, $i));
		delete(@h); exit(); }`
	strnstrWant = "0 6 4 -1 0 -1 10 2\n1 1 1 0 1 0 1 1\n\n\n" // the newest: -2 where not found (README)
)

func TestE2E(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	tests := []struct {
		name     string
		prog     string
		args     []string // positional parameters
		flags    []string
		workload []string
		want     string           // exact stdout, if set
		match    *regexp.Regexp   // stdout pattern, if set
		matchAll []*regexp.Regexp // stdout patterns, each of which must match, if set
		exit     int
		stderr   string // stderr must contain this, if set
	}{
		{
			name: "begin printf exit",
			prog: `BEGIN { printf("hello %s %d\n", "world", 42); exit(); }`,
			want: "hello world 42\n\n\n", // bpftrace prints two newlines before the (here no) maps
		},
		{
			name:     "count opens of a comm exactly",
			prog:     `tracepoint:syscalls:sys_enter_openat /pid == @PID@ && str(args->filename) == "/dev/null"/ { @[comm] = count(); } ` + exitWhenDone,
			workload: []string{"open", "10000", "/dev/null"},
			want:     "\n\n@[gbtwork]: 10000\n",
		},
		{
			// bpftrace 0.17 takes literal indexes only, and none into
			// char arrays (strings to it); gbt reads 0 outside an array.
			name: "variable indexes, char arrays and array bounds",
			prog: `tracepoint:raw_syscalls:sys_enter /pid == @PID@ && args->id == 62/ { $i = 0; $a = args->args;
				printf("%d %d %d %d ", args->args[$i] == pid, $a[$i] == pid, args->args[$i + 6], $a[$i - 1]);
				printf("%c%c%c %d\n", comm[$i], curtask->comm[$i + 1], curtask->comm[2], (*curtask).tgid == pid); } ` + exitWhenDone,
			workload: []string{"kill", "2"},
			want:     "1 1 0 0 gbt 1\n1 1 0 0 gbt 1\n\n\n",
		},
		{
			name: "argv walked with a variable index and a moving pointer",
			prog: `tracepoint:syscalls:sys_enter_execve /curtask->real_parent->tgid == @PID@/ { $i = 0; while ($i < 5) { printf("%s,", str(args->argv[$i])); $i++; }
				printf("%d\n", args->argv[$i - 1] == 0); $p = args->argv; $p += 2; printf("%s %s %s\n", str(*$p), str($p[-1]), str(*($p + 1))); } ` + exitWhenDone,
			workload: []string{"exec", "1", "/bin/echo", "a", "b", "c"},
			want:     "/bin/echo,a,b,c,,1\nb a c\n\n\n",
		},
		{
			// bpftrace 0.17 and the newest refuse to print this record;
			// its pointer member prints in hex as the newest prints those
			// of the records it prints (uprobe args).
			name:     "print(*args) prints the tracepoint's record",
			prog:     `tracepoint:syscalls:sys_enter_openat /pid == @PID@ && str(args->filename) == "/dev/null"/ { print(*args); } ` + exitWhenDone,
			workload: []string{"open", "1", "/dev/null"},
			match:    regexp.MustCompile(`^\{ \.__syscall_nr = 257, \.dfd = -100, \.filename = 0x[0-9a-f]+, \.flags = 524288, \.mode = 0 \}\n`),
		},
		{
			// The newest bpftrace's builtins (bpftrace 0.17 has none of them).
			name: "task, context and string builtins of the newest bpftrace",
			prog: `tracepoint:syscalls:sys_enter_openat /pid == @PID@ && str(args->filename) == "/dev/null"/ { $s = "hello";
				printf("%s %d %d %d %d %s %d|", probetype, usermode, ppid == curtask->real_parent->pid, pcomm == curtask->real_parent->comm, (uint64)leader_tid == pid, leader_comm, has_cpid);
				printf("%d %d %d %d %d|%d %d|%r %r|%d %d %d\n", strlen($s), strlen(args->filename), strcap($s), strstr($s, "llo"), strstr($s, "x"),
					memcmp($s, "help", 4), memcmp($s, "hello", 6), buf($s, 3), buf(comm, 3), is_str(comm), nsecs(boot) > 0, nsecs(tai) > nsecs(monotonic)); } ` + exitWhenDone,
			workload: []string{"open", "1", "/dev/null"},
			want:     "tracepoint 0 1 1 1 gbtwork 0|5 9 6 2 -1|-4 0|hel gbt|1 1 1\n\n\n",
		},
		{
			name:   "errorf and warnf print at their location on stderr",
			prog:   `BEGIN { errorf("Something bad with args: %d, %s", 10, "arg2"); warnf("w %d", 1); printf("after\n"); exit(); }`,
			want:   "after\n\n\n",
			stderr: "stdin:1:9-62: ERROR: Something bad with args: 10, arg2\nstdin:1:64-80: WARNING: w 1\n",
		},
		{
			name: "exit with a code, and assert",
			prog: `BEGIN { @x = 1; assert(1 == 1, "fine"); exit(3); } END { assert(0, "My error message"); printf("not here\n"); }`,
			want: "\n\n@x: 1\n",
			exit: 3, // exit(3) came first; END's failed assert asks for 1
			// assert is bpftrace's macro of stdlib/base.bt: its errorf is there.
			stderr: "stdlib/base.bt:6:5-37: ERROR: assert failed: My error message\n" +
				"stdin:1:58-87: ERROR: expanded from\n" +
				`BEGIN { @x = 1; assert(1 == 1, "fine"); exit(3); } END { assert(0, "My error message"); printf("not here\n"); }` + "\n" +
				strings.Repeat(" ", 57) + strings.Repeat("~", 29) + "\n",
		},
		{
			name: "is_err: the kernel's IS_ERR of a pointer (the standard library's macro)",
			prog: `BEGIN { printf("%d %d %d %d %d %d\n", is_err((int8 *)(0 - 1)), is_err((int8 *)(0 - 4095)), is_err((int8 *)(0 - 4096)),
				is_err((int8 *)0), is_err(curtask), is_err((uint64)(0 - 22))); exit(); }`,
			want: "1 1 0 0 0 1\n\n\n",
		},
		{
			// docs/stdlib.md's example of find (bpftrace 0.24).
			name: "find: a map's value into a variable (the standard library's macro)",
			prog: `BEGIN { @map[2] = (1, "hello"); let $val; if (find(@map, 2, $val)) { print($val); } let $v2; $r = find(@map, 3, $v2); print(($r, $v2)); clear(@map); exit(); }`,
			want: "(1, hello)\n(false, (0, ))\n\n\n", // the cleared @map prints nothing
		},
		{
			// docs/stdlib.md: str_concat (bpftrace 0.24); the result is as
			// long as both strings can be (bpftrace's is 1024 bytes).
			name: "str_concat",
			prog: `BEGIN { $a = str_concat("ab", "cde"); $e = ""; printf("%s %d %s %s|%s|\n", $a, sizeof($a), str_concat(comm, "-x"), str_concat($e, "z"), str_concat($e, $e));
				@[str_concat("k", "v")] = 1; exit(); }`,
			want: "abcde 6 gbt-x z||\n\n\n@[kv]: 1\n",
		},
		{
			// strlen() looks for the NUL a word at a time: in the first
			// word and the second, after bytes whose high bit is set or
			// that are 1 (what the zero-byte test could mistake), in
			// UTF-8, and in the last word of a string[64]. The newest
			// bpftrace prints the same.
			name: "strlen of every kind of byte",
			prog: `BEGIN { @s[0] = ""; @s[1] = "\x80"; @s[2] = "abcdefg"; @s[3] = "abcdefgh"; @s[4] = "\xff\xfe\x01\x80\x7f~ab\x01\x01\x01"; @s[5] = "éééééééééé";
				@s[6] = "` + strings.Repeat("x", 60) + `"; @s[7] = "` + strings.Repeat(`\x01`, 63) + `";
				printf("%d %d %d %d %d %d %d %d\n", strlen(@s[0]), strlen(@s[1]), strlen(@s[2]), strlen(@s[3]), strlen(@s[4]), strlen(@s[5]), strlen(@s[6]), strlen(@s[7])); clear(@s); exit(); }`,
			want: "0 1 7 8 11 20 60 63\n\n\n",
		},
		{
			// strstr() and strcontains() of needles known only when the
			// probe runs: by the kernel's bpf_strnstr here (6.18), by
			// gbt's loops with --no-feature strnstr (the next case); both
			// must print what the newest bpftrace prints (its -1 where
			// the kernel's function is not there).
			name: "strstr and strcontains by the kernel",
			prog: strnstrProg, want: strnstrWant,
		},
		{
			name: "strstr and strcontains by loops", flags: []string{"--no-feature", "strnstr"},
			prog: strnstrProg, want: strnstrWant,
		},
		{
			// docs/stdlib.md's example of config (bpftrace 0.24), with a
			// setting of the script's config block.
			name: "config record",
			prog: `config = { max_strlen = 100; stack_mode = perf } BEGIN { printf("max_strlen: %d, stack_mode: %s\n", config.max_strlen, config.stack_mode);
				printf("%d %s\n", config().print_maps_on_exit, config.missing_probes); exit(); }`,
			want: "max_strlen: 100, stack_mode: perf\n1 error\n\n\n",
		},
		{
			// The probe's and the loop body's strings need more stack
			// than the BPF stack's 512 bytes in the frames of the probe
			// and of the loop's callback together, which the verifiers
			// of 6.1 and 6.12 refuse: they are kept in scratch memory.
			name: "for loop with strings in its body and in the probe",
			prog: `tracepoint:syscalls:sys_enter_openat /pid == @PID@ && str(args->filename) == "/dev/null"/ {
				$path = str(args->filename); $name = ""; $key = (tid, 7);
				for ($j : 0..3) { @paths[$j] = str(args->filename); $name = @paths[$j]; printf("%d %s %s %s|", $j, $name, comm, str(args->filename)); }
				printf("%s %s %d %s\n", $path, $name, $key.1, str(args->filename)); clear(@paths); } ` + exitWhenDone,
			workload: []string{"open", "1", "/dev/null"},
			want:     "0 /dev/null gbtwork /dev/null|1 /dev/null gbtwork /dev/null|2 /dev/null gbtwork /dev/null|/dev/null /dev/null 7 /dev/null\n\n\n",
		},
		{
			name:     "filename strings as keys",
			prog:     `tracepoint:syscalls:sys_enter_openat /pid == @PID@/ { @[str(args->filename)] = count(); } ` + exitWhenDone,
			workload: []string{"open", "777", "/dev/zero"},
			match:    regexp.MustCompile(`(?m)^@\[/dev/zero\]: 777$`),
		},
		{
			name:     "printf of str(args->filename) streams per event",
			prog:     `tracepoint:syscalls:sys_enter_openat /pid == @PID@ && str(args->filename) == "/dev/null"/ { printf("open %s\n", str(args->filename)); } ` + exitWhenDone,
			workload: []string{"open", "3", "/dev/null"},
			want:     "open /dev/null\nopen /dev/null\nopen /dev/null\n\n\n",
		},
		{
			// The default ring (1 MiB here) keeps up with a tight loop of
			// opens: every line arrives and nothing is reported lost.
			name:     "printf per event streams 100000 lines without loss",
			prog:     `tracepoint:syscalls:sys_enter_openat /pid == @PID@ && str(args->filename) == "/dev/null"/ { printf("o\n"); } ` + exitWhenDone,
			workload: []string{"open", "100000", "/dev/null"},
			want:     strings.Repeat("o\n", 100000) + "\n\n",
		},
		{
			name:     "hist lhist stats avg of write sizes",
			prog:     `tracepoint:syscalls:sys_enter_write /pid == @PID@/ { @h = hist(args->count); @l = lhist(args->count, 0, 4, 1); @s = stats(args->count); @a = avg(args->count); } ` + exitWhenDone,
			workload: []string{"write", "300"},
			want: "\n\n@a: 1\n@h:\n[1]                  300 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n" +
				"@l:\n[1]                  300 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n" +
				"@s: { .count = 300, .average = 1, .total = 300 }\n",
		},
		{
			// The verifier's verdict, not its state dump, names the cause.
			name:   "an endless while loop is reported at its body",
			prog:   `BEGIN { $i = 0; while ($i < 10) { @x = 1; } }`,
			exit:   1,
			stderr: "stdin:1:35-41: ERROR: the kernel's verifier rejected the program of BEGIN: infinite loop detected at insn",
		},
		{
			// The newest bpftrace widens narrow variables (its output,
			// byte for byte; %d prints 32 bits of $g).
			name: "narrow variables widen",
			prog: `BEGIN { $a = (uint8)255; $a++; $b = (int8)127; ++$b; $c = (int16)-32768; $c--; $d = (uint16)1; $d -= 2; $e = (uint8)200; $e += 100; $f = (uint32)1; $f = -1; $g = (int32)0; $g = 0x1ffffffff; printf("%d %d %d %d %d %u %d\n", $a, $b, $c, $d, $e, $f, $g); exit(); }`,
			want: "256 128 -32769 -1 300 4294967295 -1\n\n\n",
		},
		{
			// bpftrace 0.17 (--compat=0.17) wraps ++ and -- as C does,
			// but drops compound assignments and wider values into narrow
			// variables without a word ($d stays 1 there); gbt wraps those too.
			name:  "narrow variables wrap under --compat=0.17",
			flags: []string{"--compat=0.17"},
			prog:  `BEGIN { $a = (uint8)255; $a++; $b = (int8)127; ++$b; $c = (int16)-32768; $c--; $d = (uint16)1; $d -= 2; $e = (uint8)200; $e += 100; $f = (uint32)1; $f = -1; $g = (int32)0; $g = 0x1ffffffff; printf("%d %d %d %d %d %u %d\n", $a, $b, $c, $d, $e, $f, $g); exit(); }`,
			want:  "Attaching 1 probe...\n0 -128 32767 65535 44 4294967295 -1\n\n\n",
		},
		{
			// The newest bpftrace's bools, block expressions, a ?: b and
			// records, as bpftrace 0.27.1 prints them (0.17 has none).
			name: "bools, block expressions and records",
			prog: `begin { $c = 1 > 0; @b[$c, !$c] = (bool)"x"; $v = { $x = 10; $x + 5 }; $w = 0 ?: 20; $r = (a = $v, b = "s", c = (1 == 2, $w)); printf("%d %s %d %s\n", $c, $c, $r.a, $r.b); print($r); @r[$r] = $r.c.0; }`,
			want: "1 true 15 s\n{ .a = 15, .b = s, .c = (false, 20) }\n\n\n@b[true, false]: true\n@r[{ .a = 15, .b = s, .c = (false, 20) }]: false\n",
		},
		{
			// bpftrace 0.17 refuses these keys ("invalid mapkey argument type").
			name: "strerror and strcontains as map keys",
			prog: `BEGIN { @e[strerror(13)] = count(); @e[strerror(2)] = count(); @e[strerror(2)] = count(); @s[strcontains("gbt rocks", "roc")] = count(); exit(); }`,
			want: "\n\n@e[Permission denied]: 1\n@e[No such file or directory]: 2\n@s[true]: 1\n",
		},
		{
			// bpftrace 0.17 runs out of stack on a needle that is not a literal.
			name: "strcontains with needles known only at run time",
			prog: `BEGIN { $h = "hello world"; $n = "o w"; $m = "xyz"; $e = ""; printf("%d %d %d %d %d\n", strcontains($h, $n), strcontains($h, $m), strcontains($h, $e), strcontains("aab", str($1)), strcontains($e, $n)); exit(); }`,
			args: []string{"ab"},
			want: "1 0 1 1 0\n\n\n",
		},
		{
			// tests/runtime/probe "probe_builtin_string_compare" (bpftrace
			// 0.21 and later): the names are known when compiled.
			name: "strcontains of probe",
			prog: `BEGIN { printf("%d %d %d\n", strcontains(probe, "EGI"), strcontains(probe, "x"), strcontains(probe, "")); exit(); }`,
			want: "1 0 1\n\n\n",
		},
		{
			// The newest bpftrace sizes a variable by the literals given
			// it (builtin's "sizeof"); arithmetic on it is unchanged.
			name: "sizeof of variables given literals",
			prog: `BEGIN { $x = 1; $y = 100; $y = 1000; $z = 127; $z++; printf("%d %d %d %d %d\n", sizeof($x), sizeof($y), sizeof($z), $x + $y * 1000, $z); exit(); }`,
			want: "1 2 8 1000001 128\n\n\n",
		},
		{
			name: "has_key and len",
			prog: `BEGIN { @m[1] = 2; @m[5] = 3; @c["a", 2] = count(); printf("%d %d %d %d %d\n", has_key(@m, 1), has_key(@m, 2), len(@m), has_key(@c, ("a", 2)), len(@c)); delete(@m[1]); printf("%d %d\n", has_key(@m, 1), len(@m)); clear(@m); exit(); }`,
			want: "1 0 2 1 1\n0 1\n\n\n@c[a, 2]: 1\n", // the cleared @m prints nothing, as in the newest bpftrace
		},
		{
			// A record prints its bit-fields' values (bpftrace's struct
			// with bitfield test).
			name: "print of a struct with bit-fields",
			prog: `struct foo { unsigned long long x_0:1; unsigned long long x_1:1; unsigned long long x_2:2; } BEGIN { $val = (uint64)0x1e; $f = *(struct foo *)(&$val); print($f); exit(); }`,
			want: "{ .x_0 = 0, .x_1 = 1, .x_2 = 3 }\n\n\n",
		},
		{
			// bpftrace 0.22's `let $x;` takes the type of $x's first value
			// (tcpdrop.bt declares its addresses so).
			name: "let without type or value",
			prog: `BEGIN { let $a; if (1) { $a = "hello"; } printf("%s|\n", $a); let $t; $t = (1, "ab"); print($t); exit(); }`,
			want: "hello|\n(1, ab)\n\n\n",
		},
		{
			// The newest bpftrace: clear() and delete() of a keyless
			// aggregation empty it (0.17 prints count's 0); zero() keeps it.
			name: "clear and delete of keyless aggregations",
			prog: `BEGIN { @a = count(); @b = sum(3); @c = max(3); @d = count(); @e = count(); @k[1] = count(); clear(@a); delete(@b); delete(@c); zero(@d); delete(@k[1]); exit(); }`,
			want: "\n\n@d: 0\n@e: 1\n", // empty maps print nothing, as in the newest bpftrace
		},
		{
			// bpftrace 0.17 has no rawtracepoint probes (it aborts), so
			// this is an e2e test rather than a differential one.
			name: "raw tracepoints: args and probe names",
			prog: `rawtracepoint:sys_enter /pid == @PID@ && arg1 == 62/ { @kills[probe] = count(); }
				rawtracepoint:sys_exit, rawtracepoint:sys_enter /pid == @PID@ && arg1 == 62/ { @both[probe] = count(); } ` + exitWhenDone,
			workload: []string{"kill", "3"},
			want:     "\n\n@both[rawtracepoint:vmlinux:sys_enter]: 3\n@kills[rawtracepoint:vmlinux:sys_enter]: 3\n",
		},
		{
			// The newest bpftrace's -p: tracepoints (and kprobes, kfuncs,
			// raw tracepoints) keep to the process; 0.17 traces all.
			name:     "-p filters tracepoints by process",
			flags:    []string{"-p", "@PID@"},
			prog:     `tracepoint:syscalls:sys_enter_kill { @[pid == @PID@] = count(); } rawtracepoint:sys_enter /arg1 == 62/ { @raw[pid == @PID@] = count(); } tracepoint:syscalls:sys_enter_getpgid { exit(); }`,
			workload: []string{"kill", "5"},
			want:     "\n\n@[true]: 5\n@raw[true]: 5\n",
		},
		{
			// bpftrace 0.17 has no tp_btf probes.
			name:     "tp_btf: BTF-typed tracepoint args and pointer chains",
			prog:     `tp_btf:sys_enter /pid == @PID@ && args->id == 62/ { @kills = count(); @sig[args->regs->si] = count(); @self[args->regs->di == pid] = count(); } ` + exitWhenDone,
			workload: []string{"kill", "3"},
			want:     "\n\n@kills: 3\n@self[true]: 3\n@sig[0]: 3\n",
		},
		{
			name:   "kfunc on a kernel without BPF trampolines is a clear error",
			prog:   `kfunc:vfs_read { @[comm] = count(); }`,
			exit:   1,
			want:   "",
			stderr: "ERROR: fentry:vmlinux:vfs_read: this kernel refuses fentry/fexit programs",
		},
		{
			// uaddr of a fixed-address executable (bpftrace 0.17 cannot
			// resolve Go symbols for it). It points at an integer of the
			// symbol's size: runtime.argc is an int32 followed by another
			// (4: the harness runs gbtwork with three arguments).
			name:     "uaddr and usym agree in a uprobe",
			prog:     `uprobe:@WORK@:main.run { printf("%s %d %d\n", usym(uaddr("main.run")), uaddr("main.run") == reg("ip"), *uaddr("runtime.argc")); } ` + exitWhenDone,
			workload: []string{"kill", "1"},
			want:     "main.run 1 4\n\n\n",
		},
		{
			name: "BEGIN then END, each once",
			prog: `BEGIN { printf("begin\n"); exit(); } END { printf("end\n"); }`,
			want: "begin\nend\n\n\n",
		},
		{
			name: "interval fires the expected number of times",
			// A tick after exit() may run before the probes are detached
			// (a loaded machine answers later than 50 ms), so @n stops at 4.
			prog: `interval:ms:50 { if (@n < 4) { @n++; } if (@n == 4) { exit(); } }`,
			want: "\n\n@n: 4\n",
		},
		{
			name:  "profile samples on every CPU",
			prog:  `profile:hz:199 { @samples = count(); } interval:ms:500 { exit(); }`,
			match: regexp.MustCompile(`(?m)^@samples: [1-9]\d*$`),
		},
		{
			name: "positional parameters",
			prog: `BEGIN { printf("%d %s %d\n", $1 + 1, str($2), $#); exit(); }`,
			args: []string{"41", "abc"},
			want: "42 abc 2\n\n\n",
		},
		{
			// bpftrace 0.17 fails with "Code not generated for probe: BEGIN,END".
			name:   "BEGIN and END in one block run at start and at end",
			prog:   `END, BEGIN { printf("%s\n", probe); exit(); }`,
			want:   "BEGIN\nEND\n\n\n",
			stderr: "Attaching 2 probes...",
		},
		{
			name:     "tracepoint and interval points in one block",
			prog:     `tracepoint:syscalls:sys_enter_getpgid, interval:ms:100 { @[probe, pid == @PID@] = count(); } ` + exitWhenDone,
			workload: []string{"sleep", "350"},
			matchAll: []*regexp.Regexp{
				regexp.MustCompile(`(?m)^@\[tracepoint:syscalls:sys_enter_getpgid, true\]: 1$`),
				regexp.MustCompile(`(?m)^@\[interval:ms:100, false\]: [1-9]\d*$`),
			},
		},
		{
			name: "probe tells apart the profile points of one block",
			prog: `profile:hz:99, profile:hz:49 { @[probe] = count(); } interval:ms:300 { exit(); }`,
			matchAll: []*regexp.Regexp{
				regexp.MustCompile(`(?m)^@\[profile:hz:99\]: [1-9]\d*$`),
				regexp.MustCompile(`(?m)^@\[profile:hz:49\]: [1-9]\d*$`),
			},
		},
		{
			name: "positional parameter in an attach point",
			prog: `interval:ms:$1 { printf("tick %s\n", probe); exit(); }`,
			args: []string{"100"},
			want: "tick interval:ms:100\n\n\n",
		},
		{
			name:   "missing positional parameter in an attach point",
			prog:   `interval:ms:$1 { printf("tick\n"); exit(); }`,
			exit:   1,
			want:   "",
			stderr: "stdin:1:13-15: ERROR: Positional parameter $1 is not provided\ninterval:ms:$1 { printf(\"tick\\n\"); exit(); }\n            ~~\n",
		},
		{
			name: "compile error exits 1",
			prog: `BEGIN { @x = foo(); }`,
			exit: 1,
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			argv := append([]string{gbt}, tt.flags...)
			argv = append(argv, "-e", strings.ReplaceAll(tt.prog, "@WORK@", work))
			argv = append(argv, tt.args...)
			res := runTracer(t, traceRun{argv: argv, workload: tt.workload, work: work, timeout: 30 * time.Second})
			if res.exitCode != tt.exit {
				t.Fatalf("exit code %d, want %d\nstderr:\n%s", res.exitCode, tt.exit, clip(res.stderr))
			}
			switch {
			case tt.match != nil || tt.matchAll != nil:
				for _, re := range append(tt.matchAll, tt.match) {
					if re != nil && !re.MatchString(res.stdout) {
						t.Errorf("stdout does not match %q:\n%s\nstderr:\n%s", re, clip(res.stdout), clip(res.stderr))
					}
				}
			default:
				if res.stdout != tt.want {
					t.Errorf("stdout (%s):\n%q\nwant:\n%q\nstderr:\n%s", firstDiff(res.stdout, tt.want), clip(res.stdout), clip(tt.want), clip(res.stderr))
				}
			}
			if tt.stderr != "" && !strings.Contains(res.stderr, tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, clip(res.stderr))
			}
			if tt.exit == 0 && !strings.Contains(tt.stderr, "ERROR") && (strings.Contains(res.stderr, "ERROR") || strings.Contains(res.stderr, "Lost")) {
				t.Errorf("unexpected error output:\n%s", clip(res.stderr))
			}
		})
	}
}

// TestE2EJSON: with -f json every stdout line is a JSON record of
// bpftrace's shapes.
func TestE2EJSON(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	prog := `BEGIN { printf("start\n"); } tracepoint:syscalls:sys_enter_openat /pid == @PID@ && str(args->filename) == "/dev/null"/ { @opens[comm] = count(); @h = hist(5); } ` + exitWhenDone
	res := runTracer(t, traceRun{argv: []string{gbt, "-f", "json", "-e", prog}, workload: []string{"open", "25", "/dev/null"}, work: work})
	if res.exitCode != 0 {
		t.Fatalf("exit %d: %s", res.exitCode, clip(res.stderr))
	}
	var types []string
	for _, line := range strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			t.Errorf("blank line in JSON output:\n%s", clip(res.stdout))
			continue
		}
		var rec struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not JSON: %q: %v", line, err)
		}
		types = append(types, rec.Type)
		if rec.Type == "map" {
			var m map[string]map[string]int
			if err := json.Unmarshal(rec.Data, &m); err != nil || m["@opens"]["gbtwork"] != 25 {
				t.Errorf("map record %s: %v", rec.Data, err)
			}
		}
	}
	if got, want := strings.Join(types, ","), "attached_probes,printf,hist,map"; got != want {
		t.Errorf("record types %s, want %s", got, want)
	}
}

// TestE2EFlags covers -c (trace a command from its start, exit with it), -o
// and -q.
func TestE2EFlags(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	out := filepath.Join(t.TempDir(), "out.txt")
	prog := `tracepoint:syscalls:sys_enter_openat /pid == cpid && str(args->filename) == "/dev/null"/ { @[comm] = count(); }`
	res := runTracer(t, traceRun{argv: []string{gbt, "-q", "-o", out, "-c", work + " open 1234 /dev/null", "-e", prog}})
	if res.exitCode != 0 {
		t.Fatalf("exit %d: %s", res.exitCode, clip(res.stderr))
	}
	if res.stderr != "" {
		t.Errorf("-q: stderr %q", clip(res.stderr))
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "\n\n@[gbtwork]: 1234\n"; got != want {
		t.Errorf("-o file holds %q, want %q", got, want)
	}
}

// TestE2EUsage: unknown flags exit 2, bad flag values and compile errors 1,
// --version 0.
func TestE2EUsage(t *testing.T) {
	gbt, _ := binaries(t)
	for _, tt := range []struct {
		args []string
		exit int
		out  string
	}{
		{[]string{"--version"}, 0, "gbt v"},
		{[]string{"-f", "xml", "-e", "BEGIN {}"}, 1, ""},
		{[]string{"--no-such-flag"}, 2, ""},
		{[]string{"-d", "-e", "BEGIN { $x = 1 + 2; }"}, 0, "+ :: int64 = 3"},
		{[]string{"-e", "BEGIN { $x = ; }"}, 1, ""},
	} {
		cmd := exec.Command(gbt, tt.args...)
		b, err := cmd.Output()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		if code != tt.exit || !strings.Contains(string(b), tt.out) {
			t.Errorf("gbt %v: exit %d, output %q; want exit %d and %q", tt.args, code, b, tt.exit, tt.out)
		}
	}
}

// TestE2EShebang runs an executable script that starts with #!/usr/bin/env gbt.
func TestE2EShebang(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "hello.bt")
	src := "#!/usr/bin/env gbt\nBEGIN { printf(\"hello %s\\n\", str($1)); exit(); }\n"
	if err := os.WriteFile(script, []byte(src), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(script, "shebang")
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(gbt)+":"+os.Getenv("PATH"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got, want := string(out), "hello shebang\n\n\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestE2EList lists probes from the real tracefs, with args under -v.
func TestE2EList(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	out, err := exec.Command(gbt, "-lv", "tracepoint:syscalls:sys_enter_openat").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "tracepoint:syscalls:sys_enter_openat\n    int __syscall_nr\n    int dfd\n    const char * filename\n    int flags\n    umode_t mode\n"
	if string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
	out, err = exec.Command(gbt, "-l", "software:*").Output()
	if err != nil || !strings.Contains(string(out), "software:cpu-clock:\n") {
		t.Errorf("software listing: %v\n%s", err, out)
	}
	out, err = exec.Command(gbt, "-l", "tracepoint:sched:sched_process_*").Output()
	if err != nil || !strings.Contains(string(out), "tracepoint:sched:sched_process_exec\n") {
		t.Errorf("wildcard listing: %v\n%s", err, out)
	}
}

// TestE2EListKernel lists what the kernel's BTF and a traceable-functions
// file give, as the newest bpftrace prints them.
func TestE2EListKernel(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	traceable := filepath.Join(t.TempDir(), "funcs")
	if err := os.WriteFile(traceable, []byte("vfs_read\nvfs_write\nnot_in_btf_xyz\nnf_hook_slow [nf_mod]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-l", "interval:*"}, "interval:hz:\ninterval:ms:\ninterval:s:\ninterval:us:\n"},
		{[]string{"-l", "rawtracepoint:sys_e*"}, "rawtracepoint:vmlinux:sys_enter\nrawtracepoint:vmlinux:sys_exit\n"},
		{[]string{"-lv", "rawtracepoint:vmlinux:sys_exit"}, "rawtracepoint:vmlinux:sys_exit\n    struct pt_regs * regs\n    long int ret\n"},
		{[]string{"--traceable-functions", traceable, "-l", "kprobe:*"}, "kprobe:nf_hook_slow\nkprobe:not_in_btf_xyz\nkprobe:vfs_read\nkprobe:vfs_write\n"},
		{[]string{"--traceable-functions", traceable, "-l", "fentry:vfs_*"}, "fentry:vmlinux:vfs_read\nfentry:vmlinux:vfs_write\n"},
		{[]string{"-l", "-e", "BEGIN {} interval:s:1 {} software:faults:10 {} tracepoint:sched:sched_switch {}"}, "interval:s:\nsoftware:faults:\ntracepoint:sched:sched_switch\n"},
		// A script's points in its order, repeats too, each one's matches
		// sorted (the newest bpftrace's order).
		{[]string{"-l", "-e", "tracepoint:syscalls:sys_exit_read {} tracepoint:syscalls:sys_enter_openat* {} tracepoint:syscalls:sys_exit_read {}"},
			"tracepoint:syscalls:sys_exit_read\ntracepoint:syscalls:sys_enter_openat\ntracepoint:syscalls:sys_enter_openat2\ntracepoint:syscalls:sys_exit_read\n"},
		// Types as both bpftraces list them: names, or -v definitions
		// ("vmlinux: " before each, as the newest prints them; 0.17 has
		// none), patterns too; a name no type has lists nothing.
		{[]string{"-lv", "struct fd"}, "vmlinux: struct fd {\n\tlong unsigned int word;\n};\n\n"},
		{[]string{"--compat=0.17", "-lv", "struct fd"}, "struct fd {\n\tlong unsigned int word;\n};\n\n"},
		{[]string{"-l", "struct fd"}, "struct fd\n"},
		{[]string{"-l", "struct fdtabl?,struct path,enum CSI_J"}, "struct fdtable\nstruct path\nenum CSI_J\n"},
		{[]string{"-l", "struct no_such_struct_xyz"}, ""},
		{[]string{"-lv", "enum CSI_J"}, "vmlinux: enum CSI_J {\n\tCSI_J_CURSOR_TO_END = 0,\n\tCSI_J_START_TO_CURSOR = 1,\n\tCSI_J_VISIBLE = 2,\n\tCSI_J_FULL = 3,\n};\n\n"},
	}
	for _, tt := range tests {
		out, err := exec.Command(gbt, tt.args...).Output()
		if err != nil || string(out) != tt.want {
			t.Errorf("gbt %q: %v\ngot:\n%s\nwant:\n%s", tt.args, err, out, tt.want)
		}
	}
}

// TestE2EFullMap: an update a full map refuses is skipped, not the rest
// of the probe, and gbt says at exit how many each map lost.
func TestE2EFullMap(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	cmd := exec.Command(gbt, "-e", `BEGIN { $i = 0; while ($i < 10) { @c[$i] = count(); @v[$i] = $i; $i++; } @total = count(); exit(); }`)
	cmd.Env = append(os.Environ(), "BPFTRACE_MAP_KEYS_MAX=4")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if want := "\n\n@c[0]: 1\n@c[1]: 1\n@c[2]: 1\n@c[3]: 1\n@total: 1\n@v[0]: 0\n@v[1]: 1\n@v[2]: 2\n@v[3]: 3\n"; stdout.String() != want {
		t.Errorf("stdout %q, want %q", stdout.String(), want)
	}
	for _, want := range []string{"WARNING: Map full; can't update element: 6 updates of @c failed.", "WARNING: Map full; can't update element: 6 updates of @v failed."} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}

// TestE2EPid: with -p gbt stops when the traced process exits.
func TestE2EPid(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	sleeper := exec.Command(work, "sleep", "700")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	go sleeper.Wait()
	res := runTracer(t, traceRun{argv: []string{gbt, "-p", strconv.Itoa(sleeper.Process.Pid), "-e", "interval:ms:100 { @ticks = count(); }"}, timeout: 10 * time.Second})
	if res.exitCode != 0 || !strings.Contains(res.stdout, "@ticks: ") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", res.exitCode, clip(res.stdout), clip(res.stderr))
	}
}

// TestE2EUprobe counts calls of a function of the workload binary with a
// uprobe (main.run runs once per gbtwork process), and checks that a
// kprobe, which this kernel cannot attach, fails with a clear message.
func TestE2EUprobe(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	res := runTracer(t, traceRun{argv: []string{gbt, "-c", work + " open 5 /dev/null", "-e", "uprobe:" + work + ":main.run { @runs = count(); }"}})
	if res.exitCode != 0 || res.stdout != "\n\n@runs: 1\n" {
		t.Errorf("uprobe: exit %d, stdout %q, stderr %q", res.exitCode, clip(res.stdout), clip(res.stderr))
	}
	// At an address as nm shows it (a virtual address, not a file offset).
	res = runTracer(t, traceRun{argv: []string{gbt, "-c", work + " open 5 /dev/null", "-e", "uprobe:" + work + ":" + symbolAddr(t, work, "main.run") + " { @runs = count(); }"}})
	if res.exitCode != 0 || res.stdout != "\n\n@runs: 1\n" {
		t.Errorf("uprobe at an address: exit %d, stdout %q, stderr %q", res.exitCode, clip(res.stdout), clip(res.stderr))
	}
	out, err := exec.Command(gbt, "-e", "kprobe:do_sys_openat2 { @ = count(); }").CombinedOutput()
	if err == nil {
		t.Skip("this kernel attaches kprobes; the refusal path is not exercised here")
	}
	if !strings.Contains(string(out), "ERROR: Unable to attach probe: kprobe:do_sys_openat2. If this is expected") {
		t.Errorf("kprobe attach failure not reported clearly:\n%s", out)
	}
}

// TestE2ECpid: cpid is the pid of the -c command.
func TestE2ECpid(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	prog := `tracepoint:syscalls:sys_enter_openat /str(args->filename) == "/dev/null"/ { @mine[pid == cpid] = count(); }`
	res := runTracer(t, traceRun{argv: []string{gbt, "-c", work + " open 7 /dev/null", "-e", prog}})
	if res.exitCode != 0 || !strings.Contains(res.stdout, "@mine[true]: 7\n") {
		t.Errorf("exit %d, stdout %q, stderr %q", res.exitCode, clip(res.stdout), clip(res.stderr))
	}
}

// TestE2EListUprobes lists the functions of a binary like bpftrace -l.
func TestE2EListUprobes(t *testing.T) {
	gbt, work := binaries(t)
	out, err := exec.Command(gbt, "-l", "uprobe:"+work+":main.r*").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "uprobe:"+work+":main.run\n") {
		t.Errorf("listing lacks main.run:\n%s", out)
	}
}

// TestE2EDryRunVerboseBuffering: --dry-run loads without attaching or
// running, -v reports attach details, -B none changes no output.
func TestE2EDryRunVerboseBuffering(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	out, err := exec.Command(gbt, "--dry-run", "-e", `BEGIN { printf("must not run\n"); } tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }`).CombinedOutput()
	if err != nil || len(out) != 0 {
		t.Errorf("--dry-run: %v, output %q", err, out)
	}
	cmd := exec.Command(gbt, "-v", "-B", "none", "-e", `interval:ms:10 { printf("tick\n"); exit(); }`)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("-v -B none: %v\n%s", err, clip(stderr.String()))
	}
	if string(stdout) != "tick\n\n\n" || !strings.Contains(stderr.String(), "gbt: attached interval:ms:10") {
		t.Errorf("-v -B none: stdout %q, stderr %q", stdout, clip(stderr.String()))
	}
}

// TestE2EEnvironment: bpftrace's environment settings are honoured.
func TestE2EEnvironment(t *testing.T) {
	gbt, _ := binaries(t)
	run := func(env []string, args ...string) (int, string) {
		cmd := exec.Command(gbt, args...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		}
		return 0, string(out)
	}
	if code, out := run([]string{"BPFTRACE_MAX_STRLEN=0"}, "-d", "-e", "BEGIN { }"); code != 2 || !strings.Contains(out, "at least 1") {
		t.Errorf("MAX_STRLEN 0: exit %d, %q", code, out)
	}
	if code, out := run([]string{"BPFTRACE_MAX_STRLEN=99999"}, "-d", "-e", "BEGIN { $p = 0; $s = str($p); }"); code != 0 || !strings.Contains(out, "string[16384]") {
		t.Errorf("MAX_STRLEN over gbt's limit: exit %d, %q", code, out)
	}
	if code, out := run([]string{"BPFTRACE_MAX_STRLEN=24"}, "-d", "-e", "config = { max_strlen = 8 } BEGIN { $p = 0; $s = str($p); }"); code != 0 || !strings.Contains(out, "string[24]") {
		t.Errorf("MAX_STRLEN over the config block: exit %d, %q", code, out)
	}
	if code, out := run([]string{"GBT_STRLEN=16"}, "-d", "-e", "BEGIN { $p = 0; $s = str($p); }"); code != 0 || !strings.Contains(out, "string[16]") {
		t.Errorf("GBT_STRLEN: exit %d, %q", code, out)
	}
	if code, out := run([]string{"BPFTRACE_MAP_KEYS_MAX=x"}, "-e", "BEGIN { }"); code != 2 {
		t.Errorf("bad MAP_KEYS_MAX: exit %d, %q", code, out)
	}
	t.Run("MAX_PROBES", func(t *testing.T) {
		requireRoot(t) // expands the wildcard from tracefs
		if code, out := run([]string{"BPFTRACE_MAX_PROBES=3"}, "-e", "tracepoint:syscalls:sys_enter_* { }"); code != 1 || !strings.Contains(out, "BPFTRACE_MAX_PROBES=3") {
			t.Errorf("MAX_PROBES: exit %d, %q", code, out)
		}
	})
}

// TestE2EListUSDT: -l lists the USDT probes of a file, of files a glob
// matches, of a wildcard kind ('*:FILE:*'), and with -p those of the
// process's files; -lv lists a uprobe's parameters.
func TestE2EListUSDT(t *testing.T) {
	gbt, _ := binaries(t)
	o2, o0 := usdtWorkloads(t)
	for _, tt := range []struct{ pattern, want string }{
		// Sorted, as the newest bpftrace lists them.
		{"usdt:" + o2, "usdt:" + o2 + ":gbt:args\nusdt:" + o2 + ":gbt:done\nusdt:" + o2 + ":gbt:index\nusdt:" + o2 + ":gbt:sema\nusdt:" + o2 + ":gbt:tick\n"},
		{"usdt:" + o2 + ":t*", "usdt:" + o2 + ":gbt:tick\n"},
		{"usdt:" + o2 + ":gbt:d*", "usdt:" + o2 + ":gbt:done\n"},
		{"usdt:" + o0 + ":gbt:d*", "usdt:" + o0 + ":gbt:done\n"},
		{"usdt:" + filepath.Join(filepath.Dir(o2), "usdtwork-O*") + ":gbt:done", "usdt:" + o0 + ":gbt:done\nusdt:" + o2 + ":gbt:done\n"},
		{"*:" + o2 + ":gbt:index", "usdt:" + o2 + ":gbt:index\n"},
		{"uprobe:" + filepath.Join(filepath.Dir(o2), "usdtwork-O*") + ":many", "uprobe:" + o0 + ":many\nuprobe:" + o2 + ":many\n"},
	} {
		out, err := exec.Command(gbt, "-l", tt.pattern).Output()
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != tt.want {
			t.Errorf("gbt -l %s:\n%s\nwant:\n%s", tt.pattern, out, tt.want)
		}
	}
	// -lv: each uprobe's parameters, as its DWARF declares them.
	for _, tt := range []struct{ pattern, want string }{
		{"uprobe:" + o0 + ":m*", "uprobe:" + o0 + ":main\n    int argc\n    char** argv\n" +
			"uprobe:" + o0 + ":many\n    long int a\n    long int b\n    long int c\n    long int d\n    long int e\n    long int f\n    long int g\n    long int h\n"},
		{"uprobe:" + o0 + ":work", "uprobe:" + o0 + ":work\n    int i\n    long int* total\n"},
		{"uretprobe:" + o0 + ":work", "uretprobe:" + o0 + ":work\n"},
	} {
		out, err := exec.Command(gbt, "-lv", tt.pattern).Output()
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != tt.want {
			t.Errorf("gbt -lv %s:\n%s\nwant:\n%s", tt.pattern, out, tt.want)
		}
	}
	w := exec.Command(o2, "1000", "10000") // runs for 10 s
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Process.Kill(); _ = w.Wait() }()
	real, err := filepath.EvalSymlinks(o2)
	if err != nil {
		t.Fatal(err)
	}
	pid := strconv.Itoa(w.Process.Pid)
	for _, args := range [][]string{{"-l", "usdt:*:gbt:d*", "-p", pid}, {"-l", "-p", pid}, {"-p", pid, "-l", "usdt:*"}} {
		out, err := exec.Command(gbt, args...).Output()
		if want := "usdt:" + real + ":gbt:done\n"; err != nil || !strings.Contains(string(out), want) {
			t.Errorf("gbt %s: %v\n%s\nwant a line %s", strings.Join(args, " "), err, clip(string(out)), want)
		}
	}
}

// TestE2EJSONValues: print() of every kind of printable value gives a
// valid JSON record.
func TestE2EJSONValues(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	prog := `BEGIN {
		print(1); print(-5); print("str"); print(comm); print((1, "two"));
		print(macaddr((uint8 *)curtask)); print(ntop(0x0100007f)); print(ksym(kaddr("vfs_read")));
		print(usym(0)); print(kstack); print(probe); print(username); print(strftime("%H", nsecs));
		print(curtask->pid > 0); print(bswap((uint16)1));
		exit();
	}`
	out, err := exec.Command(gbt, "-q", "-f", "json", "-e", prog).Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var rec struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("not JSON: %q: %v", line, err)
		}
		n++
	}
	if n != 15 { // 15 values; -q drops attached_probes
		t.Errorf("%d records, want 15:\n%s", n, out)
	}
}

// TestE2EWatchpoint: a watchpoint needs a process (-c here), names itself
// in probe, and is refused without one.
func TestE2EWatchpoint(t *testing.T) {
	testenv.RequireHardwareBreakpoints(t)
	gbt, _ := binaries(t)
	_, o0 := usdtWorkloads(t)
	addr := symbolAddr(t, o0, "watched")
	out, err := exec.Command(gbt, "-q", "-c", o0+" 3", "-e", "watchpoint:"+addr+":8:w { @[probe] = count(); }").CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if want := regexp.MustCompile(`(?m)^@\[watchpoint:` + addr + `:8:w\]: \d+$`); !want.Match(out) {
		t.Errorf("output:\n%s", out)
	}
	// unwatch() takes effect when user space reads its event, so the
	// workload pauses 50 ms after each of its 10 writes.
	out, err = exec.Command(gbt, "-q", "-c", o0+" 10 50000", "-e", "watchpoint:"+addr+":8:w { @ = count(); unwatch("+addr+"); }").CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^@: [12]$`).Match(out) {
		t.Errorf("unwatch: want 1 write seen (2 at worst), output:\n%s", out)
	}
	// Without a process the breakpoint is on every CPU, whoever writes
	// (how kernel addresses are watched): the workload starts once gbt
	// says it has attached, and its first write ends gbt.
	g := exec.Command(gbt, "-e", "watchpoint:"+addr+":8:w { @ = count(); exit(); }")
	g.Env = append(os.Environ(), "__BPFTRACE_NOTIFY_PROBES_ATTACHED=1")
	stdout, err := g.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	defer g.Process.Kill()
	lines := bufio.NewScanner(stdout)
	for lines.Scan() && lines.Text() != "__BPFTRACE_NOTIFY_PROBES_ATTACHED" {
	}
	if out, err := exec.Command(o0, "3").CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", o0, err, out)
	}
	var rest strings.Builder
	for lines.Scan() {
		rest.WriteString(lines.Text() + "\n")
	}
	if err := g.Wait(); err != nil || !regexp.MustCompile(`(?m)^@: [123]$`).MatchString(rest.String()) {
		t.Errorf("watchpoint without a process: %v\n%s", err, rest.String())
	}
}

// TestE2EDebugf: debugf() writes through bpf_trace_printk to the kernel's
// trace buffer (gbt has mounted tracefs by the time it has run).
func TestE2EDebugf(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	marker := fmt.Sprintf("gbt-debugf-%d", time.Now().UnixNano())
	prog := `BEGIN { $s = "str"; debugf("` + marker + ` %d %s %u\n", -42, $s, 7); exit(); }`
	res := runTracer(t, traceRun{argv: []string{gbt, "-e", prog}, work: work})
	if res.exitCode != 0 || !strings.Contains(res.stderr, "WARNING: The debugf() builtin is not recommended") {
		t.Fatalf("exit %d: %s", res.exitCode, clip(res.stderr))
	}
	trace, err := os.ReadFile("/sys/kernel/tracing/trace")
	if err != nil {
		t.Fatal(err)
	}
	if want := "bpf_trace_printk: " + marker + " -42 str 7"; !strings.Contains(string(trace), want) {
		t.Errorf("the trace buffer has no %q", want)
	}
}
