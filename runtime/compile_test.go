package runtime_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/runtime"
)

// signedDiv divides a signed variable: it compiles, with a warning.
const signedDiv = `BEGIN { $m = -7; @ = $m / 2; }`

const signedDivWarning = `t.bt:1:22-28: WARNING: signed operands for '/' can lead to undefined behavior (cast to unsigned to silence warning)
BEGIN { $m = -7; @ = $m / 2; }
                     ~~~~~~
HINT: BPF divides unsigned: -7 / 2 is 9223372036854775804; cast a value known to be positive, e.g. (uint64)$x / 2
`

// TestCompileWarnings: the API returns the warnings gbt prints, rendered
// the same way, and drops them with NoWarnings.
func TestCompileWarnings(t *testing.T) {
	obj, warns, err := runtime.Compile("t.bt", signedDiv, runtime.CompileOptions{Env: probetest.New()})
	if err != nil || obj == nil {
		t.Fatalf("Compile: %v", err)
	}
	if len(warns.List) != 1 || warns.String() != signedDivWarning {
		t.Errorf("warnings (%d):\n%s\nwant:\n%s", len(warns.List), warns, signedDivWarning)
	}
	_, warns, err = runtime.Compile("t.bt", signedDiv, runtime.CompileOptions{Env: probetest.New(), NoWarnings: true})
	if err != nil || len(warns.List) != 0 {
		t.Errorf("NoWarnings: error %v, warnings %q", err, warns)
	}
}

// TestCompileErrorKeepsWarnings: when checking fails, the CompileError
// holds the check's warnings beside its errors (as gbt prints them, even
// with --no-warnings) and the returned warnings do not repeat them.
func TestCompileErrorKeepsWarnings(t *testing.T) {
	src := `BEGIN { $m = -7; @ = $m / 2; @x = cuont(); }`
	for _, noWarn := range []bool{false, true} {
		_, warns, err := runtime.Compile("t.bt", src, runtime.CompileOptions{Env: probetest.New(), NoWarnings: noWarn})
		var ce *runtime.CompileError
		if !errors.As(err, &ce) {
			t.Fatalf("error %v (%T), want a *CompileError", err, err)
		}
		if msg := ce.Error(); !strings.Contains(msg, "WARNING: signed operands for '/'") || !strings.Contains(msg, "ERROR: Unknown function: 'cuont'") {
			t.Errorf("NoWarnings=%v: error:\n%s\nwant the warning and the error", noWarn, msg)
		}
		if len(warns.List) != 0 {
			t.Errorf("NoWarnings=%v: warnings repeated outside the error:\n%s", noWarn, warns)
		}
	}
}

// TestCompileMaxProbes: a script with more attach points than MaxProbes
// allows does not compile.
func TestCompileMaxProbes(t *testing.T) {
	src := `BEGIN { @a = 1; } END { @b = 1; }`
	if _, _, err := runtime.Compile("t.bt", src, runtime.CompileOptions{Env: probetest.New(), MaxProbes: 2}); err != nil {
		t.Fatalf("two probes, MaxProbes 2: %v", err)
	}
	_, _, err := runtime.Compile("t.bt", src, runtime.CompileOptions{Env: probetest.New(), MaxProbes: 1})
	if want := "the program has 2 probes, more than BPFTRACE_MAX_PROBES=1 allows (bpftrace counts its BPF programs against BPFTRACE_MAX_BPF_PROGS)"; err == nil || err.Error() != want {
		t.Errorf("MaxProbes 1: error %v, want %q", err, want)
	}
}

// TestCompileMapsPerProgram: a probe that uses more maps than the kernel
// lets one program use is refused when it compiles, at the statement that
// goes past the limit, before any map is made; the limit is per probe.
func TestCompileMapsPerProgram(t *testing.T) {
	assigns := func(from, to int) string {
		var sb strings.Builder
		for i := from; i < to; i++ {
			fmt.Fprintf(&sb, "@m%d = 1; ", i)
		}
		return sb.String()
	}
	split := "BEGIN { " + assigns(0, 50) + "} END { " + assigns(50, 100) + "}"
	if _, _, err := runtime.Compile("t.bt", split, runtime.CompileOptions{Env: probetest.New()}); err != nil {
		t.Errorf("100 maps in two probes: %v", err)
	}
	_, _, err := runtime.Compile("t.bt", "BEGIN { "+assigns(0, 100)+"}", runtime.CompileOptions{Env: probetest.New()})
	var ce *runtime.CompileError
	if !errors.As(err, &ce) {
		t.Fatalf("100 maps in one probe: error %v (%T), want a *CompileError", err, err)
	}
	msg := ce.Error()
	if !strings.HasPrefix(msg, "t.bt:1:") || !strings.Contains(msg, "ERROR: The total number of maps per program has reached the limit of 64") ||
		!strings.Contains(msg, "HINT: keep related values in one map") {
		t.Errorf("100 maps in one probe:\n%s", msg)
	}
}

// TestCompilePathological: the scripts of the reliability issue compile or
// are refused with a positioned error, without a stack of one frame per
// term (BenchmarkCompileSize measures how long they take).
func TestCompilePathological(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles 100 000 terms")
	}
	terms := "BEGIN { $x = 1; @x = " + strings.Repeat("$x+", 99999) + "$x; }"
	if _, _, err := runtime.Compile("t.bt", terms, runtime.CompileOptions{Env: probetest.New()}); err != nil {
		t.Errorf("100 000 terms: %v", err)
	}
	var sb strings.Builder
	sb.WriteString("BEGIN { ")
	for i := range 5000 {
		fmt.Fprintf(&sb, "@m%d = 1; ", i)
	}
	sb.WriteString("}")
	_, _, err := runtime.Compile("t.bt", sb.String(), runtime.CompileOptions{Env: probetest.New()})
	if err == nil || !strings.Contains(err.Error(), "limit of 64") {
		t.Errorf("5000 maps: error %v, want the limit of 64 maps per program", err)
	}
}

// TestCompileMaxBPFProgs: a script that makes more BPF programs than
// max_bpf_progs allows is refused before any is loaded, at the probe past
// the limit, in bpftrace's words.
func TestCompileMaxBPFProgs(t *testing.T) {
	src := "BEGIN { exit(); } interval:s:1 { } END { }"
	getenv := func(v string) string {
		if v == "BPFTRACE_MAX_BPF_PROGS" {
			return "2"
		}
		return ""
	}
	_, _, err := runtime.Compile("t.bt", src, runtime.CompileOptions{Env: probetest.New(), Getenv: getenv})
	want := `t.bt:1:36-39: ERROR: Your program is trying to generate more than 3 BPF programs, which exceeds the current limit of 2
BEGIN { exit(); } interval:s:1 { } END { }
                                   ~~~
HINT: You can increase the limit through the BPFTRACE_MAX_BPF_PROGS environment variable.
`
	if err == nil || strings.TrimSuffix(err.Error(), "\n") != strings.TrimSuffix(want, "\n") {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
	if _, _, err := runtime.Compile("t.bt", src, runtime.CompileOptions{Env: probetest.New()}); err != nil {
		t.Errorf("default limit: %v", err)
	}
}
