// Package sym resolves kernel addresses to symbol names from /proc/kallsyms.
package sym

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Kernel is a sorted table of kernel text symbols.
type Kernel struct {
	addrs []uint64
	names []string
}

// LoadKernel reads /proc/kallsyms (root sees real addresses).
func LoadKernel() (*Kernel, error) {
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		return nil, fmt.Errorf("kernel symbols: %w", err)
	}
	defer f.Close()
	return ParseKallsyms(f)
}

// ParseKallsyms reads kallsyms text: "address type name [module]" lines.
// Only text symbols (t, T, w, W) are kept.
func ParseKallsyms(r io.Reader) (*Kernel, error) {
	k := &Kernel{}
	type entry struct {
		addr uint64
		name string
	}
	var es []entry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		switch fields[1] {
		case "t", "T", "w", "W":
		default:
			continue
		}
		addr, err := strconv.ParseUint(fields[0], 16, 64)
		if err != nil || addr == 0 {
			continue
		}
		es = append(es, entry{addr, fields[2]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read kallsyms: %w", err)
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].addr < es[j].addr })
	k.addrs = make([]uint64, len(es))
	k.names = make([]string, len(es))
	for i, e := range es {
		k.addrs[i], k.names[i] = e.addr, e.name
	}
	return k, nil
}

// Resolve returns the symbol containing addr and the offset into it.
func (k *Kernel) Resolve(addr uint64) (name string, off uint64, ok bool) {
	i := sort.Search(len(k.addrs), func(i int) bool { return k.addrs[i] > addr }) - 1
	if i < 0 {
		return "", 0, false
	}
	return k.names[i], addr - k.addrs[i], true
}

// Size returns the size of the text symbol name, as far as kallsyms
// tells: from its address to the next symbol's (alignment padding
// included). ok is false when name is not a text symbol or is the last.
func (k *Kernel) Size(name string) (size uint64, ok bool) {
	for i, n := range k.names {
		if n != name {
			continue
		}
		for j := i + 1; j < len(k.addrs); j++ {
			if k.addrs[j] > k.addrs[i] {
				return k.addrs[j] - k.addrs[i], true
			}
		}
		return 0, false
	}
	return 0, false
}

// Format renders addr as bpftrace does in stacks: "name+off", or the hex
// address when no symbol covers it.
func (k *Kernel) Format(addr uint64) string {
	if name, off, ok := k.Resolve(addr); ok {
		return WithOffset(name, off)
	}
	return "0x" + strconv.FormatUint(addr, 16)
}
