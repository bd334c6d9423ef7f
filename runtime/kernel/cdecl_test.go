package kernel

import (
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
