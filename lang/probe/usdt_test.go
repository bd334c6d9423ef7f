package probe

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
)

func TestExpandWatchpoint(t *testing.T) {
	tests := []struct {
		raw  string
		want string // probe name, or error text
	}{
		{"watchpoint:0x1000:8:w", "watchpoint:0x1000:8:w"},
		{"watchpoint:4096:4:rw", "watchpoint:0x1000:4:rw"},
		{"watchpoint:0x1000:3:w", "watchpoint length must be 1, 2, 4 or 8 (3 provided)"},
		{"watchpoint:0x1000:8:q", `invalid watchpoint mode "q"`},
		{"watchpoint:0x1000:8:wx", `invalid watchpoint mode "wx"`},
		{"watchpoint:zz:8:w", `invalid watchpoint address "zz"`},
	}
	for _, tt := range tests {
		parts := strings.Split(tt.raw, ":")
		pts, err := Expand(&ast.AttachPoint{Raw: tt.raw, Provider: parts[0], Parts: parts[1:]}, nil)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = pts[0].Name
		}
		if got != tt.want {
			t.Errorf("Expand(%s) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}
