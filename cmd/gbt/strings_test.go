package main

import (
	"strings"
	"testing"
	"time"
)

// TestE2EStrings runs str() as the newest bpftrace reads and prints it:
// max_strlen characters with str_trunc_trailer on a cut string, str(p, n)
// reading n bytes with the NUL, and strings too big for the BPF stack in
// scratch memory. Each output is what bpftrace 0.27.1 printed for the same
// script and workload on this machine.
func TestE2EStrings(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	long := strings.Repeat("/", 550) + "dev/null" // opens /dev/null
	tests := []struct {
		name     string
		prog     string
		workload []string
		want     string
	}{
		{
			name: "truncation and the trailer",
			prog: `config = { max_strlen = 5; str_trunc_trailer = "_x" }
				tracepoint:syscalls:sys_enter_openat /pid == @PID@ && str(args.filename, 5) == "/dev"/ { $n = 3;
				printf("%s|%s|%s|%s\n", str(args.filename), str(args.filename, 5), str(args.filename, $n), str(args.filename, 2));
				print((str(args.filename), 1)); @[str(args.filename)] = 1; exit(); }`,
			workload: []string{"open", "1", "/dev/null"},
			want:     "/dev/_x|/dev|/d|/\n(/dev/_x, 1)\n\n\n@[/dev/_x]: 1\n",
		},
		{
			// str(p, n) with n a variable, an expression, 0 and a field
			// (once testdata/diff/tp_str_len.bt: 0.17 reads n characters).
			name: "str with a length known when the probe runs",
			prog: `tracepoint:syscalls:sys_enter_openat /pid == @PID@/ { $n = 3;
				printf("[%s] [%s] [%s] [%s]\n", str(args->filename, $n), str(args->filename, $n + 2), str(args->filename, 0), str(args->filename, args->flags & 7));
				@[str(args->filename, $n)] = count(); }
				tracepoint:syscalls:sys_enter_getpgid /pid == @PID@/ { exit(); }`,
			workload: []string{"open", "2", "/etc/hostname"},
			want:     "[/e] [/etc] [] []\n[/e] [/etc] [] []\n\n\n@[/e]: 2\n",
		},
		{
			name: "strings bigger than the stack",
			prog: `config = { max_strlen = 600 }
				tracepoint:syscalls:sys_enter_openat /pid == @PID@ && strncmp(str(args.filename), "//", 2) == 0/ {
				$s = str(args.filename); printf("%s %d\n", $s, strlen($s)); print((1, (2, $s))); @[$s] = count(); @v = $s; exit(); }`,
			workload: []string{"open", "1", long},
			want:     long + " 558\n(1, (2, " + long + "))\n\n\n@[" + long + "]: 1\n@v: " + long + "\n",
		},
		{
			// bpftrace's str_big_for: $kv holds two strings of 9999
			// bytes; it has its home at the loop, whose callback reaches
			// scratch memory (a nested range loop's too), and print($kv)
			// copies it into the ring buffer.
			name: "for loop over a map of big strings",
			prog: `config = { max_strlen = 9999 }
				tracepoint:syscalls:sys_enter_openat /pid == @PID@ && strncmp(str(args.filename), "//", 2) == 0/ {
				@map[str(args.filename)] = str(args.filename); for ($kv : @map) { for ($i : 0..2) { printf("%d ", $i); print($kv); } } exit(); }`,
			workload: []string{"open", "1", long},
			want:     "0 (" + long + ", " + long + ")\n1 (" + long + ", " + long + ")\n\n\n@map[" + long + "]: " + long + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runTracer(t, traceRun{argv: []string{gbt, "-e", tt.prog}, workload: tt.workload, work: work, timeout: 30 * time.Second})
			if res.exitCode != 0 {
				t.Fatalf("exit code %d\nstderr:\n%s", res.exitCode, clip(res.stderr))
			}
			if res.stdout != tt.want {
				t.Errorf("stdout (%s):\n%q\nwant:\n%q\nstderr:\n%s", firstDiff(res.stdout, tt.want), clip(res.stdout), clip(tt.want), clip(res.stderr))
			}
		})
	}
}
