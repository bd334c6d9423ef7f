// Package cfmt parses and applies C printf formats the way bpftrace's
// printf() uses them.
//
// A verb is '%', flags ("-+ #0"), a width, a precision, a length modifier
// (hh h l ll z j t) and a conversion:
//
//	d i u x X o p   integers (any length modifier)
//	c s             a character, a string (no length modifier)
//	r rx rh         a buffer from buf(): printable ASCII and \xNN escapes,
//	                all \xNN escapes, or hex pairs separated by spaces
//
// Integers are formatted as glibc's printf formats the 64-bit value bpftrace
// passes it: %d, %u, %x, %X, %o and %c read the low 32 bits (so %d of 2^32+1
// prints 1 and %x of -1 prints ffffffff), hh/h narrow further, l/ll/z/j/t and
// %p use all 64 bits, %p of 0 prints "(nil)".
//
// Two quirks of bpftrace 0.17 are deliberately not reproduced: it leaves
// "%%" after the last verb undecoded ("100%%" prints as "100%%") and counts
// "%%d" as a verb. Here "%%" is always a literal '%', as in C.
//
// Formatting appends to a byte slice and does not allocate beyond growing it.
package cfmt

import (
	"fmt"
	"strings"
)

// Verb is one conversion specification such as "%-10lu".
type Verb struct {
	Flags  string // any of "-+ #0", in the order written
	Width  int    // -1 if none
	Prec   int    // -1 if none
	Length string // "", "hh", "h", "l", "ll", "z", "j", "t"
	Conv   byte   // 'd', 'u', 'x', 'X', 'o', 'c', 's', 'p', 'r' or 'g' (%i is stored as 'd')
	Buf    byte   // for Conv 'r': 0 for %r, 'x' for %rx, 'h' for %rh; 'r' for %gr
	Start  int    // byte offset of '%' in the format
	End    int    // byte offset after the conversion
}

// Piece is literal text (Verb == nil) or a verb.
type Piece struct {
	Lit  string
	Verb *Verb
}

// Arg is the kind of argument a verb takes.
type Arg uint8

// Argument kinds, named as bpftrace's messages name them.
const (
	IntArg Arg = iota
	StringArg
	BufferArg
)

func (a Arg) String() string {
	switch a {
	case StringArg:
		return "string"
	case BufferArg:
		return "buffer"
	}
	return "integer"
}

// Arg returns the kind of argument the verb takes.
func (v *Verb) Arg() Arg {
	switch v.Conv {
	case 's':
		return StringArg
	case 'r':
		return BufferArg
	}
	return IntArg
}

// IsString reports whether the verb takes a string or buffer argument.
func (v *Verb) IsString() bool { return v.Arg() != IntArg }

// Spec returns the verb's length modifier and conversion as bpftrace's
// messages show them ("lu" for "%-10lu", "rx" for "%rx").
func (v *Verb) Spec() string {
	c := string(v.Conv)
	if (v.Conv == 'r' || v.Conv == 'g') && v.Buf != 0 {
		c += string(v.Buf)
	}
	return v.Length + c
}

// Bits returns the width in bits of the value C's printf formats: %d, %u,
// %x, %o and %c read an int, hh and h narrow it, l, ll, z, j and t (and %p)
// read 64 bits.
func (v *Verb) Bits() int {
	if v.Conv == 'p' || v.Conv == 'g' {
		return 64
	}
	switch v.Length {
	case "hh":
		return 8
	case "h":
		return 16
	case "l", "ll", "z", "j", "t":
		return 64
	}
	if v.Conv == 'c' {
		return 8
	}
	return 32
}

// Error is a format error at a byte offset of the format.
type Error struct {
	Off int // byte offset of the offending '%'
	End int // byte offset after the offending text
	Msg string
}

func (e *Error) Error() string { return e.Msg }

// Parse splits a format into literal pieces and verbs. "%%" is a literal
// '%'; adjacent literal text is merged into one piece.
func Parse(format string) ([]Piece, error) {
	if format == "" {
		return nil, nil
	}
	// Every verb starts with a '%': size the slices once.
	n := strings.Count(format, "%")
	verbs := make([]Verb, 0, n)
	pieces := make([]Piece, 0, 2*n+1)
	lit := 0 // start of the literal text before the next verb
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			i++
			continue
		}
		verbs = append(verbs, Verb{})
		v := &verbs[len(verbs)-1]
		if err := parseVerb(v, format, i); err != nil {
			return nil, err
		}
		pieces = appendLit(pieces, format[lit:i])
		pieces = append(pieces, Piece{Verb: v})
		i = v.End - 1
		lit = v.End
	}
	return appendLit(pieces, format[lit:]), nil
}

