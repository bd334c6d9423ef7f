package probe

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
)

func TestParseUSDTArgs(t *testing.T) {
	tests := []struct {
		in   string
		want []USDTArg
		err  bool
	}{
		{"", nil, false},
		{"-4@%edi -8@%rdx", []USDTArg{{Size: 4, Signed: true, Kind: USDTReg, Reg: "di"}, {Size: 8, Signed: true, Kind: USDTReg, Reg: "dx"}}, false},
		{"-2@%cx 1@%sil 8@%r9 4@%r10d", []USDTArg{{Size: 2, Signed: true, Kind: USDTReg, Reg: "cx"}, {Size: 1, Kind: USDTReg, Reg: "si"},
			{Size: 8, Kind: USDTReg, Reg: "r9"}, {Size: 4, Kind: USDTReg, Reg: "r10"}}, false},
		{"-4@-20(%rbp) 8@(%rax) 4@$5 -8@$-3", []USDTArg{{Size: 4, Signed: true, Kind: USDTMem, Reg: "bp", Value: -20},
			{Size: 8, Kind: USDTMem, Reg: "ax"}, {Size: 4, Kind: USDTConst, Value: 5}, {Size: 8, Signed: true, Kind: USDTConst, Value: -3}}, false},
		{"8@foo(%rip)", nil, true},
		{"8@8(%rax,%rbx,2)", nil, true},
		{"3@%eax", nil, true},
		{"4@%xmm0", nil, true},
		{"%eax", nil, true},
	}
	for _, tt := range tests {
		got, err := parseUSDTArgs(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("parseUSDTArgs(%q) error %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if !tt.err && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseUSDTArgs(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

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
