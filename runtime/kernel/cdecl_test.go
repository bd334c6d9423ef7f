package kernel

import (
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// TestDeclare writes C declarations as libbpf's btf_dump writes them,
// which both bpftraces print for -lv 'struct NAME'.
func TestDeclare(t *testing.T) {
	skb := &btf.Struct{Name: "sk_buff"}
	qdisc := &btf.Struct{Name: "Qdisc"}
	tests := []struct {
		typ  btf.Type
		name string
		want string
	}{
		{&btf.Pointer{Target: skb}, "skb", "struct sk_buff *skb"},
		{&btf.Const{Type: &btf.Pointer{Target: &btf.Const{Type: &btf.Void{}}}}, "addr", "const void * const addr"},
		{&btf.Const{Type: &btf.Pointer{Target: &btf.Void{}}}, "addr", "void * const addr"},
		{&btf.Const{Type: &btf.Int{Name: "int", Size: 4}}, "n", "const int n"},
		{&btf.Pointer{Target: &btf.FuncProto{Return: &btf.Pointer{Target: skb}, Params: []btf.FuncParam{{Type: &btf.Pointer{Target: qdisc}}}}}, "dequeue",
			"struct sk_buff * (*dequeue)(struct Qdisc *)"},
		{&btf.Pointer{Target: &btf.FuncProto{Return: &btf.Void{}}}, "f", "void (*f)(void)"},
		{&btf.Array{Type: &btf.Pointer{Target: skb}, Nelems: 2}, "a", "struct sk_buff *a[2]"},
	}
	for _, tt := range tests {
		if got := declare(tt.typ, tt.name, 0); got != tt.want {
			t.Errorf("declare(%v, %q) = %q, want %q", tt.typ, tt.name, got, tt.want)
		}
	}
}

// TestWriteBodyLayout: gaps C's alignment would not leave are written as
// libbpf's padding members, a struct off its natural layout is packed;
// the newest bpftrace prints task_struct and mm_struct so.
func TestWriteBodyLayout(t *testing.T) {
	i8 := &btf.Int{Name: "char", Size: 1, Encoding: btf.Signed}
	i32 := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	i64 := &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}
	u32 := &btf.Int{Name: "unsigned int", Size: 4}
	tests := []struct {
		name string
		typ  btf.Type
		want string
	}{
		{"a gap before an aligned member", &btf.Struct{Name: "gap", Size: 24, Members: []btf.Member{
			{Name: "a", Type: i32}, {Name: "b", Type: i64, Offset: 128}}},
			"struct gap {\n\tint a;\n\tlong: 64;\n\tlong b;\n}"},
		{"padding at the end (cacheline aligned)", &btf.Struct{Name: "line", Size: 64, Members: []btf.Member{
			{Name: "a", Type: i64}}},
			"struct line {\n\tlong a;\n" + strings.Repeat("\tlong: 64;\n", 7) + "}"},
		{"packed", &btf.Struct{Name: "p", Size: 5, Members: []btf.Member{
			{Name: "c", Type: i8}, {Name: "i", Type: i32, Offset: 8}}},
			"struct p {\n\tchar c;\n\tint i;\n} __attribute__((packed))"},
		{"natural layout", &btf.Struct{Name: "n", Size: 8, Members: []btf.Member{
			{Name: "c", Type: i8}, {Name: "i", Type: i32, Offset: 32}}},
			"struct n {\n\tchar c;\n\tint i;\n}"},
		{"bitfields", &btf.Struct{Name: "bits", Size: 8, Members: []btf.Member{
			{Name: "x", Type: u32, BitfieldSize: 3}, {Name: "y", Type: u32, Offset: 32, BitfieldSize: 5}}},
			"struct bits {\n\tunsigned int x: 3;\n\tint: 29;\n\tunsigned int y: 5;\n}"},
		{"empty", &btf.Struct{Name: "e"}, "struct e {}"},
		{"a union has none", &btf.Union{Name: "u", Size: 8, Members: []btf.Member{
			{Name: "c", Type: i8}, {Name: "l", Type: i64}}},
			"union u {\n\tchar c;\n\tlong l;\n}"},
	}
	for _, tt := range tests {
		var b strings.Builder
		writeBody(&b, tt.typ, 0)
		if got := b.String(); got != tt.want {
			t.Errorf("%s:\n%s\nwant:\n%s", tt.name, got, tt.want)
		}
	}
}
