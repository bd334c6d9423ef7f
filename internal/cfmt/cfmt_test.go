package cfmt

import (
	"fmt"
	"strings"
	"testing"
)

// neg returns the 64-bit two's complement of -n, as bpftrace passes a
// negative int64 to printf.
func neg(n uint64) uint64 { return -n }

// Every expected string was printed by bpftrace 0.17 on this machine
// (printf(format, arg) in a BEGIN probe).
func TestFormat(t *testing.T) {
	tests := []struct {
		format string
		arg    any // uint64, string or []byte (a buffer)
		want   string
	}{
		{"[%d]", neg(1), "[-1]"},
		{"[%u]", neg(1), "[4294967295]"},
		{"[%x]", neg(1), "[ffffffff]"},
		{"[%X]", uint64(255), "[FF]"},
		{"[%o]", uint64(8), "[10]"},
		{"[%c]", uint64(65), "[A]"},
		{"[%c]", uint64(321), "[A]"},
		{"[%d]", uint64(12345678901), "[-539222987]"},
		{"[%u]", uint64(12345678901), "[3755744309]"},
		{"[%x]", uint64(12345678901), "[dfdc1c35]"},
		{"[%ld]", neg(1), "[-1]"},
		{"[%lu]", neg(1), "[18446744073709551615]"},
		{"[%lx]", neg(1), "[ffffffffffffffff]"},
		{"[%lld]", neg(1), "[-1]"},
		{"[%llu]", neg(1), "[18446744073709551615]"},
		{"[%hd]", uint64(65535), "[-1]"},
		{"[%hhd]", uint64(255), "[-1]"},
		{"[%zd]", neg(1), "[-1]"},
		{"[%jd]", neg(1), "[-1]"},
		{"[%hhx]", neg(1), "[ff]"},
		{"[%hu]", neg(1), "[65535]"},
		{"[%hhu]", neg(1), "[255]"},
		{"[%hx]", neg(1), "[ffff]"},
		{"[%ho]", neg(1), "[177777]"},
		{"[%lo]", neg(1), "[1777777777777777777777]"},
		{"[%zu]", neg(1), "[18446744073709551615]"},
		{"[%jx]", neg(1), "[ffffffffffffffff]"},
		{"[%tx]", neg(1), "[ffffffffffffffff]"},
		{"[%ld]", neg(1), "[-1]"},               // (int32)-1, sign-extended
		{"[%lx]", neg(2), "[fffffffffffffffe]"}, // (int16)-2
		{"[%ld]", uint64(1<<32 - 1), "[4294967295]"},
		{"[%p]", uint64(255), "[0xff]"},
		{"[%p]", neg(1), "[0xffffffffffffffff]"},
		{"[%p]", uint64(0), "[(nil)]"},
		{"[%5p]", uint64(1), "[  0x1]"},
		{"[%-20p|]", uint64(2), "[0x2                 |]"},
		{"[%.4p]", uint64(3), "[0x0003]"},
		{"[%020p]", uint64(4), "[0x000000000000000004]"},
		{"[%lp]", neg(1), "[0xffffffffffffffff]"},
		{"[%hhp]", neg(1), "[0xffffffffffffffff]"},
		{"[%-05d]", uint64(7), "[7    ]"},
		{"[%.0d]", uint64(0), "[]"},
		{"[%5.3d]", uint64(5), "[  005]"},
		{"[%05.3d]", uint64(5), "[  005]"},
		{"[%-5.3d|]", uint64(5), "[005  |]"},
		{"[%05d]", neg(7), "[-0007]"},
		{"[%5d]", uint64(7), "[    7]"},
		{"[%.10d]", neg(42), "[-0000000042]"},
		{"[%-8.3x|]", uint64(255), "[0ff     |]"},
		{"[%08.3o]", uint64(8), "[     010]"},
		{"[%08x]", neg(1), "[ffffffff]"},
		{"[%8X]", uint64(3054), "[     BEE]"},
		{"[%5c]", uint64(65), "[    A]"},
		{"[%-3c|]", uint64(66), "[B  |]"},
		{"[%c]", uint64(0), "[]"},
		{"[%3c]", uint64(0), "[  ]"},
		{"[%-3c]", uint64(0), "[]"},
		{"[%s]", "abc", "[abc]"},
		{"[%10s]", "abc", "[       abc]"},
		{"[%-10s]", "abc", "[abc       ]"},
		{"[%.2s]", "abc", "[ab]"},
		{"[%5.1s]", "abc", "[    a]"},
		{"[%5.2s]", "hello", "[   he]"},
		{"[%.5s]", "abcdefgh", "[abcde]"},
		{"[%05s]", "ab", "[   ab]"},
		{"[%s]", "ab\x00cd", "[ab]"},
		{"[%r]", []byte("ab\x01"), `[ab\x01]`},
		{"[%rx]", []byte("ab"), `[\x61\x62]`},
		{"[%rh]", []byte("ab"), "[61 62]"},
		{"[%r]", []byte("\xab\x7f ~\x1f"), `[\xab\x7f ~\x1f]`},
		{"[%rx]", []byte("\xab"), `[\xab]`},
		{"[%rh]", []byte("\xab\x0a"), "[ab 0a]"},
		// C semantics for flags bpftrace 0.17 does not recognise.
		{"[%+d]", uint64(7), "[+7]"},
		{"[% d]", uint64(7), "[ 7]"},
		{"[%#x]", uint64(255), "[0xff]"},
		{"[%#X]", uint64(255), "[0XFF]"},
		{"[%#x]", uint64(0), "[0]"},
		{"[%#o]", uint64(8), "[010]"},
		{"[%#05o]", uint64(8), "[00010]"},
		{"[%i]", neg(3), "[-3]"},
		{"100%% [%d]", uint64(1), "100% [1]"},
	}
	for _, tt := range tests {
		pieces, err := Parse(tt.format)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.format, err)
			continue
		}
		var out []byte
		for _, p := range pieces {
			if p.Verb == nil {
				out = append(out, p.Lit...)
				continue
			}
			switch a := tt.arg.(type) {
			case uint64:
				out = p.Verb.AppendInt(out, a)
			case string:
				out = p.Verb.AppendString(out, []byte(a))
			case []byte:
				out = p.Verb.AppendBuffer(out, a)
			}
		}
		if string(out) != tt.want {
			t.Errorf("%s of %#v = %q, want %q", tt.format, tt.arg, out, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		format string
		want   string // verbs as [flags|width|prec|length|spec|start-end], literals as is
	}{
		{"a %d b %% %-10lu%s\n", "a [|-1|-1||d|2-4] b % [-|10|-1|l|lu|10-16][|-1|-1||s|16-18]\n"},
		{"%05.3hhx", "[0|5|3|hh|hhx|0-8]"},
		{"%.d", "[|-1|0||d|0-3]"},
		{"%r%rx%rh", "[|-1|-1||r|0-2][|-1|-1||rx|2-5][|-1|-1||rh|5-8]"},
		{"%+ #0-20.5llX", "[+ #0-|20|5|ll|llX|0-13]"},
		{"%i", "[|-1|-1||d|0-2]"},
		{"%%", "%"},
		{"", ""},
	}
	for _, tt := range tests {
		pieces, err := Parse(tt.format)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.format, err)
			continue
		}
		var b strings.Builder
		for _, p := range pieces {
			if v := p.Verb; v != nil {
				fmt.Fprintf(&b, "[%s|%d|%d|%s|%s|%d-%d]", v.Flags, v.Width, v.Prec, v.Length, v.Spec(), v.Start, v.End)
			} else {
				b.WriteString(p.Lit)
			}
		}
		if got := b.String(); got != tt.want {
			t.Errorf("Parse(%q) = %q, want %q", tt.format, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		format   string
		off, end int
		msg      string
	}{
		{"ab %q", 3, 5, `unknown format specifier "%q"`},
		{"%", 0, 1, `incomplete format specifier "%" at the end of the format`},
		{"x %l", 2, 4, `incomplete format specifier "%l" at the end of the format`},
		{"%f", 0, 2, `unknown format specifier "%f"`},
		{"%5ls", 0, 4, `invalid format specifier "%5ls": %s takes no length modifier`},
		{"%hc", 0, 3, `invalid format specifier "%hc": %c takes no length modifier`},
		{"%d %99999999999d", 3, 15, `field width too large in "%99999999999"`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.format)
		e, ok := err.(*Error)
		if !ok {
			t.Errorf("Parse(%q) error = %v, want *Error", tt.format, err)
			continue
		}
		if e.Off != tt.off || e.End != tt.end || e.Msg != tt.msg {
			t.Errorf("Parse(%q) = %d-%d %q, want %d-%d %q", tt.format, e.Off, e.End, e.Msg, tt.off, tt.end, tt.msg)
		}
	}
}

func TestArg(t *testing.T) {
	for _, tt := range []struct {
		format string
		want   Arg
	}{{"%d", IntArg}, {"%p", IntArg}, {"%c", IntArg}, {"%s", StringArg}, {"%rh", BufferArg}} {
		p, _ := Parse(tt.format)
		if got := p[0].Verb.Arg(); got != tt.want {
			t.Errorf("%s: Arg() = %v, want %v", tt.format, got, tt.want)
		}
	}
}

func BenchmarkAppend(b *testing.B) {
	pieces, err := Parse("%-10lu %5d %#x %s %r %p")
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 256)
	str := []byte("hello\x00")
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for _, p := range pieces {
			v := p.Verb
			switch {
			case v == nil:
				buf = append(buf, p.Lit...)
			case v.Conv == 's':
				buf = v.AppendString(buf, str)
			case v.Conv == 'r':
				buf = v.AppendBuffer(buf, str)
			default:
				buf = v.AppendInt(buf, 123456789)
			}
		}
	}
}