// appendLit appends the literal text s, with "%%" meaning '%', to pieces.
func appendLit(pieces []Piece, s string) []Piece {
	if s == "" {
		return pieces
	}
	return append(pieces, Piece{Lit: strings.ReplaceAll(s, "%%", "%")})
}

// parseVerb parses into v the verb whose '%' is at format[start].
func parseVerb(v *Verb, format string, start int) error {
	*v = Verb{Width: -1, Prec: -1, Start: start}
	j := start + 1
	for j < len(format) && isFlag(format[j]) {
		j++
	}
	v.Flags = format[start+1 : j]
	var ok bool
	if v.Width, j, ok = number(format, j); !ok {
		return &Error{Off: start, End: j, Msg: fmt.Sprintf("field width too large in %q", format[start:j])}
	}
	if j < len(format) && format[j] == '.' {
		if v.Prec, j, ok = number(format, j+1); !ok {
			return &Error{Off: start, End: j, Msg: fmt.Sprintf("precision too large in %q", format[start:j])}
		}
		if v.Prec < 0 {
			v.Prec = 0 // "%.d" means precision 0, as in C
		}
	}
	for _, l := range [...]string{"hh", "h", "ll", "l", "z", "j", "t"} {
		if len(format)-j >= len(l) && format[j:j+len(l)] == l {
			v.Length = l
			j += len(l)
			break
		}
	}
	if j >= len(format) {
		return &Error{Off: start, End: j, Msg: fmt.Sprintf("incomplete format specifier %q at the end of the format", format[start:])}
	}
	v.Conv = format[j]
	j++
	switch v.Conv {
	case 'd', 'u', 'x', 'X', 'o', 'p':
	case 'i':
		v.Conv = 'd'
	case 'c', 's', 'r':
		if v.Length != "" {
			return &Error{Off: start, End: j, Msg: fmt.Sprintf("invalid format specifier %q: %%%c takes no length modifier", format[start:j], v.Conv)}
		}
		if v.Conv == 'r' && j < len(format) && (format[j] == 'x' || format[j] == 'h') {
			v.Buf = format[j]
			j++
		}
	case 'g':
		// %gr: GFP flags by name (the newest bpftrace's)
		if j >= len(format) || format[j] != 'r' {
			return &Error{Off: start, End: j, Msg: fmt.Sprintf("unknown format specifier %q", format[start:j])}
		}
		v.Buf = 'r'
		j++
	default:
		return &Error{Off: start, End: j, Msg: fmt.Sprintf("unknown format specifier %q", format[start:j])}
	}
	v.End = j
	return nil
}

func isFlag(c byte) bool { return c == '-' || c == '+' || c == ' ' || c == '#' || c == '0' }

// number reads decimal digits at s[i:]; it returns -1 when there are none
// and ok=false when the number does not fit a field width.
func number(s string, i int) (n, end int, ok bool) {
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		if n <= 1<<20 {
			n = n*10 + int(s[j]-'0')
		}
		j++
	}
	if j == i {
		return -1, i, true
	}
	return n, j, n <= 1<<20
}

func (v *Verb) has(flag byte) bool {
	for i := 0; i < len(v.Flags); i++ {
		if v.Flags[i] == flag {
			return true
		}
	}
	return false
}

const hexLower = "0123456789abcdef"
const hexUpper = "0123456789ABCDEF"

