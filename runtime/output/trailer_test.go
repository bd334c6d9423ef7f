package output

import (
	"bytes"
	"testing"

	"github.com/gbt-dev/gbt/lang/types"
)

// TestStrTrailer: a string that fills its size without a NUL was cut by
// str(), and prints with str_trunc_trailer in printf, print and map keys
// and values, text and JSON; one with a NUL prints as it is.
func TestStrTrailer(t *testing.T) {
	s5 := types.StringOf(5)
	for _, tt := range []struct {
		name, trailer string
		b             []byte
		want          string
	}{
		{"cut", "..", []byte("/bin/"), "/bin/.."},
		{"custom trailer", "_xxx", []byte("/bin/"), "/bin/_xxx"},
		{"no trailer", "", []byte("/bin/"), "/bin/"},
		{"fits", "..", []byte("/bin\x00"), "/bin"},
		{"short", "..", []byte("ab\x00\x00\x00"), "ab"},
	} {
		ts, offs, rec := record([]arg{{s5, tt.b}, {s5, tt.b}})
		p, err := CompilePrintf("[%s] [%-9s]", ts, offs)
		if err != nil {
			t.Fatal(err)
		}
		p.SetStrTrailer(tt.trailer)
		pad := tt.want + "         "[:max(0, 9-len(tt.want))]
		if got, want := string(p.Append(nil, rec)), "["+tt.want+"] ["+pad+"]"; got != want {
			t.Errorf("%s: printf %q, want %q", tt.name, got, want)
		}
		var out bytes.Buffer
		pr := NewPrinter(&out, Text)
		pr.SetStrTrailer(tt.trailer)
		if err := pr.PrintValue(types.TupleOf(types.I64, s5), cat(i64(1), tt.b, make([]byte, 3))); err != nil {
			t.Fatal(err)
		}
		if got, want := out.String(), "(1, "+tt.want+")\n"; got != want {
			t.Errorf("%s: print %q, want %q", tt.name, got, want)
		}
	}
}

// TestStrTrailerNoAlloc: printf of a cut string does not allocate.
func TestStrTrailerNoAlloc(t *testing.T) {
	ts, offs, rec := record([]arg{{types.StringOf(5), []byte("/bin/")}})
	p, err := CompilePrintf("%s\n", ts, offs)
	if err != nil {
		t.Fatal(err)
	}
	p.SetStrTrailer("..")
	buf := make([]byte, 0, 64)
	buf = p.Append(buf, rec)
	if n := testing.AllocsPerRun(100, func() { buf = p.Append(buf[:0], rec) }); n != 0 {
		t.Errorf("Append allocates %v times per record", n)
	}
}
