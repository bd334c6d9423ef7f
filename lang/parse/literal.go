package parse

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// parseInt parses bpftrace integer literals: decimal, 0x hex, 0 octal,
// digit separators '_', u/l suffixes and the 1e6 scientific form.
func parseInt(s string) (uint64, error) {
	if v, ok, err := parseDuration(s); ok {
		return v, err
	}
	s = strings.TrimRight(s, "uUlL")
	s = strings.ReplaceAll(s, "_", "")
	if s == "" {
		return 0, fmt.Errorf("empty literal")
	}
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		if i := strings.IndexAny(s, "eE"); i > 0 {
			mant, err := strconv.ParseUint(s[:i], 10, 64)
			if err != nil {
				return 0, err
			}
			exp, err := strconv.Atoi(s[i+1:])
			if err != nil || exp > 19 {
				return 0, fmt.Errorf("exponent out of range")
			}
			v := float64(mant) * math.Pow10(exp)
			if v > math.MaxUint64 {
				return 0, fmt.Errorf("value out of range")
			}
			return mant * pow10(exp), nil
		}
	}
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok {
			return 0, ne.Err
		}
		return 0, err
	}
	return v, nil
}

func pow10(n int) uint64 {
	v := uint64(1)
	for ; n > 0; n-- {
		v *= 10
	}
	return v
}

// unquote decodes the C escapes of a string or char literal body.
func unquote(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			return "", fmt.Errorf("trailing backslash")
		}
		switch e := s[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'e':
			b.WriteByte(0x1b)
		case '\\', '"', '\'', '?':
			b.WriteByte(e)
		case 'x':
			j := i + 1
			for j < len(s) && j < i+3 && isHex(s[j]) {
				j++
			}
			if j == i+1 {
				return "", fmt.Errorf(`\x needs hex digits`)
			}
			v, _ := strconv.ParseUint(s[i+1:j], 16, 8)
			b.WriteByte(byte(v))
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i:j], 8, 16)
			if v > 255 {
				return "", fmt.Errorf("octal escape out of range")
			}
			b.WriteByte(byte(v))
			i = j - 1
		default:
			return "", fmt.Errorf(`unknown escape sequence \%c`, e)
		}
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// durationUnits are the nanoseconds of the duration suffixes of decimal
// integers (the newest bpftrace's 100ms, 1s...), longest suffix first.
var durationUnits = []struct {
	suffix string
	ns     uint64
}{{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}, {"m", 60000000000}, {"h", 3600000000000}, {"d", 86400000000000}}

// parseDuration reads a decimal integer with a duration suffix as
// nanoseconds; ok is false when s has no such suffix.
func parseDuration(s string) (v uint64, ok bool, err error) {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return 0, false, nil
	}
	for _, u := range durationUnits {
		digits, found := strings.CutSuffix(s, u.suffix)
		if !found || digits == "" || strings.Trim(digits, "0123456789_") != "" {
			continue
		}
		n, err := strconv.ParseUint(strings.ReplaceAll(digits, "_", ""), 10, 64)
		if err == nil && n > math.MaxUint64/u.ns {
			err = strconv.ErrRange
		}
		if ne, isNum := err.(*strconv.NumError); isNum {
			err = ne.Err
		}
		return n * u.ns, true, err
	}
	return 0, false, nil
}
