package main

import (
	"testing"
)

// TestE2EConfig runs config blocks as bpftrace 0.27.1 does
// (tests/runtime/config at v0.26.1): the block's settings are followed,
// BPFTRACE_* variables override them, and a bad block is an error at its
// item.
func TestE2EConfig(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	tests := []struct {
		name   string
		prog   string
		env    []string
		stdout string // exact
		stderr string // contained
		exit   int
	}{
		{name: "maps are not printed", prog: `config = { print_maps_on_exit=0 } begin { @a["test"] = count(); @b = 1; printf("x\n"); }`, stdout: "x\n\n\n"},
		{name: "the environment takes precedence", prog: `config = { print_maps_on_exit=0 } begin { @b = 1; }`,
			env: []string{"BPFTRACE_PRINT_MAPS_ON_EXIT=1"}, stdout: "\n\n@b: 1\n"},
		{name: "max_map_keys sizes undeclared maps", prog: `config = { max_map_keys = 2 } begin { @a[1] = 1; @a[2] = 2; @a[3] = 3; }`,
			stdout: "\n\n@a[1]: 1\n@a[2]: 2\n", stderr: "WARNING: Map full; can't update element: 1 update of @a failed."},
		{name: "an unknown key", prog: `config = { bad_config=raw } begin {}`, exit: 1,
			stderr: "stdin:1:12-26: ERROR: bad_config: not a known configuration option\nconfig = { bad_config=raw } begin {}\n           ~~~~~~~~~~~~~~\n"},
		{name: "a bad value", prog: `config = { stack_mode=foo } begin {}`, exit: 1,
			stderr: "stdin:1:12-26: ERROR: stack_mode: Invalid value for stack_mode: valid values are bpftrace, raw, perf, and build_id."},
		{name: "a deprecated key", prog: `config = { unstable_map_decl=enable; unstable_macro=1 } begin { printf("ok\n"); exit(); }`, stdout: "ok\n\n\n",
			stderr: "stdin:1:12-36: WARNING: unstable_map_decl is deprecated and has no effect\nconfig = { unstable_map_decl=enable; unstable_macro=1 } begin { printf(\"ok\\n\"); exit(); }\n           ~~~~~~~~~~~~~~~~~~~~~~~~\nstdin:1:38-54: WARNING: unstable_macro is deprecated and has no effect"},
		{name: "a renamed key", prog: `config = { strlen=8 } begin { $p = 0; printf("%s\n", str($p)); }`, stdout: "\n\n\n",
			stderr: "stdin:1:12-20: WARNING: strlen has been renamed, please use max_strlen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkExit(t, gbt, []string{"-e", tt.prog}, tt.env, tt.exit, tt.stdout, tt.stderr)
		})
	}
}
