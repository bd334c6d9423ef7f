package runtime_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/runtime"
)

// signedDiv divides a signed variable: it compiles, with a warning.
const signedDiv = `BEGIN { $m = -7; @ = $m / 2; }`

const signedDivWarning = `t.bt:1:25-26: WARNING: signed operands for '/' can lead to undefined behavior (cast to unsigned to silence warning)
BEGIN { $m = -7; @ = $m / 2; }
                        ~
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
		if msg := ce.Error(); !strings.Contains(msg, "WARNING: signed operands for '/'") || !strings.Contains(msg, "ERROR: Unknown function: cuont") {
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
	if want := "the program has 2 probes, more than BPFTRACE_MAX_PROBES=1 allows"; err == nil || err.Error() != want {
		t.Errorf("MaxProbes 1: error %v, want %q", err, want)
	}
}
