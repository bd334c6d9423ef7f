package codegen

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// maxFuncName is the longest BTF function name a program gets: the
// kernel's KSYM_NAME_LEN (128, with its NUL) until Linux 6.1.
const maxFuncName = 127

// FuncName is the name of the index-th program (from 1, in script order)
// of a probe called name, as the newest bpftrace names its programs:
// interval:us:100000 → interval_us_100000_1. Programs carry it as their
// BTF function name, which bpftool shows and which fentry:bpf:NAME probes
// (gbt's or bpftrace's) find them by; the kernel's own name of a program
// is its first 15 characters.
func FuncName(name string, index int) string {
	var b strings.Builder
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	s, suffix := b.String(), fmt.Sprintf("_%d", index)
	if len(s)+len(suffix) > maxFuncName {
		// As bpftrace does, a prefix and a hash of the whole name; the
		// index too within the limit, which bpftrace passes.
		h := fnv.New64a()
		h.Write([]byte(s))
		sum := fmt.Sprintf("_%016x", h.Sum64())
		s = s[:maxFuncName-len(sum)-len(suffix)] + sum
	}
	return s + suffix
}

// btfLong and btfPtr are the types of the BTF function prototypes gbt
// gives its programs and callbacks.
var (
	btfLong = &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}
	btfPtr  = &btf.Pointer{Target: &btf.Void{}}
)

// mainFunc is the BTF function of a program's entry: long name(void *ctx).
func mainFunc(name string) *btf.Func {
	return &btf.Func{Name: name, Linkage: btf.GlobalFunc,
		Type: &btf.FuncProto{Return: btfLong, Params: []btf.FuncParam{{Name: "ctx", Type: btfPtr}}}}
}
