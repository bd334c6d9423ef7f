package output

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"os/user"
	"strconv"
	"time"

	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
)

// values renders decoded values the way bpftrace does in map keys, map
// values, print() and printf's %s: the newest bpftrace's shapes, or those
// of the release compat names where releases differ.
type values struct {
	compat     compat.Version
	stacks     StackResolver // kstack ids → frames (nil: print the id)
	probeNames []string
	clock      time.Time     // wall time at which the nsecs clock read zero (strftime)
	taiOffset  time.Duration // how far the tseries() clock is ahead of the wall clock
	cgroups    cgroupPaths
	tmp        []byte // scratch for text that JSON then quotes
	trailer    string // str_trunc_trailer: ends a string that fills its size
}

// uword reads a little-endian unsigned integer of n bytes (1, 2, 4 or 8)
// from b; bytes past the end of b read as zero.
func uword(b []byte, n int) uint64 {
	var w [8]byte
	copy(w[:n], b)
	return binary.LittleEndian.Uint64(w[:])
}

// intArg reads an integer of type t and widens it to 64 bits as bpftrace
// passes it to printf: sign-extended when t is signed.
func intArg(t types.Type, b []byte) uint64 {
	n := intSize(t)
	x := uword(b, n)
	if t.Kind == types.Int && t.Signed && n < 8 {
		shift := 64 - 8*uint(n)
		x = uint64(int64(x<<shift) >> shift)
	}
	return x
}

// intSize is the byte size of an integer-like value of type t.
func intSize(t types.Type) int {
	if t.Kind == types.Bool {
		return 1
	}
	if t.Kind == types.Int {
		switch t.Bits {
		case 8, 16, 32:
			return t.Bits / 8
		}
	}
	return 8
}

// cstr returns b up to its first NUL.
func cstr(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}

// appendString renders a string value of type t: its bytes up to the NUL;
// one that fills its size without a NUL was cut, and the trailer
// (str_trunc_trailer) says so, as in the newest bpftrace, unless it is a
// char array of a C definition, whose size bounds it.
func (v *values) appendString(dst []byte, t types.Type, b []byte) []byte {
	s := cstr(field(b, 0, t.Size))
	dst = append(dst, s...)
	if len(s) == t.Size && t.Size > 0 && !t.CharArray && v.compat.Has(compat.TruncTrailer) {
		dst = append(dst, v.trailer...)
	}
	return dst
}

// field returns b[off:off+n], clamped to b.
func field(b []byte, off, n int) []byte {
	if off > len(b) {
		return nil
	}
	return b[off:min(len(b), off+n)]
}

// bitField returns the value of bit-field f of the record in b, in the
// bytes of f's type (little-endian, sign-extended when signed), as codegen
// reads it: the bytes from f.Offset that hold the bits, shifted and masked,
// written to out (no allocation per printed record).
func bitField(f types.Field, b []byte, out *[8]byte) []byte {
	n := 1
	for n*8 < f.BitOff+f.BitWidth {
		n *= 2
	}
	x := uword(field(b, f.Offset, n), n) >> uint(f.BitOff)
	if f.BitWidth < 64 {
		shift := uint(64 - f.BitWidth)
		if f.Type.Signed {
			x = uint64(int64(x<<shift) >> shift)
		} else {
			x = x << shift >> shift
		}
	}
	binary.LittleEndian.PutUint64(out[:], x)
	return out[:max(f.Type.ByteSize(), 1)]
}

// appendHexBuffer renders a buffer as bpftrace's hex_format_buffer:
// printable ASCII kept, other bytes as \xNN.
func appendHexBuffer(dst, b []byte) []byte {
	const hex = "0123456789abcdef"
	for _, c := range b {
		if c >= 32 && c <= 126 {
			dst = append(dst, c)
		} else {
			dst = append(dst, '\\', 'x', hex[c>>4], hex[c&15])
		}
	}
	return dst
}

