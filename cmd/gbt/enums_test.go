package main

import (
	"strings"
	"testing"
	"time"
)

// TestE2EEnums runs the enum symbolization of the newest bpftrace, which
// bpftrace 0.17 does not have (it prints the numbers), so the differential
// test cannot compare it: each output is what bpftrace 0.27.1 prints
// (tests/runtime at v0.26.1: call printf_enum_*, other "symbolize enum ...",
// json-output enum_*).
func TestE2EEnums(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	tests := []struct {
		name  string
		flags []string
		prog  string
		want  string // exact stdout
	}{
		{
			name: "printf %s names the variant, %d the number",
			prog: `enum Foo { ONE = 1, TWO = 2, OTHER = 99999 }; begin { $x = 100;
				printf("%d %s %-5s|%5s| %s %s\n", ONE, ONE, TWO, OTHER, (enum Foo)2, (enum Foo)$x); exit() }`,
			want: "1 ONE TWO  |OTHER| TWO 100\n\n\n",
		},
		{
			name: "map keys and values, print, arithmetic",
			prog: `enum { ONE = 1, TWO = 2 }; begin { @k[ONE] = 11; @t[ONE, TWO] = -1; @v = ONE; @tv = (ONE, TWO);
				$s = TWO; print($s); print(($s, 3)); @a[ONE + 1] = TWO - 1; $m = ONE; $m++; print($m); exit() }`,
			want: "TWO\n(TWO, 3)\n2\n\n\n@a[2]: 1\n@k[ONE]: 11\n@t[ONE, TWO]: -1\n@tv: (ONE, TWO)\n@v: ONE\n",
		},
		{
			// btf "enum_value_reference"-like: the kernel's enums, from BTF.
			name: "kernel enum variants",
			prog: `begin { print(BPF_MAP_TYPE_HASH); @[BPF_MAP_TYPE_ARRAY] = 1; $x = TCP_ESTABLISHED;
				printf("%s %d %d\n", $x, $x, sizeof(BPF_MAP_TYPE_HASH)); exit() }`,
			want: "BPF_MAP_TYPE_HASH\nTCP_ESTABLISHED 1 8\n\n\n@[BPF_MAP_TYPE_ARRAY]: 1\n",
		},
		{
			// A BTF member of enum type is a value of the kernel's enum,
			// 4 bytes as the member is (read through NULL: 0).
			name: "kernel enum member",
			prog: `begin { $m = ((struct bpf_map *)0)->map_type; printf("%d %s %d\n", $m, $m, sizeof($m));
				@t = $m; @k[$m] = 1; print($m); exit() }`,
			want: "0 BPF_MAP_TYPE_UNSPEC 4\nBPF_MAP_TYPE_UNSPEC\n\n\n@k[BPF_MAP_TYPE_UNSPEC]: 1\n@t: BPF_MAP_TYPE_UNSPEC\n",
		},
		{
			// 0.17 has no enum symbolization: numbers, as it prints them.
			name:  "kernel enum member, compat 0.17",
			flags: []string{"--compat=0.17"},
			prog:  `BEGIN { $m = ((struct bpf_map *)0)->map_type; printf("%d\n", $m); @t = $m; @k[$m] = 1; print($m); exit() }`,
			want:  "Attaching 1 probe...\n0\n0\n\n\n@k[0]: 1\n@t: 0\n",
		},
		{
			// JSON values keep the number; printf and map keys name it.
			name:  "json",
			flags: []string{"-f", "json"},
			prog:  `enum { FOO = 333 }; begin { $f = FOO; print($f); @k[FOO] = FOO; printf("%s\n", FOO); exit() }`,
			want: `{"type": "attached_probes", "count": 1, "data": {"probes": 1}}` + "\n" + `{"type": "value", "data": 333}` + "\n" +
				`{"type": "printf", "data": "FOO\n"}` + "\n" + `{"type": "map", "data": {"@k": {"FOO": 333}}}` + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			argv := append(append([]string{gbt}, tt.flags...), "-e", tt.prog)
			res := runTracer(t, traceRun{argv: argv, work: work, timeout: 30 * time.Second})
			if res.exitCode != 0 {
				t.Fatalf("exit code %d\nstderr:\n%s", res.exitCode, clip(res.stderr))
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
