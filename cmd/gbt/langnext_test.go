package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestE2ELangNext runs the constructs of the newest bpftrace's language
// (0.20 and later) that bpftrace 0.17 rejects, so the differential test
// cannot compare them: each output is what bpftrace 0.27.1 prints, from
// its documentation and its runtime suite (tests/runtime at v0.26.1).
func TestE2ELangNext(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	tests := []struct {
		name     string
		prog     string
		workload []string
		want     string // exact stdout
		exit     int
	}{
		{
			// tests/runtime/builtin "begin probe"; BEGIN keeps its name.
			name: "begin and end, named as written",
			prog: `begin { printf("%s", probe); } end { printf("-%s\n", probe); } BEGIN { printf("+%s", probe); exit(); }`,
			want: "begin+BEGIN-end\n\n\n",
		},
		{
			// tests/runtime/macro: $var and @map parameters are the
			// caller's, expression parameters are copied where used,
			// block expressions and bare zero-argument macros are values.
			name: "macros and block expressions",
			prog: `macro inc($x) { $x += 1; $x } macro add(@m, k) { @m[k] += 1; } macro twice(x) { x + x } macro one() { 1 }
				begin { $a = 1; $b = inc($a); add(@c, 5); add(@c, 5);
				printf("%d %d %d %d %d\n", $a, $b, twice(inc($a)), { $z = 3; $z * 2 }, one); exit(); }`,
			want: "2 2 7 6 1\n\n\n@c[5]: 2\n",
		},
		{
			// String literals fold as in bpftrace 0.24 and later
			// (outputs from bpftrace 0.27.1, but for "x" && "y", which it
			// makes false: see README, Differences).
			name: "string literal folding",
			prog: `begin /"on"/ { $a = "abcdef" + 2; $b = 1 + "xyz"; $c = ("abcd" + 1) + 1; $s = "ab" + "cd";
				printf("[%s] %d [%s] [%s] [%s] %d\n", $a, sizeof($a), $b, $c, $s, sizeof($s));
				printf("%d %d %d %d %d %d %d\n", "abc" ? 1 : 2, "" ? 1 : 2, "x" && "y", "x" || "", "ab" < "b", "x" && true, true && "");
				if ("") { printf("never\n"); } @m["x" + "y"] = 1; exit(); }`,
			want: "[cdef] 5 [yz] [cd] [abcd] 5\n1 2 1 1 1 1 0\n\n\n@m[xy]: 1\n",
		},
		{
			// An integer variable holds every value assigned to it
			// (bpftrace 0.27.1's output): it widens, where gbt kept the
			// first value's type and truncated.
			name: "integer variables widen",
			prog: `begin { $a = (uint8)255; $a = 300; $b = (uint8)255; $b++; $c = (int16)5; $c = (uint32)70000;
				$d = (uint64)-1; $d = 1; $d = (uint64)-1; $e = (uint8)200; if (1) { $e = 1000; }
				$f = (uint8)0; $f = 18446744073709551615; @g = 18446744073709551615; @g = 1;
				printf("%d %d %d %d %lu %d\n", $a, sizeof($a), $b, $c, $d, $e); print($f); exit(); }`,
			want: "300 2 256 70000 18446744073709551615 1000\n18446744073709551615\n\n\n@g: 1\n",
		},
		{
			// Types in sizeof and string casts, as docs/language.md has
			// them (outputs from bpftrace 0.27.1): arrays of any element,
			// typeof, (string[N]) widening a string.
			name: "sizeof types and string casts",
			prog: `begin { $x = (int16)1; $s = (string[64])"abc"; let $d: string[32]; $d = "de"; @k[(string[8])"x"] = 1; @k["yy"] = 2;
				printf("%d %d %d %d %d %d\n", sizeof(uint32*[10]), sizeof(uint32[4]), sizeof(typeof($x)), sizeof(typeof(uint8)), sizeof(char[3]), sizeof(string[5]));
				printf("[%s] %d [%s] %d\n", $s, sizeof($s), $d, sizeof($d)); exit(); }`,
			want: "80 16 2 1 3 5\n[abc] 64 [de] 32\n\n\n@k[x]: 1\n@k[yy]: 2\n",
		},
		{
			// Integer literals fold exactly and are as wide as their
			// value in array casts (outputs from bpftrace 0.27.1).
			name: "integer literals",
			prog: `begin { print(1 << 63); print(-16 >> 2); print(9223372036854775807 + 1); print(~5);
				print((int8[8])-1); print((int8[])12345); print((int8[4])0x01020304); print(str(-5)); print(str(12345, 2)); }`,
			want: "9223372036854775808\n-4\n9223372036854775808\n18446744073709551610\n[-1,0,0,0,0,0,0,0]\n[57,48]\n[4,3,2,1]\n-5\n12\n\n\n",
		},
		{
			// macaddr() of a 6-byte buf(): its bytes (the newest bpftrace
			// prints the buffer's length first, 06:00:00:00:61:62).
			name: "macaddr of a buffer",
			prog: `begin { print(macaddr(buf("abcdef", 6))); $b = buf("\x01\x02\x03\x04\x05\x06", 6); @m[macaddr($b)] = 1; exit(); }`,
			want: "61:62:63:64:65:66\n\n\n@m[01:02:03:04:05:06]: 1\n",
		},
		{
			// A pointer to an array (C's uint8_t (*p)[4]) reads the
			// array where it points.
			name: "pointer to array",
			prog: `begin { $p = (uint8[4]*)curtask; print(sizeof($p)); print(sizeof(*$p));
				print((*$p)[1] == ((uint8 *)curtask)[1]); $q = (uint8[2]*)curtask; print(*$q == (uint8[2])*(uint16 *)curtask); exit(); }`,
			want: "8\n4\ntrue\ntrue\n\n\n",
		},
		{
			// Integers of different signs join as in the newest bpftrace
			// (outputs from bpftrace 0.27.1): signed comparisons and
			// results, a subtraction signed, a literal taking the other
			// operand's sign ($a > 0x1000 compares unsigned), a map
			// given a signed value holding signed values.
			name: "integers of different signs",
			prog: `begin { $u = (uint8)7; $s = (int8)-1; $a = (uint64)0xffffffff81000000;
				print($u - 10 > 0); print((uint32)5 - 10 < 0); print($u < $s); print($u * $s); print($u > -1);
				print($a > 0x1000); print($a - 1); $v = (uint64)3; $v -= 5; print($v);
				@x = (uint8)5; @x -= 10; @y[1] = (uint16)1; @y[2] = -5; exit(); }`,
			want: "false\ntrue\nfalse\n-7\ntrue\ntrue\n-2130706433\n-2\n\n\n@x: -5\n@y[2]: -5\n@y[1]: 1\n",
		},
		{
			// A tracepoint field declared bool prints true/false
			// (bpftrace 0.17: 1/0): the workload's mmap()s take
			// mmap_lock.
			name:     "tracepoint bool field",
			prog:     `tracepoint:mmap_lock:mmap_lock_acquire_returned /pid == @PID@/ { @s = args.success; @w = sizeof(args.write); @y = args.success ? "y" : "n"; exit(); }`,
			workload: []string{"open", "1", "/dev/null"},
			want:     "\n\n@s: true\n@w: 1\n@y: y\n",
		},
		{
			// A kernel value of BTF type bool too (sched_switch's
			// first argument); sizeof it is 1.
			name: "BTF bool argument",
			prog: `rawtracepoint:sched_switch /!args.preempt/ { @p = args.preempt; @k[args.preempt] = 1; @s = sizeof(args.preempt); exit(); }`,
			want: "\n\n@k[false]: 1\n@p: false\n@s: 1\n",
		},
		{
			// print() of a keyless map with no value prints its zero
			// value (hist nothing); at exit such maps print nothing, a
			// count nobody counted too (a sum prints 0: README).
			name: "empty keyless maps",
			prog: `BEGIN { print(@a); @c = count(); clear(@c); print(@c); @s = stats(1); clear(@s); print(@s); @h = hist(1); clear(@h); print(@h); if (0) { @a = 1; } exit(); }
				interval:s:10 { @n = count(); @t = sum(1); }`,
			want: "@a: 0\n@c: 0\n@s: { .count = 0, .average = 0, .total = 0 }\n\n\n@t: 0\n",
		},
		{
			// tests/runtime/macro "builtin wrapper probe" (and func):
			// two probe values compare, as two ksyms do.
			name: "probe compared with probe()",
			prog: `interval:ms:1 { @p = __builtin_probe == probe(); @q = probe != probe; exit(); }`,
			want: "\n\n@p: true\n@q: false\n",
		},
		{
			name: "interval with a duration",
			prog: `interval:100ms { printf("%s\n", probe); exit(); }`,
			want: "interval:us:100000\n\n\n",
		},
		{
			// tests/runtime/basic "exit code": end still runs, maps print.
			name: "exit with a code",
			prog: `begin { @a = 1; exit(3); printf("not reached\n"); } end { printf("end\n"); }`,
			want: "end\n\n\n@a: 1\n",
			exit: 3,
		},
		{
			name: "delete(@m, key) and its result",
			prog: `begin { @m[1, "a"] = 1; @m[2, "b"] = 2; @n[7] = 7; printf("%d %d ", delete(@m, (1, "a")), delete(@m, (1, "a")));
				$r = delete(@n, 7); delete(@n[8]); printf("%d\n", $r); exit(); }`,
			want: "1 0 1\n\n\n@m[2, b]: 2\n",
		},
		{
			// tests/runtime/for: variables are read and updated in the
			// body, tuple keys come whole, break and continue.
			name: "for over a map",
			prog: `begin { @m[16, 17] = 32; @m[64, 65] = 128; $sum = 0; $s = "x";
				for ($kv : @m) { if ($kv.0.0 == 64) { continue; } printf("%d %d %d %s\n", $kv.0.0, $kv.0.1, $kv.1, $s); $sum += $kv.1; $s = "y"; }
				printf("%d %s\n", $sum, $s); exit(); }`,
			want: "16 17 32 x\n32 y\n\n\n@m[16, 17]: 32\n@m[64, 65]: 128\n",
		},
		{
			name: "for over ranges, nested, with break and return",
			prog: `begin { $n = 0; for ($i : (-2)..3) { for $j : 0..$i { $n++; } if ($i == 2) { break; } }
				printf("%d\n", $n); for ($i : 5..5) { printf("never\n"); } for ($i : 0..10) { if ($i == 1) { return; } } printf("not reached\n"); }
				begin { exit(); }`,
			want: "3\n\n\n",
		},
		{
			name:     "for in a tracepoint reads its args and exits",
			prog:     `tracepoint:syscalls:sys_enter_openat /pid == @PID@/ { for ($i : 0..3) { printf("%d %d %s\n", $i, args->filename != 0, comm); if ($i == 1) { exit(); } } printf("not reached\n"); }`,
			workload: []string{"open", "1", "/dev/null"},
			want:     "0 1 gbtwork\n1 1 gbtwork\n\n\n",
		},
		{
			// tests/runtime/scripts/variable_scope_late_decl.bt
			name: "let declarations",
			prog: `begin { @a[1] = 1; if 1 { $x = 1; print(("a", $x)); } for $kv : @a { $x = 2; print(("b", $x)); }
				let $x; if 0 { $x = 3; } print(("c", $x)); let $y: uint8 = 300; let $z = "s"; printf("%d %s\n", $y, $z); exit(); }`,
			want: "(a, 1)\n(b, 2)\n(c, 0)\n44 s\n\n\n@a[1]: 1\n",
		},
		{
			// tests/runtime/map "map indexed": no exit() needed.
			name: "a script of begin and end only ends after begin",
			prog: `begin { @a[0] = 0; @a[1] = 1; } END { printf("end\n"); }`,
			want: "end\n\n\n@a[0]: 0\n@a[1]: 1\n",
		},
		{
			// tests/runtime/probe software_alias_probe_builtin, software_order.
			name: "software event named as written, count with an exponent",
			prog: `software:cpu:1e6 { @[probe] = 1; exit(); }`,
			want: "\n\n@[software:cpu:1000000]: 1\n",
		},
		{
			// begin runs on one CPU, which holds every count.
			name: "for over count and sum maps",
			prog: `begin { @c[1] = count(); @c[1] = count(); @s[2] = sum(-5); for ($kv : @c) { printf("%d %d\n", $kv.0, $kv.1); }
				for ($kv2 : @s) { printf("%d %d\n", $kv2.0, $kv2.1); } }`,
			want: "1 2\n2 -5\n\n\n@c[1]: 2\n@s[2]: -5\n",
		},
		{
			// tests/runtime/for "map multiple loops": each loop's $kv
			// is its own variable, of its own map's types.
			name: "for loops reusing a name",
			prog: `begin { @a[16] = 32; @b[64] = "aa"; for ($kv : @a) { print($kv); } for ($kv : @b) { print($kv); }
				if (1) { $x = 1; printf("%d\n", $x); } $x = "s"; printf("%s\n", $x); exit(); }`,
			want: "(16, 32)\n(64, aa)\n1\ns\n\n\n@a[16]: 32\n@b[64]: aa\n",
		},
		// Values the newest bpftrace computes otherwise than 0.17, or that
		// 0.17 rejects; most were found by running random BEGIN programs
		// through gbt and the newest bpftrace.
		{
			// str(s, n) of a string keeps n-1 characters, as str(ptr, n)
			// does (gbt kept n and printed the truncation trailer); the
			// newest folds str("literal", n) to n characters.
			name: "str of a string with a length",
			prog: `BEGIN { $s = "hello world"; print(str($s, 2)); printf("%s|\n", str($s, 3)); @x = str($s, 4);
				@y[str($s, 3)] = 1; @y[str("heLLo", 3)] = 2; print((str($s, 3), 5)); print(str("hello", 2)); exit(); }`,
			want: "h\nhe|\n(he, 5)\nhe\n\n\n@x: hel\n@y[he]: 1\n@y[heL]: 2\n",
		},
		{
			// 0.17 printed these averages and totals as signed.
			name: "avg and stats of unsigned values",
			prog: `BEGIN { @a = avg((uint64)-7); @s = stats((uint64)-7); @s = stats((uint64)3); @t = avg(-7); exit(); }`,
			want: "\n\n@a: 18446744073709551609\n@s: { .count = 2, .average = 9223372036854775806, .total = 18446744073709551612 }\n@t: -7\n",
		},
		{
			// The newest's literals take the other branch's type; gbt's
			// literals are int64, and a literal that is not negative does
			// not make the result signed.
			name: "ternary of a literal and an unsigned value",
			prog: `BEGIN { $c = 1; $d = 0; print($d ? (uint16)5 : -2); @a[$c ? (uint16)5 : 2] = 1; @a[~(0x7fffffff)] = 1; exit(); }`,
			want: "-2\n\n\n@a[18446744071562067968]: 1\n@a[5]: 1\n",
		},
		{
			// A ternary of integers is the smallest integer holding both
			// branches (gbt made it 64 bits wide, so its negation was
			// 2^64-7).
			name: "ternary width",
			prog: `BEGIN { $c = 1; print(-($c ? (uint32)7 : 2)); print(-($c ? (uint8)7 : 70000)); print(sizeof($c ? (int16)-1 : (uint8)5));
				print(sizeof($c ? (uint32)7 : (uint16)2)); print(sizeof($c ? (int8)-1 : (uint32)5)); exit(); }`,
			want: "4294967289\n4294967289\n2\n4\n8\n\n\n",
		},
		{
			// An aggregation's key is computed before its value, a plain
			// value before its key (gbt did both the other way round).
			name: "order of key and value",
			prog: `BEGIN { $i = 1; @m[$i++] = sum($i); $j = 1; @n[$j] = sum($j++); @o[$i++] = $i; exit(); }`,
			want: "\n\n@m[1]: 2\n@n[1]: 1\n@o[2]: 2\n",
		},
		{
			// An aggregation of signed and unsigned values is signed: min
			// and max compare signed, and it prints signed.
			name: "aggregations of mixed signs",
			prog: `BEGIN { @a = min((uint64)1); @a = min(-1); @b = max(-1); @b = max((uint64)1); @c = sum((uint64)1); @c = sum(-3); exit(); }`,
			want: "\n\n@a: -1\n@b: 1\n@c: -2\n",
		},
		{
			// strncmp() is unsigned in both bpftraces (the newest's docs
			// say int64).
			name: "strncmp is unsigned",
			prog: `BEGIN { print(-strncmp("a", "b", 1)); print(~strncmp("a", "b", 1)); exit(); }`,
			want: "18446744073709551615\n18446744073709551614\n\n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			argv := []string{gbt, "-e", tt.prog}
			res := runTracer(t, traceRun{argv: argv, workload: tt.workload, work: work, timeout: 30 * time.Second})
			if res.exitCode != tt.exit {
				t.Fatalf("exit code %d, want %d\nstderr:\n%s", res.exitCode, tt.exit, clip(res.stderr))
			}
			if res.stdout != tt.want {
				t.Errorf("stdout (%s):\n%q\nwant:\n%q\nstderr:\n%s", firstDiff(res.stdout, tt.want), clip(res.stdout), clip(tt.want), clip(res.stderr))
			}
			if strings.Contains(res.stderr, "ERROR") {
				t.Errorf("unexpected error output:\n%s", clip(res.stderr))
			}
		})
	}
}