// AppendInt formats an integer argument. x is the argument as the 64-bit
// value bpftrace passes to printf: sign-extended from signed types,
// zero-extended from unsigned ones.
func (v *Verb) AppendInt(dst []byte, x uint64) []byte {
	bits := v.Bits()
	if bits < 64 {
		x &= 1<<bits - 1
	}
	if v.Conv == 'g' {
		var buf [256]byte
		return v.pad(dst, "", 0, AppendGFPFlags(buf[:0], x))
	}
	if v.Conv == 'c' {
		if x == 0 {
			// bpftrace keeps each formatted piece as a C string: the
			// NUL ends it, so only a right-justified field's padding shows.
			if !v.has('-') {
				dst = appendFill(dst, ' ', v.Width-1)
			}
			return dst
		}
		c := [1]byte{byte(x)}
		return v.pad(dst, "", 0, c[:])
	}
	if v.Conv == 'p' && x == 0 {
		return v.pad(dst, "", 0, []byte("(nil)"))
	}
	var buf [24]byte
	i := len(buf)
	neg := false
	switch v.Conv {
	case 'd':
		if bits < 64 && x&(1<<(bits-1)) != 0 {
			x |= ^uint64(0) << bits // sign-extend
		}
		if int64(x) < 0 {
			neg = true
			x = -x
		}
		fallthrough
	case 'u':
		for ; x >= 10; x /= 10 {
			i--
			buf[i] = byte('0' + x%10)
		}
		i--
		buf[i] = byte('0' + x)
	case 'o':
		for ; x >= 8; x >>= 3 {
			i--
			buf[i] = byte('0' + x&7)
		}
		i--
		buf[i] = byte('0' + x)
	default: // x, X, p
		digits := hexLower
		if v.Conv == 'X' {
			digits = hexUpper
		}
		for ; x >= 16; x >>= 4 {
			i--
			buf[i] = digits[x&15]
		}
		i--
		buf[i] = digits[x]
	}
	body := buf[i:]
	zero := len(body) == 1 && body[0] == '0'
	if v.Prec == 0 && zero && v.Conv != 'p' {
		body = body[:0]
	}
	prec := 0
	if v.Prec > len(body) {
		prec = v.Prec - len(body)
	}
	var prefix string
	switch {
	case neg:
		prefix = "-"
	case v.Conv == 'd' && v.has('+'):
		prefix = "+"
	case v.Conv == 'd' && v.has(' '):
		prefix = " "
	case v.Conv == 'p':
		prefix = "0x"
	case v.Conv == 'x' && v.has('#') && !zero:
		prefix = "0x"
	case v.Conv == 'X' && v.has('#') && !zero:
		prefix = "0X"
	case v.Conv == 'o' && v.has('#') && prec == 0 && (len(body) == 0 || body[0] != '0'):
		prefix = "0"
	}
	zeros := prec
	if v.Prec < 0 && v.has('0') && !v.has('-') {
		if n := v.Width - len(prefix) - len(body); n > zeros {
			zeros = n
		}
	}
	return v.pad(dst, prefix, zeros, body)
}

// AppendString formats a string argument: s up to its first NUL, cut to
// the precision.
func (v *Verb) AppendString(dst []byte, s []byte) []byte {
	for i, c := range s {
		if c == 0 {
			s = s[:i]
			break
		}
	}
	if v.Prec >= 0 && len(s) > v.Prec {
		s = s[:v.Prec]
	}
	return v.pad(dst, "", 0, s)
}

// AppendBuffer formats a buffer argument for %r, %rx or %rh, padded to the
// width like a string.
func (v *Verb) AppendBuffer(dst []byte, b []byte) []byte {
	n := 0
	for _, c := range b {
		switch {
		case v.Buf == 'h':
			n += 3
		case v.Buf == 'x' || c < 32 || c > 126:
			n += 4
		default:
			n++
		}
	}
	if v.Buf == 'h' && n > 0 {
		n--
	}
	left := v.has('-')
	if !left {
		dst = appendFill(dst, ' ', v.Width-n)
	}
	for i, c := range b {
		switch {
		case v.Buf == 'h':
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = append(dst, hexLower[c>>4], hexLower[c&15])
		case v.Buf == 'x' || c < 32 || c > 126:
			dst = append(dst, '\\', 'x', hexLower[c>>4], hexLower[c&15])
		default:
			dst = append(dst, c)
		}
	}
	if left {
		dst = appendFill(dst, ' ', v.Width-n)
	}
	return dst
}

// pad writes prefix, zeros '0's and body, space-padded to the width.
func (v *Verb) pad(dst []byte, prefix string, zeros int, body []byte) []byte {
	fill := v.Width - len(prefix) - zeros - len(body)
	left := v.has('-')
	if !left {
		dst = appendFill(dst, ' ', fill)
	}
	dst = append(dst, prefix...)
	dst = appendFill(dst, '0', zeros)
	dst = append(dst, body...)
	if left {
		dst = appendFill(dst, ' ', fill)
	}
	return dst
}

func appendFill(dst []byte, c byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, c)
	}
	return dst
}
