package runtime

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"
	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/probe"
)

// load creates the maps and loads every program, mapping verifier errors
// back to the script.
func (s *Session) load() error {
	for _, md := range s.obj.Maps {
		m, err := ebpf.NewMap(md.Spec)
		if err != nil {
			if ferr := features.HaveMapType(md.Spec.Type); errors.Is(ferr, ebpf.ErrNotSupported) {
				// Name the kernel feature that is missing, probed.
				return fmt.Errorf("create map %s: this kernel has no %v maps: %w", md.Name, md.Spec.Type, err)
			}
			return fmt.Errorf("create map %s: %w", md.Name, err)
		}
		s.maps[md.Spec.Name] = m
		if md.Role == codegen.RoleCgroup {
			if err := putCgroup(m, s.obj.Cgroup); err != nil {
				return err
			}
		}
	}
	for _, p := range s.obj.Programs {
		insns := make(asm.Instructions, len(p.Insns))
		copy(insns, p.Insns)
		for name, m := range s.maps {
			if err := insns.AssociateMap(name, m); err != nil && !errors.Is(err, asm.ErrUnreferencedSymbol) {
				return fmt.Errorf("%s: associate map %s: %w", p.Name, name, err)
			}
		}
		if err := s.resolveKernelIDs(p, insns); err != nil {
			return err
		}
		spec := &ebpf.ProgramSpec{Name: progName(p), Type: p.Type, Instructions: insns, License: "GPL",
			AttachType: p.AttachType, AttachTo: p.AttachTo}
		if p.AttachProg != 0 {
			target, err := ebpf.NewProgramFromID(ebpf.ProgramID(p.AttachProg))
			if err != nil {
				return fmt.Errorf("%s: the BPF program with id %d: %w", p.Name, p.AttachProg, err)
			}
			spec.AttachTarget = target
		}
		ml := s.multiLinkerFor(p)
		if ml != nil {
			spec.AttachType = ml.attachType
		}
		s.multi = append(s.multi, ml)
		prog, err := ebpf.NewProgramWithOptions(spec, ebpf.ProgramOptions{})
		if spec.AttachTarget != nil {
			spec.AttachTarget.Close() // the loaded program holds it
		}
		if err != nil {
			if p.Kind == probe.ProgTracing && errors.Is(err, unix.EPERM) && p.AttachProg != 0 {
				return fmt.Errorf("%s: %w (fentry:bpf and fexit:bpf need BPF trampolines and no lockdown)", p.Name, ErrNoTrampolines)
			}
			if p.Kind == probe.ProgTracing && errors.Is(err, unix.EPERM) && p.AttachType != ebpf.AttachTraceRawTp {
				return fmt.Errorf("%s: %w (kfunc/kretfunc need BPF trampolines, CONFIG_FUNCTION_TRACER and no lockdown; kprobe:%s is the alternative where kprobes exist)", p.Name, ErrNoTrampolines, p.AttachTo)
			}
			return s.loadError(p, err)
		}
		s.progs = append(s.progs, prog)
	}
	return nil
}

// progName is the kernel's name of a program: the first 15 characters
// (BPF_OBJ_NAME_LEN) of its BTF function name, which the kernel keeps
// whole where it has BTF.
func progName(p *codegen.Program) string {
	if len(p.FuncName) > 15 {
		return p.FuncName[:15]
	}
	return p.FuncName
}

// putCgroup puts the cgroup directory dir in element 0 of a cgroup array:
// the map holds the cgroup itself, so the directory's fd is closed after.
func putCgroup(m *ebpf.Map, dir string) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("--cgroup: open %s: %w", dir, err)
	}
	defer unix.Close(fd)
	if err := m.Put(uint32(0), uint32(fd)); err != nil {
		return fmt.Errorf("--cgroup: put %s in the cgroup filter's map: %w", dir, err)
	}
	return nil
}