// TestE2EImport runs a script that imports two .bt files and a directory,
// from the script's directory: the probes run in bpftrace 0.27.1's order
// (checked against it: the last file by name first, each file's probes
// in reverse, then the script's), macros, map declarations and C
// definitions come along (0.27.1 does not resolve the header's struct S,
// gbt does), and a missing file is bpftrace's error.
func TestE2EImport(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	dir := t.TempDir()
	files := map[string]string{
		"a.bt":     "begin { printf(\"a1\\n\"); }\nbegin { printf(\"a2\\n\"); }\n",
		"b.bt":     "begin { printf(\"b1\\n\"); }\nbegin { printf(\"b2\\n\"); }\nmacro twice(x) { x * 2 }\n",
		"lib/s.h":  "struct S { int x; long y; };\n",
		"lib/c.bt": "let @counts = lruhash(8);\n",
		"main.bt": "import \"b.bt\";\nimport \"a.bt\";\nimport \"lib\";\n" +
			"begin { @counts[1] = 1; printf(\"m1 %d %d\\n\", twice(3), sizeof(struct S)); }\nbegin { printf(\"m2\\n\"); exit(); }\n",
		"missing.bt": "import \"nope.bt\";\nbegin { exit(); }\n",
	}
	if err := os.Mkdir(filepath.Join(dir, "lib"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// From another directory: paths are the script's directory's.
	cmd := exec.Command(gbt, filepath.Join(dir, "main.bt"))
	cmd.Dir = "/"
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got, want := string(out), "b2\nb1\na2\na1\nm1 6 16\nm2\n\n\n@counts[1]: 1\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	cmd = exec.Command(gbt, filepath.Join(dir, "missing.bt"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil {
		t.Fatal("a missing import: exit 0")
	}
	want := filepath.Join(dir, "missing.bt") + ":1:1-17: ERROR: Unable to find suitable path for import\nimport \"nope.bt\";\n~~~~~~~~~~~~~~~~\nHINT: checked: " + filepath.Join(dir, "nope.bt") + "\n"
	if stderr.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr.String(), want)
	}
}

