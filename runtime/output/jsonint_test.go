package output

import (
	"testing"

	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
)

func TestQuoteInexact(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"5", "5"},
		{"-5", "-5"},
		{"9007199254740992", "9007199254740992"},
		{"9007199254740993", `"9007199254740993"`},
		{"-9007199254740993", `"-9007199254740993"`},
		{"9223372036854775807", `"9223372036854775807"`},
		{"9223372036854775808", "9223372036854775808"},
		{"-9223372036854775808", "-9223372036854775808"},
		{"18446744073709551615", `"18446744073709551615"`},
		{"18446612687780398144", `"18446612687780398144"`},
		{"18446744073709549568", "18446744073709549568"},
	} {
		got := string(quoteInexact([]byte("x:"+tt.in), 2))
		if got != "x:"+tt.want {
			t.Errorf("%s: got %s, want x:%s", tt.in, got, tt.want)
		}
	}
}

// TestJSONSafeIntegers: map values, stats fields, hist bounds, pointers and
// printed values a float64 cannot hold are JSON strings, as the newest
// bpftrace writes them; 0.17 writes numbers.
func TestJSONSafeIntegers(t *testing.T) {
	var b []byte
	for _, tt := range []struct {
		v    compat.Version
		want string
	}{
		{compat.Newest, `"18446744073709551615"`},
		{compat.V017, `18446744073709551615`},
	} {
		vals := values{compat: tt.v}
		b = vals.appendValue(b[:0], types.U64, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, true)
		if string(b) != tt.want {
			t.Errorf("%v: %s, want %s", tt.v, b, tt.want)
		}
	}
	h := histogram{counts: []uint64{1}, labels: []histLabel{{n: 1 << 60}}}
	if got := string(h.appendJSON(nil, &values{})); got != `[{"max": "1152921504606846975", "count": 1}]` {
		t.Errorf("hist: %s", got)
	}
}
