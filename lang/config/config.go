// Package config holds bpftrace's configuration variables (max_map_keys,
// stack_mode, print_maps_on_exit, ...): their defaults, the script's
// `config = { ... }` block, and the BPFTRACE_* environment variables, which
// take precedence over the block. Names are accepted as bpftrace accepts
// them: `stack_mode`, `STACK_MODE` or `BPFTRACE_STACK_MODE`; bpftrace 0.17's
// spellings (BPFTRACE_STRLEN, BPFTRACE_MAP_KEYS_MAX, ...) and GBT_* too.
//
// The package reads nothing from the machine: the caller hands it the
// environment as a lookup function.
package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
)

// Settings are the values of the configuration variables.
type Settings struct {
	MaxMapKeys      int    // max_map_keys: entries of an undeclared keyed map
	MaxStrlen       int    // max_strlen: bytes of str() and other strings
	PerfRBPages     int    // perf_rb_pages: ring buffer pages per CPU (0: gbt's default)
	MaxCatBytes     int    // max_cat_bytes: what cat() prints at most
	MaxProbes       int    // max_probes: attach points a script may have
	MaxBPFProgs     int    // max_bpf_progs
	LogSize         int    // log_size: bytes of the verifier log
	OnStackLimit    int    // on_stack_limit
	StackMode       string // stack_mode: bpftrace, perf, raw or build_id
	StrTruncTrailer string // str_trunc_trailer
	PrintMapsOnExit bool   // print_maps_on_exit
	// PrintPercentiles is gbt's print_percentiles (as --percentiles):
	// estimated p50/p90/p99/max with every hist and lhist.
	PrintPercentiles bool
	MissingProbes    string // missing_probes: error, warn or ignore
	License          string // license
	CacheUserSyms    string // cache_user_symbols: per_pid, per_program or none ("" default)
	CppDemangle      bool   // cpp_demangle
	LazySymbolicate  bool   // lazy_symbolication
	UseBlazesym      bool   // use_blazesym
	ShowDebugInfo    bool   // show_debug_info
	// Unstable holds the unstable_* feature flags: enable, warn or error.
	Unstable map[string]string
}

// Defaults of the settings gbt has its own reasons for.
const (
	DefaultStrlen     = 64 // bpftrace 0.17's; the newest's is 1024
	DefaultMaxMapKeys = 4096
	DefaultMaxProbes  = 1024 // the newest bpftrace's (0.17: 512)
	DefaultCatBytes   = 10240
)

// Default returns the settings before any config block or variable.
func Default() Settings {
	return Settings{
		MaxMapKeys: DefaultMaxMapKeys, MaxStrlen: DefaultStrlen, MaxCatBytes: DefaultCatBytes,
		MaxProbes: DefaultMaxProbes, MaxBPFProgs: 1024, LogSize: 1000000, OnStackLimit: 32,
		StackMode: "bpftrace", StrTruncTrailer: "..", PrintMapsOnExit: true, MissingProbes: "error",
		License: "GPL", CppDemangle: true,
		Unstable: map[string]string{"unstable_import_statement": "error", "unstable_tseries": "warn", "unstable_typeinfo": "error", "unstable_dw_ustack": "warn"},
	}
}

// kind is how a variable's value is written.
type kind uint8

const (
	kUint kind = iota
	kBool
	kString
	kEnum
)

// variable is one configuration variable.
type variable struct {
	kind   kind
	values []string // kEnum: the accepted values, lower case
	set    func(s *Settings, v string)
	// msg is the error for a value that is not one of values (kEnum).
	msg string
}

func uintVar(f func(s *Settings) *int) variable {
	return variable{kind: kUint, set: func(s *Settings, v string) { n, _ := strconv.Atoi(v); *f(s) = n }}
}

func boolVar(f func(s *Settings) *bool) variable {
	return variable{kind: kBool, set: func(s *Settings, v string) { *f(s) = v == "1" }}
}

func stringVar(f func(s *Settings) *string) variable {
	return variable{kind: kString, set: func(s *Settings, v string) { *f(s) = v }}
}

func enumVar(msg string, f func(s *Settings) *string, values ...string) variable {
	return variable{kind: kEnum, values: values, msg: msg, set: func(s *Settings, v string) { *f(s) = v }}
}

// unstableVar is an unstable_* feature flag (set by setUnstable).
func unstableVar() variable {
	return variable{kind: kEnum, values: []string{"enable", "warn", "error"},
		msg: "Invalid value for unstable config: valid values are enable, warn, and error."}
}

