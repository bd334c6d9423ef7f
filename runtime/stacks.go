package runtime

import (
	"encoding/binary"
	"strconv"

	"github.com/cilium/ebpf"

	"github.com/gbt-dev/gbt/runtime/sym"
)

// kernelStacks resolves kstack ids through the stack-trace map (nil when
// the script takes no stacks) and kernel addresses through /proc/kallsyms,
// which is read once, the first time either is printed.
type kernelStacks struct {
	m     *ebpf.Map
	syms  *sym.Kernel
	err   error
	cache map[int64][]string
}

// KernelStack implements output.StackResolver.
func (k *kernelStacks) KernelStack(id int64) []string {
	if id < 0 {
		return nil // the stack could not be taken
	}
	if frames, ok := k.cache[id]; ok {
		return frames
	}
	if k.m == nil {
		return nil
	}
	k.load()
	raw, err := k.m.LookupBytes(uint32(id))
	if err != nil || raw == nil {
		return nil
	}
	var frames []string
	for off := 0; off+8 <= len(raw); off += 8 {
		addr := binary.LittleEndian.Uint64(raw[off:])
		if addr == 0 {
			break
		}
		if k.syms != nil {
			frames = append(frames, k.syms.Format(addr))
		} else {
			frames = append(frames, "0x"+strconv.FormatUint(addr, 16))
		}
	}
	k.cache[id] = frames
	return frames
}

func (k *kernelStacks) load() {
	if k.syms == nil && k.err == nil {
		k.syms, k.err = sym.LoadKernel()
	}
}

// KernelSymbol implements output.StackResolver.
func (k *kernelStacks) KernelSymbol(addr uint64) string {
	k.load()
	if k.syms != nil {
		if name, _, ok := k.syms.Resolve(addr); ok {
			return name
		}
	}
	return "0x" + strconv.FormatUint(addr, 16)
}
