package spell

import "testing"

func TestNearest(t *testing.T) {
	cands := []string{"printf", "print", "count", "comm", "tracepoint", "kprobe", "sys_enter_openat"}
	tests := []struct{ in, want string }{
		{"pirntf", "printf"},
		{"cuont", "count"},
		{"tracepiont", "tracepoint"},
		{"kprobe", ""}, // exact names are not typos
		{"xyz", ""},
		{"sys_enter_opnat", "sys_enter_openat"},
		{"com", "comm"},
	}
	for _, tt := range tests {
		if got := Nearest(tt.in, cands); got != tt.want {
			t.Errorf("Nearest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