// variables are bpftrace's configuration variables (0.26), by name, and
// gbt's print_percentiles.
var variables = map[string]variable{
	"cache_user_symbols": enumVar("Invalid value for cache_user_symbols: valid values are PER_PID, PER_PROGRAM, and NONE.",
		func(s *Settings) *string { return &s.CacheUserSyms }, "per_pid", "per_program", "none"),
	"cpp_demangle":       boolVar(func(s *Settings) *bool { return &s.CppDemangle }),
	"lazy_symbolication": boolVar(func(s *Settings) *bool { return &s.LazySymbolicate }),
	"license":            {kind: kString, set: func(s *Settings, v string) { s.License = v }, values: licenses},
	"log_size":           uintVar(func(s *Settings) *int { return &s.LogSize }),
	"max_bpf_progs":      uintVar(func(s *Settings) *int { return &s.MaxBPFProgs }),
	"max_cat_bytes":      uintVar(func(s *Settings) *int { return &s.MaxCatBytes }),
	"max_map_keys":       uintVar(func(s *Settings) *int { return &s.MaxMapKeys }),
	"max_probes":         uintVar(func(s *Settings) *int { return &s.MaxProbes }),
	"max_strlen":         uintVar(func(s *Settings) *int { return &s.MaxStrlen }),
	"on_stack_limit":     uintVar(func(s *Settings) *int { return &s.OnStackLimit }),
	"perf_rb_pages":      uintVar(func(s *Settings) *int { return &s.PerfRBPages }),
	"stack_mode": enumVar("Invalid value for stack_mode: valid values are bpftrace, raw, perf, and build_id.",
		func(s *Settings) *string { return &s.StackMode }, "bpftrace", "perf", "raw", "build_id"),
	"str_trunc_trailer": stringVar(func(s *Settings) *string { return &s.StrTruncTrailer }),
	"missing_probes": enumVar("Invalid value for missing_probes: valid values are ignore, warn, and error.",
		func(s *Settings) *string { return &s.MissingProbes }, "ignore", "warn", "error"),
	"print_maps_on_exit": boolVar(func(s *Settings) *bool { return &s.PrintMapsOnExit }),
	"print_percentiles":  boolVar(func(s *Settings) *bool { return &s.PrintPercentiles }), // gbt's
	"use_blazesym":       boolVar(func(s *Settings) *bool { return &s.UseBlazesym }),
	"show_debug_info":    boolVar(func(s *Settings) *bool { return &s.ShowDebugInfo }),
	// unstable_import_statement guards import statements in probe
	// bodies, which import C (objects, headers, sources): gbt refuses
	// those imports, so it has no effect.
	"unstable_import_statement": unstableVar(),
	"unstable_tseries":          unstableVar(),
	"unstable_typeinfo":         unstableVar(),
	"unstable_dw_ustack":        unstableVar(),
}

// deprecated are variables the newest bpftrace takes with a warning and
// ignores: features made stable (unstable_import, unstable_macro,
// unstable_map_decl, unstable_addr) or gone.
var deprecated = map[string]bool{
	"symbol_source": true, "max_type_res_iterations": true, "unstable_addr": true,
	"unstable_import": true, "unstable_macro": true, "unstable_map_decl": true,
}

// licenses are the BPF licenses bpftrace accepts, in the order its error
// lists them.
var licenses = []string{"Dual MIT/GPL", "Dual BSD/GPL", "Dual MPL/GPL", "GPL and additional rights", "GPL v2", "GPL"}

// renamed are older names bpftrace still takes, with a warning.
var renamed = map[string]string{
	"strlen":          "max_strlen",
	"no_cpp_demangle": "cpp_demangle",
	"cat_bytes_max":   "max_cat_bytes",
	"map_keys_max":    "max_map_keys",
}

// envOnly are settings bpftrace reads only from the environment.
var envOnly = map[string]bool{"btf": true, "kernel_build": true, "kernel_source": true, "vmlinux": true}

// canonical turns a written name into a variable's name: lower case,
// without the BPFTRACE_ prefix.
func canonical(name string) string {
	return strings.TrimPrefix(strings.ToLower(name), "bpftrace_")
}

// Set sets a variable from its written name and value (a number, a word or
// a string). A renamed variable is set under its new name, which is
// returned; errors are in bpftrace's words.
func (s *Settings) Set(name, value string, isInt bool) (newName string, err error) {
	key := canonical(name)
	v, ok := variables[key]
	if !ok {
		if to, ok := renamed[key]; ok {
			if key == "no_cpp_demangle" {
				value, isInt = invertBool(value), true
			}
			if _, err := s.Set(to, value, isInt); err != nil {
				return "", err
			}
			return to, nil
		}
		if envOnly[key] {
			return "", fmt.Errorf("%s: can only be set as an environment variable", name)
		}
		return "", fmt.Errorf("%s: not a known configuration option", name)
	}
	if strings.HasPrefix(key, "unstable_") {
		return key, s.setUnstable(key, value, isInt)
	}
	switch v.kind {
	case kUint:
		n, err := strconv.ParseUint(strings.ReplaceAll(value, "_", ""), 0, 64)
		if err != nil || n > 1<<31-1 {
			return "", fmt.Errorf("%s: expecting a number, got %s", name, value)
		}
		value = strconv.FormatUint(n, 10)
	case kBool:
		switch strings.ToLower(value) {
		case "1", "true", "on", "yes":
			value = "1"
		case "0", "false", "off", "no":
			value = "0"
		default:
			if !isInt {
				return "", valueError(name + ": Invalid bool value: valid values are true, false, 1 or 0.")
			}
			value = "1" // any other number is true
		}
	case kString:
		if v.values != nil && (isInt || !contains(v.values, value)) {
			return "", valueError(fmt.Sprintf("Invalid value for license. Found: %s. Valid values: %s. "+
				"Read more about BPF programs and licensing: https://docs.kernel.org/bpf/bpf_licensing.html#using-bpf-programs-in-the-linux-kernel",
				value, strings.Join(v.values, ", ")))
		}
	case kEnum:
		low := strings.ToLower(value)
		if key == "cache_user_symbols" && (low == "0" || low == "1") {
			if low == "1" {
				return key, nil // the default
			}
			low = "none"
		}
		if isInt || !contains(v.values, low) {
			return "", fmt.Errorf("%s: %s", name, v.msg)
		}
		value = low
	}
	v.set(s, value)
	return key, nil
}

