package kernel

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/cilium/ebpf/btf"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

var _ probe.StructEnv = (*Env)(nil)

// kernelBTF is the kernel's BTF (/sys/kernel/btf/vmlinux), parsed the first
// time a script needs a struct: parsing costs tens of milliseconds and
// megabytes that scripts without structs never pay.
type kernelBTF struct {
	once    sync.Once
	spec    *btf.Spec
	err     error
	mu      sync.Mutex
	records map[string]types.Type
}

// Struct implements probe.StructEnv for "struct name" and "union name".
func (e *Env) Struct(name string) (types.Type, error) {
	k := &e.btf
	k.once.Do(func() {
		k.spec, k.err = btf.LoadKernelSpec()
		if k.err != nil {
			k.err = fmt.Errorf("load kernel BTF (/sys/kernel/btf/vmlinux): %w", k.err)
		}
	})
	if k.err != nil {
		return types.Type{}, k.err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if t, ok := k.records[name]; ok {
		return t, nil
	}
	kind, bare, _ := strings.Cut(name, " ")
	var found btf.Type
	var err error
	switch kind {
	case "struct":
		var s *btf.Struct
		err = k.spec.TypeByName(bare, &s)
		found = s
	case "union":
		var u *btf.Union
		err = k.spec.TypeByName(bare, &u)
		found = u
	default:
		return types.Type{}, fmt.Errorf("%q: %w", name, probe.ErrNoStruct)
	}
	if errors.Is(err, btf.ErrNotFound) {
		return types.Type{}, fmt.Errorf("%s: %w", name, probe.ErrNoStruct)
	}
	if err != nil {
		return types.Type{}, fmt.Errorf("%s: %w", name, err)
	}
	rec, err := probe.RecordFromBTF(found)
	if err != nil {
		return types.Type{}, err
	}
	if k.records == nil {
		k.records = map[string]types.Type{}
	}
	k.records[name] = rec
	return rec, nil
}
