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
	for _, tt := range tests {
		if got := string(AppendStrftime(nil, tt.format, tm)); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.format, got, tt.want)
		}
	}
}
