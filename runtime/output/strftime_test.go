package output

import (
	"testing"
	"time"
)

func TestAppendStrftime(t *testing.T) {
	tm := time.Date(2026, time.November, 4, 9, 5, 7, 0, time.UTC)
	tests := []struct{ format, want string }{
		{"%H:%M:%S\n", "09:05:07\n"},
		{"%Y-%m-%d", "2026-11-04"},
		{"%F %T", "2026-11-04 09:05:07"},
		{"%a %b %e %j", "Wed Nov  4 308"},
		{"%I%p %y %%", "09AM 26 %"},
		{"%s", "1793783107"},
		{"%Q", "%Q"},
	}
	tests = append(tests, struct{ format, want string }{"%s.%f", "1793783107.000000"})
	for _, tt := range []struct {
		ns   int
		want string
	}{{123000, "1793783107.000123"}, {1000123000, "1793783108.000123"}, {999, "1793783107.000000"}} {
		if got := string(AppendStrftime(nil, "%s.%f", tm.Add(time.Duration(tt.ns)))); got != tt.want {
			t.Errorf("%%s.%%f of +%dns: got %q, want %q", tt.ns, got, tt.want)
		}
	}
	for _, tt := range tests {
		if got := string(AppendStrftime(nil, tt.format, tm)); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.format, got, tt.want)
		}
	}
}
