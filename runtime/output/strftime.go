package output

import (
	"strconv"
	"time"
)

// AppendStrftime formats t with a C strftime format (the conversions
// bpftrace scripts use: %a %A %b %B %c %C %d %D %e %F %H %I %j %k %l %m %M
// %n %p %R %s %S %t %T %u %w %y %Y %z %Z %%, and bpftrace's %f:
// microseconds). Unknown conversions are copied as written.
func AppendStrftime(dst []byte, format string, t time.Time) []byte {
	pad := func(dst []byte, v, width int, fill byte) []byte {
		s := strconv.Itoa(v)
		for i := len(s); i < width; i++ {
			dst = append(dst, fill)
		}
		return append(dst, s...)
	}
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			dst = append(dst, c)
			continue
		}
		i++
		switch format[i] {
		case 'a':
			dst = append(dst, t.Weekday().String()[:3]...)
		case 'A':
			dst = append(dst, t.Weekday().String()...)
		case 'b', 'h':
			dst = append(dst, t.Month().String()[:3]...)
		case 'B':
			dst = append(dst, t.Month().String()...)
		case 'c':
			dst = t.AppendFormat(dst, "Mon Jan _2 15:04:05 2006")
		case 'C':
			dst = pad(dst, t.Year()/100, 2, '0')
		case 'd':
			dst = pad(dst, t.Day(), 2, '0')
		case 'D':
			dst = t.AppendFormat(dst, "01/02/06")
		case 'e':
			dst = pad(dst, t.Day(), 2, ' ')
		case 'f': // bpftrace's extension: microseconds
			dst = pad(dst, t.Nanosecond()/1000, 6, '0')
		case 'F':
			dst = t.AppendFormat(dst, "2006-01-02")
		case 'H':
			dst = pad(dst, t.Hour(), 2, '0')
		case 'I':
			dst = pad(dst, (t.Hour()+11)%12+1, 2, '0')
		case 'j':
			dst = pad(dst, t.YearDay(), 3, '0')
		case 'k':
			dst = pad(dst, t.Hour(), 2, ' ')
		case 'l':
			dst = pad(dst, (t.Hour()+11)%12+1, 2, ' ')
		case 'm':
			dst = pad(dst, int(t.Month()), 2, '0')
		case 'M':
			dst = pad(dst, t.Minute(), 2, '0')
		case 'n':
			dst = append(dst, '\n')
		case 'p':
			dst = t.AppendFormat(dst, "PM")
		case 'R':
			dst = t.AppendFormat(dst, "15:04")
		case 's':
			dst = strconv.AppendInt(dst, t.Unix(), 10)
		case 'S':
			dst = pad(dst, t.Second(), 2, '0')
		case 't':
			dst = append(dst, '\t')
		case 'T':
			dst = t.AppendFormat(dst, "15:04:05")
		case 'u':
			dst = pad(dst, (int(t.Weekday())+6)%7+1, 1, '0')
		case 'w':
			dst = pad(dst, int(t.Weekday()), 1, '0')
		case 'y':
			dst = pad(dst, t.Year()%100, 2, '0')
		case 'Y':
			dst = pad(dst, t.Year(), 4, '0')
		case 'z':
			dst = t.AppendFormat(dst, "-0700")
		case 'Z':
			dst = t.AppendFormat(dst, "MST")
		case '%':
			dst = append(dst, '%')
		default:
			dst = append(dst, '%', format[i])
		}
	}
	return dst
}
