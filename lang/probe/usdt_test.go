package probe

import (
	"reflect"
	"testing"
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
