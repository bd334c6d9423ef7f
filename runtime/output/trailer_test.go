package output

import (
	"bytes"
	"testing"

	"github.com/gbt-dev/gbt/lang/types"
)

// TestStrTrailer: a string that fills its size without a NUL was cut by
// str(), and prints with str_trunc_trailer in printf, print and map keys
// and values, text and JSON; one with a NUL prints as it is, and so does
// a char array of a C definition, whose size bounds it.
func TestStrTrailer(t *testing.T) {
	for _, tt := range []struct {
		name, trailer string
		charArray     bool
		b             []byte
		want          string
	}{
		{"cut", "..", false, []byte("/bin/"), "/bin/.."},
		{"custom trailer", "_xxx", false, []byte("/bin/"), "/bin/_xxx"},
		{"no trailer", "", false, []byte("/bin/"), "/bin/"},
		{"fits", "..", false, []byte("/bin\x00"), "/bin"},
		{"short", "..", false, []byte("ab\x00\x00\x00"), "ab"},
		{"char array", "..", true, []byte("hello"), "hello"},
		{"short char array", "..", true, []byte("ab\x00cd"), "ab"},
	} {
		s5 := types.StringOf(5)
		s5.CharArray = tt.charArray
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
