package check_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
)

// underBoth checks src as the newest bpftrace (first) and 0.17 type it,
// and calls f with each Info and the type wanted of it.
func underBoth(t *testing.T, src string, newest, old017 types.Type, f func(info *check.Info, v compat.Version, want types.Type)) {
	t.Helper()
	for v, want := range map[compat.Version]types.Type{compat.Newest: newest, compat.V017: old017} {
		info, out := checkSourceWith(src, check.Config{Compat: v})
		if info == nil {
			t.Errorf("%s (%v): %s", src, v, out)
			continue
		}
		f(info, v, want)
	}
}

// TestSignedOps types integer operations as the newest bpftrace does (a
// literal that is not negative takes the other operand's sign, a
// subtraction is signed, else signed when either operand is), and as
// 0.17 does under --compat=0.17 (signed only when both are).
func TestSignedOps(t *testing.T) {
	for _, tt := range []struct {
		expr           string
		newest, old017 types.Type
	}{
		{"pid + 1", types.U64, types.U64},
		{"pid - 1", types.I64, types.U64},
		{"nsecs - nsecs", types.I64, types.U64},
		{"(uint8)5 * -2", types.I64, types.U64},
		{"(uint32)5 / 2", types.U64, types.U64},
		{"(uint64)5 - (uint8)1", types.I64, types.U64},
		{"pid + (int32)1", types.I64, types.U64},
		{"(int32)1 + (int8)2", types.I64, types.I64},
		{"-1 + pid", types.I64, types.U64},
		{"(uint8)1 + 18446744073709551615", types.U64, types.U64},
	} {
		underBoth(t, "BEGIN { $m = "+tt.expr+"; }", tt.newest, tt.old017, func(info *check.Info, v compat.Version, want types.Type) {
			if got := info.Probes[0].Vars["$m"].Type; !got.Equal(want) {
				t.Errorf("%s under %v: %s, want %s", tt.expr, v, got, want)
			}
		})
	}
}

// TestSignedCompound: x op= v, x++ and x-- of an unsigned x are signed
// when x = x op v would be: a decrement or a subtraction always, an
// addition of a literal never (newest; 0.17 keeps x's sign).
func TestSignedCompound(t *testing.T) {
	for _, tt := range []struct {
		stmt           string
		newest, old017 types.Type
	}{
		{"$x--", types.I64, types.U64},
		{"--$x", types.I64, types.U64},
		{"$x++", types.U64, types.U64},
		{"$x -= 1", types.I64, types.U64},
		{"$x += 1", types.U64, types.U64},
		{"$x += -1", types.I64, types.U64},
		{"$x *= (int32)2", types.I64, types.U64},
	} {
		src := "BEGIN { $x = (uint64)5; " + tt.stmt + "; @m = (uint64)5; @m" + tt.stmt[2:] + "; }"
		if strings.HasPrefix(tt.stmt, "--") {
			src = "BEGIN { $x = (uint64)5; --$x; @m = (uint64)5; --@m; }"
		}
		underBoth(t, src, tt.newest, tt.old017, func(info *check.Info, v compat.Version, want types.Type) {
			if got := info.Probes[0].Vars["$x"].Type; !got.Equal(want) {
				t.Errorf("%s under %v: $x is %s, want %s", tt.stmt, v, got, want)
			}
			if got := info.Maps["@m"].Value; !got.Equal(want) {
				t.Errorf("%s under %v: @m holds %s, want %s", tt.stmt, v, got, want)
			}
		})
	}
}
