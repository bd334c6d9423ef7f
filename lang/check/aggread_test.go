package check_test

import "testing"

// TestAggNumber: count(), sum(), min(), max() and avg() maps read as
// numbers in casts, operators, tuples and $variables, as in the newest
// bpftrace: count() as a uint64, the others with the sign of the values
// they aggregate.
func TestAggNumber(t *testing.T) {
	tests := []struct {
		src  string
		vars map[string]string // $var name → type
	}{
		{`BEGIN { @c = count(); $a = (bool)@c; $b = (int8)@c; $n = @c; $m = @c + 1; }`,
			map[string]string{"$a": "bool", "$b": "int8", "$n": "uint64", "$m": "uint64"}},
		{`BEGIN { @s = sum(-1); @u = sum((uint32)1); $s = @s; $u = @u; $cmp = @s > @u; }`,
			map[string]string{"$s": "int64", "$u": "uint64", "$cmp": "bool"}},
		{`BEGIN { @lo[1] = min(2); @hi[1] = max(3); @av = avg(4); $t = (@lo[1], @hi[1], @av); $d = @av / 2; }`,
			map[string]string{"$t": "(int64,int64,int64)", "$d": "int64"}},
	}
	for _, tt := range tests {
		info, out := checkSource(tt.src)
		if info == nil {
			t.Errorf("%s:\n%s", tt.src, out)
			continue
		}
		for name, want := range tt.vars {
			v := info.Probes[0].Vars[name]
			if v == nil {
				t.Errorf("%s: no variable %s", tt.src, name)
				continue
			}
			if got := v.Type.String(); got != want {
				t.Errorf("%s: %s is %s, want %s", tt.src, name, got, want)
			}
		}
	}
}
