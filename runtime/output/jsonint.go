package output

import (
	"strconv"

	"github.com/gbt-dev/gbt/lang/compat"
)

// jsonSafe quotes the integer appended to dst from start where the
// release gbt follows does (compat.JSONSafeIntegers; see quoteInexact).
func (v *values) jsonSafe(dst []byte, start int) []byte {
	if !v.compat.Has(compat.JSONSafeIntegers) {
		return dst
	}
	return quoteInexact(dst, start)
}

// appendJSONInt appends n as a JSON number, or a string where a float64
// cannot hold it (jsonSafe).
func (v *values) appendJSONInt(dst []byte, n int64) []byte {
	start := len(dst)
	return v.jsonSafe(strconv.AppendInt(dst, n, 10), start)
}

// quoteInexact makes the integer appended to dst from start a JSON string
// when a float64 cannot hold it exactly, as the newest bpftrace writes
// such numbers (RFC 8259: readers may take every JSON number as a double,
// and 18446744073709551615 would come out as 18446744073709551616).
// bpftrace 0.17 writes them as numbers (compat.ExactJSONNumbers).
func quoteInexact(dst []byte, start int) []byte {
	if exactInFloat(dst[start:]) {
		return dst
	}
	dst = append(dst, 0)
	copy(dst[start+1:], dst[start:len(dst)-1])
	dst[start] = '"'
	return append(dst, '"')
}

// exactInFloat reports whether the decimal integer digits is one a
// float64 holds exactly.
func exactInFloat(digits []byte) bool {
	if len(digits) <= 15 {
		return true // below 2^53 in magnitude
	}
	s := string(digits)
	if s[0] == '-' {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return true // not an integer gbt wrote: left as it is
		}
		f := float64(n)
		return f > -9223372036854775808.0 && int64(f) == n || f == -9223372036854775808.0 && n == -1<<63
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return true
	}
	f := float64(n)
	return f < 18446744073709551616.0 && uint64(f) == n
}
