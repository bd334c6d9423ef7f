package kernel

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// The layout side of -lv's C definitions, as libbpf's btf_dump writes
// them (which bpftrace prints): a gap between members that C's natural
// alignment would not leave is written as padding members ("long: 64;"),
// and a struct whose members or size are not naturally aligned is marked
// __attribute__((packed)).

const ptrBytes = 8 // x86-64, arm64

// alignOf is t's alignment in bytes under C's natural layout: a scalar's
// size (at most a pointer's), a record's largest member's, 1 for a record
// that cannot be naturally aligned (packed). Qualifiers and typedefs are
// their type's.
func alignOf(t btf.Type) int {
	switch t := btf.UnderlyingType(t).(type) {
	case *btf.Int:
		return min(ptrBytes, int(t.Size))
	case *btf.Enum:
		return min(ptrBytes, int(t.Size))
	case *btf.Float:
		return min(ptrBytes, int(t.Size))
	case *btf.Pointer:
		return ptrBytes
	case *btf.Array:
		return alignOf(t.Type)
	case *btf.Struct:
		if largest, packed := recordLayout(t.Members, t.Size); !packed {
			return largest
		}
	case *btf.Union:
		if largest, packed := recordLayout(t.Members, t.Size); !packed {
			return largest
		}
	}
	return 1
}

// recordLayout returns the largest alignment of a record's members, and
// whether its layout is not C's natural one (packed): a member off its
// alignment, or a size that is not a multiple of the largest alignment.
// (A packed struct laid out naturally anyway cannot be told apart, and is
// written without the attribute, as libbpf does.)
func recordLayout(members []btf.Member, size uint32) (largest int, packed bool) {
	largest = 1
	for _, m := range members {
		a := alignOf(m.Type)
		if m.BitfieldSize == 0 && int(m.Offset)%(8*a) != 0 {
			return largest, true
		}
		largest = max(largest, a)
	}
	return largest, int(size)%largest != 0
}

var paddingTypes = [...]struct {
	name string
	bits int
}{{"long", ptrBytes * 8}, {"int", 32}, {"short", 16}, {"char", 8}}

func roundUp(x, to int) int {
	if to <= 0 {
		return x
	}
	return (x + to - 1) / to * to
}

// writePadding writes the padding members that take a struct from bit
// offset cur to next, where the next member (of alignment nextAlign
// bytes; 0 at the struct's end) starts: the largest of long, int, short
// and char whose alignment lands at or before next, with an explicit
// "type: 0;" where C's own alignment would not get there, then whole
// "type: bits;" members and a smaller last one.
func writePadding(b *strings.Builder, cur, next, nextAlign int, inBitfield bool, depth int) {
	if cur >= next {
		return
	}
	indent := strings.Repeat("\t", depth)
	pad := paddingTypes[len(paddingTypes)-1]
	aligned := 0
	for _, p := range paddingTypes {
		pad, aligned = p, roundUp(cur, p.bits)
		if aligned <= next {
			break
		}
	}
	if aligned > cur && aligned <= next {
		needMark := inBitfield ||
			(aligned == next && roundUp(cur, nextAlign*8) != aligned) ||
			(aligned != next && next-aligned <= aligned-cur)
		if needMark {
			bits := 0
			if inBitfield {
				bits = aligned - cur
			}
			fmt.Fprintf(b, "%s%s: %d;\n", indent, pad.name, bits)
		}
		cur = aligned
	}
	for cur != next {
		bits := min(next-cur, pad.bits)
		if bits == pad.bits {
			fmt.Fprintf(b, "%s%s: %d;\n", indent, pad.name, bits)
			cur += bits
			continue
		}
		for i := len(paddingTypes) - 1; i >= 0; i-- {
			if paddingTypes[i].bits >= bits {
				fmt.Fprintf(b, "%s%s: %d;\n", indent, paddingTypes[i].name, bits)
				break
			}
		}
		cur += bits
	}
}
