// Package usdt reads the USDT (SystemTap SDT) probes of an ELF file: the
// notes of its .note.stapsdt section, with their argument strings.
package usdt

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime/sym"
)

// Sites reads every USDT probe location of an ELF file.
func Sites(path string) ([]probe.USDTSite, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read USDT probes of %s: %w", path, err)
	}
	defer f.Close()
	notes := f.Section(".note.stapsdt")
	if notes == nil {
		return nil, nil
	}
	data, err := notes.Data()
	if err != nil {
		return nil, fmt.Errorf("read USDT probes of %s: %w", path, err)
	}
	// Prelinked files moved .stapsdt.base; the notes keep its link-time address.
	var baseAddr uint64
	if b := f.Section(".stapsdt.base"); b != nil {
		baseAddr = b.Addr
	}
	var sites []probe.USDTSite
	for len(data) >= 12 {
		namesz := binary.LittleEndian.Uint32(data[0:])
		descsz := binary.LittleEndian.Uint32(data[4:])
		typ := binary.LittleEndian.Uint32(data[8:])
		nameEnd := 12 + align4(namesz)
		descEnd := nameEnd + align4(descsz)
		if uint64(descEnd) > uint64(len(data)) {
			return nil, fmt.Errorf("read USDT probes of %s: truncated note", path)
		}
		owner := string(bytes.TrimRight(data[12:12+namesz], "\x00"))
		desc := data[nameEnd : nameEnd+descsz]
		data = data[descEnd:]
		if owner != "stapsdt" || typ != 3 || len(desc) < 24 {
			continue
		}
		pc := binary.LittleEndian.Uint64(desc[0:])
		base := binary.LittleEndian.Uint64(desc[8:])
		sema := binary.LittleEndian.Uint64(desc[16:])
		strs := strings.SplitN(string(desc[24:]), "\x00", 4)
		if len(strs) < 3 {
			continue
		}
		if baseAddr != 0 && base != 0 {
			pc += baseAddr - base
			if sema != 0 {
				sema += baseAddr - base
			}
		}
		site := probe.USDTSite{Provider: strs[0], Name: strs[1]}
		if site.Offset, err = sym.FileOffset(f, pc, false); err != nil {
			return nil, fmt.Errorf("USDT probe %s:%s in %s: %w", site.Provider, site.Name, path, err)
		}
		if sema != 0 {
			if site.Semaphore, err = sym.FileOffset(f, sema, false); err != nil {
				return nil, fmt.Errorf("USDT probe %s:%s in %s: semaphore: %w", site.Provider, site.Name, path, err)
			}
		}
		if site.Args, err = parseArgs(strs[2]); err != nil {
			return nil, fmt.Errorf("USDT probe %s:%s in %s: %w", site.Provider, site.Name, path, err)
		}
		sites = append(sites, site)
	}
	return sites, nil
}

func align4(n uint32) uint32 { return (n + 3) &^ 3 }

// parseArgs parses an x86-64 argument string: space-separated
// size@operand.
func parseArgs(s string) ([]probe.USDTArg, error) {
	var args []probe.USDTArg
	for _, f := range strings.Fields(s) {
		size, op, ok := strings.Cut(f, "@")
		if !ok {
			return nil, fmt.Errorf("argument %q: want size@operand", f)
		}
		n, err := strconv.Atoi(size)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("argument %q: bad size", f)
		}
		a := probe.USDTArg{Size: n, Signed: n < 0}
		if n < 0 {
			a.Size = -n
		}
		switch a.Size {
		case 1, 2, 4, 8:
		default:
			return nil, fmt.Errorf("argument %q: bad size", f)
		}
		switch {
		case strings.HasPrefix(op, "$"):
			a.Kind = probe.USDTConst
			if a.Value, err = strconv.ParseInt(op[1:], 0, 64); err != nil {
				return nil, fmt.Errorf("argument %q: bad constant", f)
			}
		case strings.HasPrefix(op, "%"):
			a.Kind = probe.USDTReg
			if a.Reg, ok = x86Reg(op[1:]); !ok {
				return nil, fmt.Errorf("argument %q: unknown register", f)
			}
		case strings.HasSuffix(op, ")"):
			if err := parseMem(&a, op); err != nil {
				return nil, fmt.Errorf("argument %q: %w", f, err)
			}
		default:
			return nil, fmt.Errorf("argument %q: unsupported operand", f)
		}
		args = append(args, a)
	}
	return args, nil
}

// parseMem parses an x86-64 memory operand, OFF(%BASE) or
// OFF(%BASE,%INDEX,SCALE), into a.
func parseMem(a *probe.USDTArg, op string) error {
	i := strings.IndexByte(op, '(')
	if i < 0 {
		return errors.New("unsupported operand")
	}
	parts := strings.Split(op[i+1:len(op)-1], ",")
	if len(parts) != 1 && len(parts) != 3 {
		return errors.New("unsupported memory operand")
	}
	var ok bool
	a.Kind = probe.USDTMem
	if a.Reg, ok = x86Reg(strings.TrimPrefix(parts[0], "%")); !ok || a.Reg == "ip" || !strings.HasPrefix(parts[0], "%") {
		return errors.New("unsupported base register")
	}
	if len(parts) == 3 {
		if a.Index, ok = x86Reg(strings.TrimPrefix(parts[1], "%")); !ok || a.Index == "ip" || !strings.HasPrefix(parts[1], "%") {
			return errors.New("unsupported index register")
		}
		switch parts[2] {
		case "1", "2", "4", "8":
			a.Scale = int(parts[2][0] - '0')
		default:
			return errors.New("bad scale")
		}
	}
	if i > 0 {
		var err error
		if a.Value, err = strconv.ParseInt(op[:i], 0, 64); err != nil {
			return errors.New("bad offset")
		}
	}
	return nil
}

// x86Reg maps an x86-64 register name of any width to its pt_regs name.
func x86Reg(r string) (string, bool) {
	switch r {
	case "rax", "eax", "ax", "al":
		return "ax", true
	case "rbx", "ebx", "bx", "bl":
		return "bx", true
	case "rcx", "ecx", "cx", "cl":
		return "cx", true
	case "rdx", "edx", "dx", "dl":
		return "dx", true
	case "rsi", "esi", "si", "sil":
		return "si", true
	case "rdi", "edi", "di", "dil":
		return "di", true
	case "rbp", "ebp", "bp", "bpl":
		return "bp", true
	case "rsp", "esp", "sp", "spl":
		return "sp", true
	case "rip":
		return "ip", true
	}
	if strings.HasPrefix(r, "r") {
		n := strings.TrimRight(r[1:], "dwb")
		if v, err := strconv.Atoi(n); err == nil && v >= 8 && v <= 15 {
			return "r" + n, true
		}
	}
	return "", false
}
