package sym

import (
	"strings"
	"testing"
)

func TestParseAndResolve(t *testing.T) {
	k, err := ParseKallsyms(strings.NewReader(`ffffffff81000000 T _stext
ffffffff81000100 t helper
ffffffff81000200 D some_data
ffffffff81000300 T do_syscall_64
ffffffffc0000000 t mod_func	[mymod]
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr uint64
		want string
	}{
		{0xffffffff81000104, "helper+4"},
		{0xffffffff81000250, "helper+336"}, // data symbols are skipped
		{0xffffffff81000300, "do_syscall_64+0"},
		{0xffffffffc0000010, "mod_func+16"},
		{0x1000, "0x1000"},
	}
	for _, tt := range tests {
		if got := k.Format(tt.addr); got != tt.want {
			t.Errorf("Format(%#x) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

func TestKernelSize(t *testing.T) {
	k, err := ParseKallsyms(strings.NewReader(`ffffffff81000000 T _stext
ffffffff81000000 T first
ffffffff81000040 t second
ffffffff81000040 t second_alias
ffffffff81000100 D some_data
ffffffff81000200 T last
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		size uint64
		ok   bool
	}{
		{"first", 0x40, true},
		{"_stext", 0x40, true},
		{"second", 0x1c0, true}, // data symbols are not kept: up to last
		{"second_alias", 0x1c0, true},
		{"last", 0, false},
		{"some_data", 0, false},
		{"missing", 0, false},
	} {
		size, ok := k.Size(tt.name)
		if size != tt.size || ok != tt.ok {
			t.Errorf("Size(%q) = %#x, %v; want %#x, %v", tt.name, size, ok, tt.size, tt.ok)
		}
	}
}