// supported reports an error if values of type t cannot be rendered.
func supported(t types.Type) error {
	switch t.Kind {
	case types.Int, types.Bool, types.String, types.Buffer, types.Pointer, types.Probe, types.Timestamp, types.Stack, types.Ksym,
		types.Usym, types.Username, types.Inet, types.Mac, types.CgroupPath, types.Strerror, types.None:
		return nil
	case types.Tuple:
		for _, e := range t.Elems {
			if err := supported(e); err != nil {
				return err
			}
		}
		return nil
	case types.Array:
		return supported(*t.Elem)
	case types.Record:
		for _, f := range t.Fields {
			if err := supported(f.Type); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("printing %s values is not supported yet", t)
}

// bufferBytes returns the bytes a buffer value holds: as many as were
// read, after the 8-byte count.
func bufferBytes(t types.Type, b []byte) []byte {
	n := min(uword(b, 8), uint64(t.Size))
	return field(b, 8, int(n))
}

// appendScalar renders the types whose text is the same in keys and values
// (probe names, user names, addresses); ok is false for other kinds.
func (v *values) appendScalar(dst []byte, t types.Type, b []byte) (_ []byte, ok bool) {
	switch t.Kind {
	case types.None:
		return append(dst, "null"...), true // a float member, as bpftrace prints it
	case types.String:
		return v.appendString(dst, t, b), true
	case types.Buffer:
		return appendHexBuffer(dst, bufferBytes(t, b)), true
	case types.Stack:
		// As printf's %s shows a stack: a newline, then frames indented 8.
		return v.appendStack(dst, t, b, "        "), true
	case types.Timestamp:
		// t.Name holds the strftime format; the value is nsecs.
		return AppendStrftime(dst, t.Name, v.clock.Add(time.Duration(uword(b, 8)))), true
	case types.Probe:
		id := uword(b, 8)
		if id < uint64(len(v.probeNames)) {
			return append(dst, v.probeNames[id]...), true
		}
		return strconv.AppendUint(dst, id, 10), true
	case types.Bool:
		return v.appendBool(dst, b), true
	case types.Ksym:
		// ksym(addr): the name of the kernel symbol containing addr.
		if v.stacks != nil {
			return append(dst, v.stacks.KernelSymbol(uword(b, 8))...), true
		}
		return strconv.AppendUint(append(dst, "0x"...), uword(b, 8), 16), true
	case types.Usym:
		// usym(addr): the function containing addr in the process whose
		// id follows the address.
		if v.stacks != nil {
			return append(dst, v.stacks.UserSymbol(uword(b, 8), int(uword(b[8:], 8)))...), true
		}
		return strconv.AppendUint(append(dst, "0x"...), uword(b, 8), 16), true
	case types.Username:
		uid := strconv.FormatUint(uword(b, 8), 10)
		if u, err := user.LookupId(uid); err == nil {
			dst = append(dst, u.Username...)
		}
		return dst, true // bpftrace prints nothing for an unknown uid
	case types.Inet:
		return appendInet(dst, b), true
	case types.Strerror:
		switch t.Name {
		case types.SignalTable:
			return appendSignalName(dst, int64(int32(uword(b, 8)))), true
		case types.SyscallTable:
			return appendSyscallName(dst, int64(int32(uword(b, 8)))), true
		}
		return appendStrerror(dst, int64(uword(b, 8))), true
	case types.CgroupPath:
		return v.cgroups.appendPaths(dst, uword(b, 8), t.Name), true
	case types.Mac:
		const hex = "0123456789ABCDEF"
		mac := field(b, 0, 6)
		for i := range 6 {
			if i > 0 {
				dst = append(dst, ':')
			}
			var c byte
			if i < len(mac) {
				c = mac[i]
			}
			dst = append(dst, hex[c>>4], hex[c&15])
		}
		return dst, true
	}
	return dst, false
}

// appendInet renders an ntop() value: address family word, then the
// address bytes.
func appendInet(dst, b []byte) []byte {
	const afInet, afInet6 = 2, 10
	addr := field(b, 8, 16)
	switch uword(b, 8) {
	case afInet:
		var a [4]byte
		copy(a[:], addr)
		return netip.AddrFrom4(a).AppendTo(dst)
	case afInet6:
		var a [16]byte
		copy(a[:], addr)
		return netip.AddrFrom16(a).AppendTo(dst)
	}
	return dst
}

// Indents of stack frames in map keys: text keys indent them 8
// ("@[\n        f\n]: 1", as the newest bpftrace) or 4 (as 0.17); JSON
// keys do not ("\nf\n", as the newest bpftrace; 0.17 indents them as
// text).
const (
	textKeyIndent    = "        "
	textKeyIndent017 = "    "
	jsonKeyIndent    = ""
)

// appendKey renders one map key argument as bpftrace's MapKey does:
// integers signed at their size, pointers in hex, arrays "[1,2]", records
// "{ .a = 1, .b = 2 }"; stack frames are indented by indent.
func (v *values) appendKey(dst []byte, t types.Type, b []byte, indent string) []byte {
	if t.Kind == types.Stack {
		return v.appendStack(dst, t, b, indent)
	}
	if d, ok := v.appendScalar(dst, t, b); ok {
		return d
	}
	switch t.Kind {
	case types.Int, types.Bool:
		if t.Enum != nil && v.compat.Has(compat.EnumNames) {
			return appendEnum(dst, t, b) // in JSON keys too, as the newest bpftrace
		}
		if t.Kind == types.Int && !t.Signed && v.compat.Has(compat.UnsignedKeys) {
			return strconv.AppendUint(dst, intArg(t, b), 10) // the newest bpftrace's (0.17: signed)
		}
		return strconv.AppendInt(dst, int64(intArg(types.IntOf(intSize(t)*8, true), b)), 10)
	case types.Pointer:
		dst = append(dst, "0x"...)
		return strconv.AppendUint(dst, uword(b, 8), 16)
	case types.Array:
		dst = append(dst, '[')
		n := t.Elem.ByteSize()
		for i := range t.Len {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = v.appendKey(dst, *t.Elem, field(b, i*n, n), indent)
		}
		return append(dst, ']')
	case types.Record:
		// The newest bpftrace prints record keys as values,
		// "{ .a = 1, .b = 2 }"; 0.17 as keys, "{.a=1,.b=2}".
		if v.compat.Has(compat.SpacedRecordKeys) {
			return v.appendValue(dst, t, b, false)
		}
		dst = append(dst, '{')
		for i, f := range t.Fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(append(append(dst, '.'), f.Name...), '=')
			dst = v.appendKey(dst, f.Type, field(b, f.Offset, f.Type.ByteSize()), indent)
		}
		return append(dst, '}')
	case types.Tuple:
		return v.appendValue(dst, t, b, false)
	}
	return dst
}

// appendKeyList renders a map's key the way it appears between the
// brackets: tuple keys are bpftrace's multi-value keys, "1, abc" in text,
// "1,abc" inside JSON's quoted key.
func (v *values) appendKeyList(dst []byte, t types.Type, b []byte, json bool) []byte {
	sep, indent := ", ", textKeyIndent
	if !v.compat.Has(compat.WideKeyStacks) {
		indent = textKeyIndent017
	}
	if json {
		sep = ","
		if v.compat.Has(compat.UnindentedJSONKeyStacks) {
			indent = jsonKeyIndent
		}
	}
	if t.Kind != types.Tuple {
		return v.appendKey(dst, t, b, indent)
	}
	for i, off := range t.TupleOffsets() {
		if i > 0 {
			dst = append(dst, sep...)
		}
		e := t.Elems[i]
		dst = v.appendKey(dst, e, field(b, off, e.ByteSize()), indent)
	}
	return dst
}

// appendValue renders a plain (non-aggregation) value as bpftrace's
// value_to_str: integers at their width and sign, pointers in decimal,
// tuples "(1, abc)", records "{ .a = 1 }". In JSON, strings and other
// text values are quoted and tuples are arrays.
func (v *values) appendValue(dst []byte, t types.Type, b []byte, json bool) []byte {
	if json && quoted(t) {
		v.tmp, _ = v.appendScalar(v.tmp[:0], t, b)
		return appendJSONString(dst, v.tmp)
	}
	if d, ok := v.appendScalar(dst, t, b); ok {
		return d
	}
	switch t.Kind {
	case types.Int:
		if t.Enum != nil && !json && v.compat.Has(compat.EnumNames) {
			// JSON values keep the number, for the programs that read
			// them (the newest bpftrace's choice).
			return appendEnum(dst, t, b)
		}
		start := len(dst)
		if t.Signed {
			dst = strconv.AppendInt(dst, int64(intArg(t, b)), 10)
		} else {
			dst = strconv.AppendUint(dst, intArg(t, b), 10)
		}
		if json {
			dst = v.jsonSafe(dst, start)
		}
		return dst
	case types.Pointer:
		if json {
			start := len(dst)
			return v.jsonSafe(strconv.AppendUint(dst, uword(b, 8), 10), start)
		}
		return v.appendPointer(dst, uword(b, 8))
	case types.Tuple:
		open, sep, end := "(", ", ", ")"
		if json {
			open, sep, end = "[", ",", "]"
		}
		dst = append(dst, open...)
		for i, off := range t.TupleOffsets() {
			if i > 0 {
				dst = append(dst, sep...)
			}
			e := t.Elems[i]
			dst = v.appendValue(dst, e, field(b, off, e.ByteSize()), json)
		}
		return append(dst, end...)
	case types.Array:
		dst = append(dst, '[')
		n := t.Elem.ByteSize()
		for i := range t.Len {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = v.appendValue(dst, *t.Elem, field(b, i*n, n), json)
		}
		return append(dst, ']')
	case types.Record:
		// Text: { .m = 2, .n = 3 }. JSON: {"m": 2, "n": 3}, the newest
		// bpftrace's spacing (0.17 printed { "m": 2, "n": 3 }).
		spaced := !json || !v.compat.Has(compat.TightJSONRecords)
		if spaced {
			dst = append(dst, "{ "...)
		} else {
			dst = append(dst, '{')
		}
		var bits [8]byte // a bit-field's value, read out of its bytes
		for i, f := range t.Fields {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			if json {
				dst = append(dst, '"')
				dst = append(dst, f.Name...)
				dst = append(dst, "\": "...)
			} else {
				dst = append(dst, '.')
				dst = append(dst, f.Name...)
				dst = append(dst, " = "...)
			}
			fb := field(b, f.Offset, f.Type.ByteSize())
			if f.BitWidth != 0 {
				fb = bitField(f, b, &bits)
			}
			dst = v.appendValue(dst, f.Type, fb, json)
		}
		if spaced {
			return append(dst, " }"...)
		}
		return append(dst, '}')
	}
	return dst
}

// appendEnum renders an integer of an enum type as its variant's name, or
// as the number when no variant has that value.
func appendEnum(dst []byte, t types.Type, b []byte) []byte {
	return t.Enum.AppendVariant(dst, int64(intArg(t, b)))
}

// appendPointer renders a pointer value as the newest bpftrace prints it
// in text, 0x32 (0.17 printed 50); JSON keeps the number.
func (v *values) appendPointer(dst []byte, p uint64) []byte {
	if !v.compat.Has(compat.HexPointers) {
		return strconv.AppendUint(dst, p, 10)
	}
	return strconv.AppendUint(append(dst, "0x"...), p, 16)
}

// appendBool renders a bool, one byte, as the newest bpftrace does, in
// text and JSON alike: true or false; 0.17, which had no bool type,
// prints 1 and 0.
func (v *values) appendBool(dst, b []byte) []byte {
	set := uword(b, 1) != 0
	switch {
	case !v.compat.Has(compat.BoolType) && set:
		return append(dst, '1')
	case !v.compat.Has(compat.BoolType):
		return append(dst, '0')
	case set:
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

// quoted reports whether JSON output quotes values of type t.
func quoted(t types.Type) bool {
	switch t.Kind {
	case types.String, types.Buffer, types.Probe, types.Username, types.Inet, types.Mac,
		types.Ksym, types.Usym, types.Stack, types.Timestamp, types.CgroupPath, types.Strerror:
		return true
	}
	return false
}

// appendJSONString appends s as a JSON string with bpftrace's escapes
// (\" \\ \n \r \t, other control bytes as \u00XX, everything else raw).
func appendJSONString(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for _, c := range s {
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if c <= 0x1f {
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			} else {
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '"')
}

// StackResolver turns stack values (from bpf_get_stackid) into
// symbolized frames, innermost first, and addresses into symbol names.
type StackResolver interface {
	// Stack returns the frames of a kstack or ustack value of type t (a
	// ustack value carries its process id in the upper 32 bits); ok is
	// false when the stack could not be taken or read.
	Stack(t types.Type, v uint64) (frames []Frame, ok bool)
	// KernelSymbol names the kernel symbol containing addr (ksym), or its
	// hex address when none does.
	KernelSymbol(addr uint64) string
	// UserSymbol names the function containing addr in process pid
	// (usym), or its hex address.
	UserSymbol(addr uint64, pid int) string
}

// Frame is one stack frame: its address and its symbol as bpftrace prints
// it ("name+off", "0x..." when unknown; perf-mode user frames add the
// module in parentheses).
type Frame struct {
	Addr uint64
	Sym  string
}

// appendStack renders a stack: a newline, then each frame on its own line,
// after indent (bpftrace mode) or as "\taddr sym" (perf mode); nothing
// when the stack could not be taken.
func (v *values) appendStack(dst []byte, t types.Type, b []byte, indent string) []byte {
	if v.stacks == nil {
		return append(dst, '\n')
	}
	frames, ok := v.stacks.Stack(t, uword(b, 8))
	if !ok {
		return dst // bpftrace prints nothing for a stack it could not take
	}
	dst = append(dst, '\n')
	perf, raw, buildID := t.PerfStack(), t.RawStack(), t.BuildIDStack()
	for _, f := range frames {
		if buildID { // "BUILDID 0xOFFSET", unindented
			dst = append(dst, f.Sym...)
			dst = append(dst, '\n')
			continue
		}
		if raw {
			dst = strconv.AppendUint(dst, f.Addr, 16)
			dst = append(dst, '\n')
			continue
		}
		if perf {
			dst = append(dst, '\t')
			dst = strconv.AppendUint(dst, f.Addr, 16)
			dst = append(dst, ' ')
		} else {
			dst = append(dst, indent...)
		}
		dst = append(dst, f.Sym...)
		dst = append(dst, '\n')
	}
	return dst
}
