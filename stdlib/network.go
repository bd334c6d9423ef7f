package stdlib

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/types"
)

// networkEntries are addresses and byte order: ntop, pton, macaddr,
// bswap.
func networkEntries() []*Entry {
	return []*Entry{
		{Name: "ntop", Kind: check.Func, Doc: "ntop([af,] addr): format an IP address", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 2) {
				return types.Type{}
			}
			for i, t := range u.ArgTypes {
				if i == len(u.ArgTypes)-1 && ipBytes(t) > 0 {
					continue
				}
				if !t.IsInt() {
					u.ErrorAt(u.Args[i], "ntop() expects an integer (IPv4) or an array of 4 or 16 bytes (%s provided)", t)
					return types.Type{}
				}
			}
			return types.Type{Kind: types.Inet}
		}, Emit: MemEmitter(ntopEmit)},
		{Name: "pton", Kind: check.Func, Doc: "pton(\"addr\"): an IPv4 or IPv6 address literal as bytes", Type: ptonType,
			Emit: MemEmitter(func(g Gen, c *ast.Call, off int16, _ int) {
				b, _ := PtonBytes(g.StrLit(c.Args[0])) // checked
				for i := 0; i < len(b); i += 4 {
					g.Emit(asm.StoreImm(asm.R10, off+int16(i), int64(int32(binary.LittleEndian.Uint32(b[i:]))), asm.Word))
				}
			})},
		{Name: "macaddr", Kind: check.Func, Doc: "macaddr(addr): format the 6 bytes at a pointer, or a 6-byte array, as a MAC address", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 1) {
				return types.Type{}
			}
			// char mac[6] is a 6-byte string to gbt: its bytes count; so
			// do a 6-byte buf()'s (the newest bpftrace prints its length
			// in the first byte: 06:00:00:00:61:62 for buf("abcdef", 6)).
			if t := u.ArgTypes[0]; t.Kind != types.Pointer && !((t.Kind == types.Array || t.Kind == types.String) && t.ByteSize() == 6) && !(t.Kind == types.Buffer && t.Size == 6) {
				u.Errorf("macaddr() argument must be 6 bytes in size")
				return types.Type{}
			}
			return types.Type{Kind: types.Mac}
		}, Emit: MemEmitter(func(g Gen, c *ast.Call, off int16, _ int) {
			switch t := g.TypeOf(c.Args[0]); t.Kind {
			case types.Array, types.String:
				g.EvalMem(c.Args[0], t, off)
				return
			case types.Buffer: // its length, then the 6 bytes
				tmp := g.Alloc(t.ByteSize())
				g.EvalMem(c.Args[0], t, tmp)
				g.Emit(
					asm.LoadMem(asm.R0, asm.R10, tmp+8, asm.Word), asm.StoreMem(asm.R10, off, asm.R0, asm.Word),
					asm.LoadMem(asm.R0, asm.R10, tmp+12, asm.Half), asm.StoreMem(asm.R10, off+4, asm.R0, asm.Half),
				)
				return
			}
			g.ReadMem(c.Args[0], off, 6)
		})},
		{Name: "bswap", Kind: check.Func, Doc: "bswap(n): reverse the byte order of an integer of its size", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 1) {
				return types.Type{}
			}
			if t := u.ArgTypes[0]; !t.IsInt() {
				u.Errorf("bswap() only supports integer arguments (%s provided)", t.KindWord())
				return types.Type{}
			}
			return types.IntOf(u.ArgTypes[0].Bits, false)
		}, Emit: IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) {
			g.EvalInt(c.Args[0], dst)
			if bits := g.TypeOf(c.Args[0]).Bits; bits > 8 {
				// BPF_END to big endian swaps bytes on this little-endian
				// target, zero-extending the narrower sizes.
				g.Emit(asm.HostTo(asm.BE, dst, map[int]asm.Size{16: asm.Half, 32: asm.Word, 64: asm.DWord}[bits]))
			}
		})},
	}
}

// ipBytes is the length of an address held in an array of bytes (4 for
// IPv4, 16 for IPv6), or 0.
func ipBytes(t types.Type) int {
	if (t.Kind == types.Array && t.Elem != nil && t.Elem.Kind == types.Int && t.Elem.Bits == 8) && (t.Len == 4 || t.Len == 16) {
		return t.Len
	}
	return 0
}

// PtonBytes parses pton()'s literal: an IPv4 address (it has a '.') in 4
// bytes or an IPv6 address (a ':') in 16, as bpftrace tells them apart.
func PtonBytes(addr string) ([]byte, error) {
	var n int
	switch {
	case strings.Contains(addr, "."):
		n = 4
	case strings.Contains(addr, ":"):
		n = 16
	default:
		return nil, fmt.Errorf("pton() expects an string argument of an IPv4/IPv6 address, got %s", addr)
	}
	a, err := netip.ParseAddr(addr)
	if err != nil || (n == 4) != a.Is4() {
		return nil, fmt.Errorf("pton() expects a valid IPv4/IPv6 address, got %s", addr)
	}
	return a.AsSlice(), nil
}

func ptonType(u *check.Use) types.Type {
	if !arity(u, 1, 1) {
		return types.Type{}
	}
	addr, ok := literalArg(u, 0)
	if !ok {
		return types.Type{}
	}
	b, err := PtonBytes(addr)
	if err != nil {
		u.Errorf("%v", err)
		return types.Type{}
	}
	return types.ArrayOf(types.U8, len(b))
}

// ntopEmit writes an inet value: the address family, then the address (an
// integer IPv4 address, or an array of 4 or 16 bytes).
func ntopEmit(g Gen, c *ast.Call, off int16, _ int) {
	addr := c.Args[len(c.Args)-1]
	at := g.TypeOf(addr)
	if len(c.Args) == 2 {
		g.EvalMem(c.Args[0], types.U64, off)
	} else {
		af := int32(2) // AF_INET
		if ipBytes(at) == 16 {
			af = 10 // AF_INET6
		}
		g.Emit(asm.Mov.Imm(asm.R1, af), asm.StoreMem(asm.R10, off, asm.R1, asm.DWord))
	}
	if ipBytes(at) > 0 {
		g.EvalMem(addr, at, off+8)
		return
	}
	g.EvalMem(addr, types.U32, off+8)
}
