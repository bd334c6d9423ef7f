package config

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/parse"
)

func TestSet(t *testing.T) {
	tests := []struct {
		name, value string
		isInt       bool
		check       func(s Settings) bool
		err         string // "" for none
	}{
		{"stack_mode", "raw", false, func(s Settings) bool { return s.StackMode == "raw" }, ""},
		{"BPFTRACE_STACK_MODE", "perf", false, func(s Settings) bool { return s.StackMode == "perf" }, ""},
		{"STACK_MODE", "PERF", false, func(s Settings) bool { return s.StackMode == "perf" }, ""},
		{"stack_mode", "foo", false, nil, "stack_mode: Invalid value for stack_mode: valid values are bpftrace, raw, perf, and build_id."},
		{"print_maps_on_exit", "0", true, func(s Settings) bool { return !s.PrintMapsOnExit }, ""},
		{"print_maps_on_exit", "false", false, func(s Settings) bool { return !s.PrintMapsOnExit }, ""},
		{"print_maps_on_exit", "5", true, func(s Settings) bool { return s.PrintMapsOnExit }, ""},
		{"print_maps_on_exit", "maybe", false, nil, "print_maps_on_exit: Invalid bool value: valid values are true, false, 1 or 0."},
		{"max_map_keys", "100", true, func(s Settings) bool { return s.MaxMapKeys == 100 }, ""},
		{"max_map_keys", "hello", false, nil, "max_map_keys: expecting a number, got hello"},
		{"map_keys_max", "7", true, func(s Settings) bool { return s.MaxMapKeys == 7 }, ""},
		{"strlen", "16", true, func(s Settings) bool { return s.MaxStrlen == 16 }, ""},
		{"no_cpp_demangle", "1", true, func(s Settings) bool { return !s.CppDemangle }, ""},
		{"missing_probes", "warn", false, func(s Settings) bool { return s.MissingProbes == "warn" }, ""},
		{"missing_probes", "1", true, nil, "missing_probes: Invalid value for missing_probes: valid values are ignore, warn, and error."},
		{"cache_user_symbols", "PER_PROGRAM", false, func(s Settings) bool { return s.CacheUserSyms == "per_program" }, ""},
		{"license", "Dual BSD/GPL", false, func(s Settings) bool { return s.License == "Dual BSD/GPL" }, ""},
		{"license", "x", false, nil, "Invalid value for license. Found: x."},
		{"unstable_tseries", "enable", false, func(s Settings) bool { return s.Unstable["unstable_tseries"] == "enable" }, ""},
		{"btf", "1", true, nil, "btf: can only be set as an environment variable"},
		{"bad_config", "raw", false, nil, "bad_config: not a known configuration option"},
	}
	for _, tt := range tests {
		s := Default()
		_, err := s.Set(tt.name, tt.value, tt.isInt)
		switch {
		case tt.err != "":
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("Set(%s, %s): error %v, want %q", tt.name, tt.value, err, tt.err)
			}
		case err != nil:
			t.Errorf("Set(%s, %s): %v", tt.name, tt.value, err)
		case !tt.check(s):
			t.Errorf("Set(%s, %s): not set: %+v", tt.name, tt.value, s)
		}
	}
}

func block(t *testing.T, src string) *ast.Config {
	t.Helper()
	prog, diags := parse.Parse("stdin", src)
	if diags.HasErrors() {
		t.Fatalf("%s: %v", src, diags.Err())
	}
	return prog.Config
}

func TestBlockAndEnv(t *testing.T) {
	s := Default()
	diags := s.Block(block(t, `config = { BPFTRACE_STACK_MODE = perf; max_map_keys = 10; strlen = 32; missing_probes = "warn"; unstable_import = enable } begin { }`))
	if len(diags) != 2 || diags[0].Msg != "strlen has been renamed, please use max_strlen" || diags[1].Msg != "unstable_import is deprecated and has no effect" || diags.HasErrors() {
		t.Fatalf("diagnostics %v, want the rename and deprecation warnings", diags)
	}
	if s.StackMode != "perf" || s.MaxMapKeys != 10 || s.MaxStrlen != 32 || s.MissingProbes != "warn" {
		t.Fatalf("block not applied: %+v", s)
	}
	env := map[string]string{"BPFTRACE_STACK_MODE": "raw", "BPFTRACE_CAT_BYTES_MAX": "1k", "GBT_MAX_MAP_KEYS": "20"}
	if err := s.Env(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if s.StackMode != "raw" || s.MaxCatBytes != 1024 || s.MaxMapKeys != 20 {
		t.Fatalf("environment does not take precedence: %+v", s)
	}
	env = map[string]string{"BPFTRACE_MAX_MAP_KEYS": "x"}
	if err := s.Env(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "BPFTRACE_MAX_MAP_KEYS") {
		t.Fatalf("bad variable: error %v", err)
	}

	s = Default()
	diags = s.Block(block(t, `config = { bad_config = raw; max_map_keys = $1 } begin { }`))
	if len(diags) != 2 || !diags.HasErrors() || diags[0].Msg != "bad_config: not a known configuration option" {
		t.Fatalf("diagnostics %v", diags)
	}
}
