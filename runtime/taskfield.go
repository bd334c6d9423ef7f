package runtime

import (
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"

	"github.com/gbt-dev/gbt/lang/probe"
)

// taskFields answers codegen.Options.TaskField from env's kernel types:
// a field's offset in struct task_struct, for programs of types the
// kernel lets call bpf_get_current_task_btf (probed once a type, by
// cilium/ebpf's features, which caches its answers). The kernel's BTF is
// read only when a script asks (comm compared with a literal), as parsing
// it costs about 0.1 s and 5 MB.
type taskFields struct {
	env     probe.Env
	helpers func(ebpf.ProgramType, asm.BuiltinFunc) bool // nil: the kernel's
	mu      sync.Mutex
	offsets map[string]int
	noBTF   bool
}

func (tf *taskFields) field(t ebpf.ProgramType, name string) (int, bool) {
	tf.mu.Lock()
	defer tf.mu.Unlock()
	var ok bool
	if tf.helpers != nil {
		ok = tf.helpers(t, asm.FnGetCurrentTaskBtf)
	} else {
		ok = features.HaveProgramHelper(t, asm.FnGetCurrentTaskBtf) == nil
	}
	if !ok || tf.noBTF {
		return 0, false
	}
	if tf.offsets == nil {
		rec, err := tf.env.Struct("struct task_struct")
		if err != nil {
			tf.noBTF = true
			return 0, false
		}
		tf.offsets = map[string]int{}
		for _, f := range rec.Fields {
			if f.BitWidth == 0 {
				tf.offsets[f.Name] = f.Offset
			}
		}
	}
	off, ok := tf.offsets[name]
	return off, ok
}