// valueError is a bad value, in bpftrace's words (which are sentences).
type valueError string

func (e valueError) Error() string { return string(e) }

func (s *Settings) setUnstable(key, value string, isInt bool) error {
	low := strings.ToLower(value)
	switch {
	case low == "enable" || low == "true" || low == "on" || low == "yes" || (isInt && low != "0") || low == "1":
		low = "enable"
	case low == "error" || low == "false" || low == "off" || low == "no" || low == "0":
		low = "error"
	case low == "warn":
	default:
		return fmt.Errorf("%s: %s", key, variables[key].msg)
	}
	s.Unstable[key] = low
	return nil
}

func invertBool(v string) string {
	switch strings.ToLower(v) {
	case "0", "false", "off", "no":
		return "1"
	}
	return "0"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Block applies a script's config block: each item's value is a number,
// a word (`stack_mode = raw`) or a string. Errors and the warnings of
// renamed and deprecated variables are positioned at their items.
func (s *Settings) Block(cfg *ast.Config) diag.List {
	var diags diag.List
	if cfg == nil {
		return nil
	}
	for _, it := range cfg.Items {
		value, isInt, ok := literal(it.Value)
		if !ok {
			diags.Errorf(it.Span, "%s: the value must be a number, a word or a string literal", it.Key)
			continue
		}
		if deprecated[canonical(it.Key)] {
			diags.Warnf(it.Span, "%s is deprecated and has no effect", it.Key)
			continue
		}
		to, err := s.Set(it.Key, value, isInt)
		if err != nil {
			diags.Errorf(it.Span, "%s", err)
			continue
		}
		if _, old := renamed[canonical(it.Key)]; old {
			diags.Warnf(it.Span, "%s has been renamed, please use %s", it.Key, to)
		}
	}
	return diags
}

// literal returns the text of a config value.
func literal(e ast.Expr) (value string, isInt, ok bool) {
	switch e := e.(type) {
	case *ast.IntLit:
		return strconv.FormatUint(e.Value, 10), true, true
	case *ast.BoolLit:
		if e.Value {
			return "1", true, true
		}
		return "0", true, true
	case *ast.StrLit:
		return e.Value, false, true
	case *ast.Ident:
		return e.Name, false, true
	}
	return "", false, false
}

// oldEnv are bpftrace 0.17's environment variables that the newest
// bpftrace renamed, with the variable each sets.
var oldEnv = map[string]string{
	"STRLEN":          "max_strlen",
	"MAP_KEYS_MAX":    "max_map_keys",
	"CAT_BYTES_MAX":   "max_cat_bytes",
	"NO_CPP_DEMANGLE": "no_cpp_demangle",
}

// Env applies the environment (BPFTRACE_<NAME>, bpftrace 0.17's names, and
// GBT_<NAME>), which takes precedence over the config block. Sizes may
// carry a k or m suffix ("10k"), as gbt always took them.
func (s *Settings) Env(getenv func(string) string) error {
	names := make([]string, 0, len(variables)+len(oldEnv))
	for k := range variables {
		names = append(names, strings.ToUpper(k))
	}
	for k := range oldEnv {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, prefix := range []string{"GBT_", "BPFTRACE_"} { // BPFTRACE_ wins
		for _, n := range names {
			env := prefix + n
			v := getenv(env)
			if v == "" {
				continue
			}
			key := canonical(n)
			if to, ok := oldEnv[n]; ok {
				key = to
			}
			if vr, ok := variables[key]; ok && vr.kind == kUint {
				v = withSuffix(v)
			}
			if _, err := s.Set(key, v, false); err != nil {
				return fmt.Errorf("%s=%q: %w", env, getenv(env), err)
			}
		}
	}
	return nil
}

// withSuffix expands a k or m size suffix.
func withSuffix(v string) string {
	v = strings.TrimSpace(v)
	mult := uint64(1)
	switch {
	case strings.HasSuffix(v, "k") || strings.HasSuffix(v, "K"):
		mult, v = 1024, v[:len(v)-1]
	case strings.HasSuffix(v, "m") || strings.HasSuffix(v, "M"):
		mult, v = 1024*1024, v[:len(v)-1]
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return v
	}
	return strconv.FormatUint(n*mult, 10)
}
