package syscalls

import "testing"

func TestForArch(t *testing.T) {
	tests := []struct {
		arch string
		nr   int
		want string
	}{
		{"amd64", 0, "read"},
		{"amd64", 257, "openat"},
		{"arm64", 56, "openat"},
		{"arm64", 63, "read"},
	}
	for _, tt := range tests {
		names := ForArch(tt.arch)
		if tt.nr >= len(names) || names[tt.nr] != tt.want {
			t.Errorf("ForArch(%q)[%d] is not %q", tt.arch, tt.nr, tt.want)
		}
	}
	if ForArch("mips") != nil {
		t.Errorf("ForArch(mips) has a table")
	}
	if _, ok := Name(-1); ok {
		t.Errorf("Name(-1) has a name")
	}
}
