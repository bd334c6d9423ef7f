package main

import (
	"strings"
	"testing"
	"time"
)

// TestE2EArrays runs what the newest bpftrace does with C arrays, structs
// and pointers that bpftrace 0.17 rejects (x.f through pointers, array
// casts, arrays as values), so the differential test cannot compare them:
// each output is what bpftrace 0.27.1 prints (tests/runtime at v0.26.1:
// array, complex_types, tuples, btf). The arrays live in the user memory of
// /bin/sleep: clock_nanosleep's struct __kernel_timespec {0, 250000000}.
func TestE2EArrays(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	const sleeper = `tracepoint:syscalls:sys_enter_clock_nanosleep /curtask.real_parent.tgid == @PID@/ `
	sleep := []string{"exec", "1", "/bin/sleep", "0.25"}
	tests := []struct {
		name     string
		prog     string
		workload []string
		want     string // exact stdout
		stderr   string // a line stderr must have
	}{
		{
			// array "array element access - assign to var", btf
			// "tracepoint_pointer_type_resolution": x.f reads through
			// any number of pointers, as x->f does.
			name: "fields through pointers",
			prog: `struct ts { long v[2]; } ` + sleeper + `{ $p = (struct ts *)args.rqtp;
				printf("%d %d %d\n", args.rqtp.tv_nsec, $p.v[1], $p->v[0]); }` + exitWhenDone,
			workload: sleep,
			want:     "250000000 250000000 0\n\n\n",
		},
		{
			// complex_types "pointer_to_pointer": argv[0] read as a struct.
			name: "fields through a pointer to a pointer",
			prog: `struct s { char c[5]; } tracepoint:syscalls:sys_enter_execve /curtask.real_parent.tgid == @PID@/ {
				$pp = (struct s **)args.argv; printf("%s %s\n", $pp.c, (*$pp).c); }` + exitWhenDone,
			workload: sleep,
			// A char array of the script's struct without a NUL prints
			// its bytes alone, its size bounding it (other's "short non
			// null-terminated string print"; 0.27.1 prints "/bin/s..",
			// reading one byte past the array).
			want: "/bin/ /bin/\n\n\n",
		},
		{
			// array "array element access - out of bounds runtime": the
			// element reads 0 (bpftrace reads past the array).
			name: "a variable index outside an array",
			prog: `struct ts { long v[2]; } ` + sleeper + `{ $i = (uint64)2; $p = (struct ts *)args.rqtp; $a = $p.v;
				printf("%d %d %d\n", $p.v[$i - 1], $p.v[$i], $a[$i + 1]); }` + exitWhenDone,
			workload: sleep,
			want:     "250000000 0 0\n\n\n",
			stderr:   "stdin:2:50-60: WARNING: Array access out of bounds. This can lead to unexpected results.\n",
		},
		{
			// array "cast literal to int array", "cast string to int
			// array", "cast int array to int internal".
			name: "casts to and from arrays",
			prog: `begin { printf("%x %x %x\n", ((int8[8])12345)[0], ((int8[])12345)[1], (uint32)pton("127.0.0.1"));
				print((int8[])"hello"); @a = (uint8[2])(uint16)258; @k[(int8[4])"abc"] = 1; @t = (1, (int8[])(int16)-3);
				let $z: uint32[3]; print($z); $t = (1, ("a", $z)); print($t[1 + 0][0]); }`,
			want: "39 30 100007f\n[104,101,108,108,111,0]\n[0,0,0]\na\n\n\n@a: [2,1]\n@k[[97,98,99,0]]: 1\n@t: (1, [-3,-1])\n",
		},
		{
			// btf "vmlinux integer types": typeof, typedef names, &$v.
			name: "typedef names, typeof and the address of a variable",
			prog: `begin { let $a: typeof(size_t) = 1; let $b: typeof(size_t*) = &$a; $c = (uint64_t)(-1); $d = (char)1; $e = (char *)&$d;
				$s = "hi"; $p = &$s; printf("%d %d %d %s %d %d\n", *$b, $c, *$e, str($p), sizeof(uint16_t), offsetof(__kernel_timespec, tv_nsec)); }`,
			want: "1 -1 1 hi 2 8\n\n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			argv := []string{gbt, "-e", tt.prog}
			res := runTracer(t, traceRun{argv: argv, workload: tt.workload, work: work, timeout: 30 * time.Second})
			if res.exitCode != 0 {
				t.Fatalf("exit code %d\nstderr:\n%s", res.exitCode, clip(res.stderr))
			}
			if res.stdout != tt.want {
				t.Errorf("stdout (%s):\n%q\nwant:\n%q\nstderr:\n%s", firstDiff(res.stdout, tt.want), clip(res.stdout), clip(tt.want), clip(res.stderr))
			}
			if !strings.Contains(res.stderr, tt.stderr) {
				t.Errorf("stderr has no line %q:\n%s", tt.stderr, clip(res.stderr))
			}
			if strings.Contains(res.stderr, "ERROR") {
				t.Errorf("unexpected error output:\n%s", clip(res.stderr))
			}
		})
	}
}