// TestE2EStackModeBuildID: the stack_mode setting build_id (as bpftrace
// 0.27.1 does) prints ustack, bare or called, as build id and offset per
// frame; a bare kstack falls back to raw with a warning, and kstack(2) is
// an error.
func TestE2EStackModeBuildID(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	prog := `config = { stack_mode = build_id } tracepoint:syscalls:sys_enter_clock_nanosleep /pid == cpid/ { print(ustack(2)); @[ustack] = count(); print(kstack); exit(); }`
	cmd := exec.Command(gbt, "-e", prog, "-c", "/bin/sleep 0.01")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	frame := `[0-9a-f]{40} 0x[0-9a-f]+\n`
	want := regexp.MustCompile(`\A\n` + frame + frame + `\n\n(ffffffff[0-9a-f]{8}\n)+\n\n\n@\[\n(` + frame + `)+\]: 1\n\z`)
	if !want.MatchString(string(out)) {
		t.Errorf("stdout:\n%s\nwant a match of %s", out, want)
	}
	if !strings.Contains(stderr.String(), "WARNING: 'build_id' stack mode can only be used for ustack. Falling back to 'raw' mode.") {
		t.Errorf("stderr lacks the kstack warning:\n%s", stderr.String())
	}
	out, err = exec.Command(gbt, "-e", `config = { stack_mode = build_id } begin { print(kstack(2)); }`).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "stdin:1:50-59: ERROR: 'build_id' stack mode can only be used for ustack") {
		t.Errorf("kstack(2) under build_id: %v\n%s", err, out)
	}
}
