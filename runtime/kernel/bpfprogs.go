package kernel

import (
	"errors"
	"fmt"
	"os"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	"github.com/gbt-dev/gbt/lang/probe"
)

// BPFFuncs implements probe.Env: it walks the kernel's BPF programs by
// id and reads the BTF function info of each that has it. A program that
// goes away while it is read is skipped.
func (e *Env) BPFFuncs() ([]probe.BPFFunc, error) {
	var out []probe.BPFFunc
	id := ebpf.ProgramID(0)
	for {
		next, err := ebpf.ProgramGetNextID(id)
		if errors.Is(err, os.ErrNotExist) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("next BPF program after id %d: %w", id, err)
		}
		id = next
		funcs, err := progFuncs(id)
		if err != nil {
			continue
		}
		out = append(out, funcs...)
	}
}

// progFuncs returns the functions of the program id from its BTF function
// info; none for a program loaded without it.
func progFuncs(id ebpf.ProgramID) ([]probe.BPFFunc, error) {
	prog, err := ebpf.NewProgramFromID(id)
	if err != nil {
		return nil, err
	}
	defer prog.Close()
	info, err := prog.Info()
	if err != nil {
		return nil, err
	}
	if _, ok := info.BTFID(); !ok {
		return nil, nil
	}
	fis, err := info.FuncInfos()
	if err != nil {
		return nil, err
	}
	out := make([]probe.BPFFunc, 0, len(fis))
	for _, fi := range fis {
		f := probe.BPFFunc{ProgID: uint32(id), Name: fi.Func.Name}
		if proto, ok := fi.Func.Type.(*btf.FuncProto); ok {
			f.Params = len(proto.Params)
		}
		out = append(out, f)
	}
	return out, nil
}
