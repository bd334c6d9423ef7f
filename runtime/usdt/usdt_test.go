package usdt

import (
	"reflect"
	"testing"

	"github.com/gbt-dev/gbt/lang/probe"
)

func TestParseUSDTArgs(t *testing.T) {
	tests := []struct {
		in   string
		want []probe.USDTArg
		err  bool
	}{
		{"", nil, false},
		{"-4@%edi -8@%rdx", []probe.USDTArg{{Size: 4, Signed: true, Kind: probe.USDTReg, Reg: "di"}, {Size: 8, Signed: true, Kind: probe.USDTReg, Reg: "dx"}}, false},
		{"-2@%cx 1@%sil 8@%r9 4@%r10d", []probe.USDTArg{{Size: 2, Signed: true, Kind: probe.USDTReg, Reg: "cx"}, {Size: 1, Kind: probe.USDTReg, Reg: "si"},
			{Size: 8, Kind: probe.USDTReg, Reg: "r9"}, {Size: 4, Kind: probe.USDTReg, Reg: "r10"}}, false},
		{"-4@-20(%rbp) 8@(%rax) 4@$5 -8@$-3", []probe.USDTArg{{Size: 4, Signed: true, Kind: probe.USDTMem, Reg: "bp", Value: -20},
			{Size: 8, Kind: probe.USDTMem, Reg: "ax"}, {Size: 4, Kind: probe.USDTConst, Value: 5}, {Size: 8, Signed: true, Kind: probe.USDTConst, Value: -3}}, false},
		{"8@foo(%rip)", nil, true},
		{"8@-88(%rsp,%rax,8) -1@(%rbx,%r12,1)", []probe.USDTArg{{Size: 8, Kind: probe.USDTMem, Reg: "sp", Value: -88, Index: "ax", Scale: 8},
			{Size: 1, Signed: true, Kind: probe.USDTMem, Reg: "bx", Index: "r12", Scale: 1}}, false},
		{"8@8(%rax,%rbx,3)", nil, true},
		{"8@8(%rax,%rbx)", nil, true},
		{"8@8(%rax,%rip,2)", nil, true},
		{"3@%eax", nil, true},
		{"4@%xmm0", nil, true},
		{"%eax", nil, true},
	}
	for _, tt := range tests {
		got, err := parseArgs(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("parseArgs(%q) error %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if !tt.err && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseArgs(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}
