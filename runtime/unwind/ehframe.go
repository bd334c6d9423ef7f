package unwind

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// Table is the call frame information of one ELF file: the FDEs of its
// .eh_frame, then those of its .debug_frame (for code built without
// unwind tables but with -g), each sorted by the address they start at
// (the file's link-time addresses).
type Table struct {
	fdes, debugFDEs []fde
}

// cie is a Common Information Entry: what the FDEs that point at it share.
type cie struct {
	codeAlign  uint64
	dataAlign  int64
	raReg      uint64
	fdeEnc     byte // pointer encoding of the FDEs' addresses ('R')
	hasAugData bool // 'z': FDEs carry augmentation data to skip
	initial    []byte
}

// fde is a Frame Description Entry: the instructions that give the rules of
// every address in [start, end).
type fde struct {
	start, end uint64
	cie        *cie
	insns      []byte
}

// ReadTable reads the .eh_frame and .debug_frame of an ELF file.
func ReadTable(f *elf.File) (*Table, error) {
	t := &Table{}
	for _, name := range []string{".eh_frame", ".debug_frame"} {
		sec := f.Section(name)
		if sec == nil || sec.Type == elf.SHT_NOBITS {
			continue
		}
		data, err := sec.Data()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		debug := name == ".debug_frame"
		fdes, err := parseFrames(data, sec.Addr, debug)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if debug {
			t.debugFDEs = fdes
		} else {
			t.fdes = fdes
		}
	}
	if len(t.fdes)+len(t.debugFDEs) == 0 {
		return nil, errors.New("no .eh_frame or .debug_frame entries")
	}
	return t, nil
}

// parseFrames reads the entries of an .eh_frame section loaded at addr, or
// of a .debug_frame section (debug), whose CIEs are marked by an all-ones
// id and whose FDEs name their CIE by its offset in the section.
func parseFrames(data []byte, addr uint64, debug bool) ([]fde, error) {
	var fdes []fde
	cies := map[uint64]*cie{}
	for off := uint64(0); off+4 <= uint64(len(data)); {
		start := off
		length := uint64(binary.LittleEndian.Uint32(data[off:]))
		off += 4
		if length == 0 {
			if debug {
				continue // padding
			}
			break // the terminator
		}
		long := length == 0xffffffff
		if long {
			if off+8 > uint64(len(data)) {
				return nil, fmt.Errorf("entry at %#x: truncated 64-bit length", start)
			}
			length = binary.LittleEndian.Uint64(data[off:])
			off += 8
		}
		if length > uint64(len(data))-off || length < 4 {
			return nil, fmt.Errorf("entry at %#x: length %d past the section", start, length)
		}
		end := off + length
		idPos := off
		id, idSize := uint64(binary.LittleEndian.Uint32(data[off:])), uint64(4)
		if debug && long {
			if length < 8 {
				return nil, fmt.Errorf("entry at %#x: length %d", start, length)
			}
			id, idSize = binary.LittleEndian.Uint64(data[off:]), 8
		}
		r := &reader{data: data[:end], pos: off + idSize, base: addr}
		isCIE := id == 0
		cieOff := idPos - id // .eh_frame: relative to the id
		if debug {
			isCIE = id == 0xffffffff || id == 0xffffffffffffffff
			cieOff = id
		}
		if isCIE {
			c, err := parseCIE(r)
			if err != nil {
				return nil, fmt.Errorf("CIE at %#x: %w", start, err)
			}
			cies[start] = c
		} else {
			c, ok := cies[cieOff]
			if !ok {
				var err error
				if c, err = cieAt(data, cieOff, addr, debug); err != nil {
					return nil, fmt.Errorf("FDE at %#x: %w", start, err)
				}
				cies[cieOff] = c
			}
			fd, err := parseFDE(r, c)
			if err != nil {
				return nil, fmt.Errorf("FDE at %#x: %w", start, err)
			}
			if fd.end > fd.start {
				fdes = append(fdes, fd)
			}
		}
		off = end
	}
	sort.Slice(fdes, func(i, j int) bool { return fdes[i].start < fdes[j].start })
	return fdes, nil
}

// cieAt parses the CIE at offset off (an FDE before its CIE).
func cieAt(data []byte, off, addr uint64, debug bool) (*cie, error) {
	if off > uint64(len(data)) || uint64(len(data))-off < 16 {
		return nil, fmt.Errorf("CIE pointer %#x past the section", off)
	}
	length := uint64(binary.LittleEndian.Uint32(data[off:]))
	pos := off + 4
	long := length == 0xffffffff
	if long {
		length = binary.LittleEndian.Uint64(data[pos:])
		pos += 8
	}
	if length > uint64(len(data))-pos || length < 8 {
		return nil, fmt.Errorf("no CIE at %#x", off)
	}
	end := pos + length
	id, idSize := uint64(binary.LittleEndian.Uint32(data[pos:])), uint64(4)
	if debug && long {
		id, idSize = binary.LittleEndian.Uint64(data[pos:]), 8
	}
	if (!debug && id != 0) || (debug && id != 0xffffffff && id != 0xffffffffffffffff) {
		return nil, fmt.Errorf("no CIE at %#x", off)
	}
	return parseCIE(&reader{data: data[:end], pos: pos + idSize, base: addr})
}

func parseCIE(r *reader) (*cie, error) {
	c := &cie{}
	version := r.u8()
	if version != 1 && version != 3 && version != 4 {
		return nil, fmt.Errorf("version %d", version)
	}
	aug := r.cstring()
	if version == 4 {
		r.u8() // address size
		r.u8() // segment selector size
	}
	c.codeAlign = r.uleb()
	c.dataAlign = r.sleb()
	if version == 1 {
		c.raReg = uint64(r.u8())
	} else {
		c.raReg = r.uleb()
	}
	if len(aug) > 0 && aug[0] == 'z' {
		c.hasAugData = true
		n := r.uleb()
		augEnd := r.pos + n
		for _, ch := range aug[1:] {
			switch ch {
			case 'R':
				c.fdeEnc = r.u8()
			case 'L':
				r.u8() // LSDA encoding
			case 'P':
				enc := r.u8()
				r.pointer(enc) // personality routine
			case 'S', 'B', 'G':
			default:
				return nil, fmt.Errorf("augmentation %q", aug)
			}
		}
		r.pos = augEnd
	} else if aug != "" {
		return nil, fmt.Errorf("augmentation %q", aug)
	}
	if r.err != nil {
		return nil, r.err
	}
	if r.pos > uint64(len(r.data)) {
		return nil, errors.New("truncated")
	}
	c.initial = r.data[r.pos:]
	return c, nil
}

func parseFDE(r *reader, c *cie) (fde, error) {
	start := r.pointer(c.fdeEnc)
	size := r.pointer(c.fdeEnc & 0x0f) // the range is not relative
	if c.hasAugData {
		n := r.uleb()
		r.pos += n
	}
	if r.err != nil || r.pos > uint64(len(r.data)) {
		return fde{}, errors.New("truncated")
	}
	return fde{start: start, end: start + size, cie: c, insns: r.data[r.pos:]}, nil
}

// find returns the FDE covering the address pc: .eh_frame's, else
// .debug_frame's.
func (t *Table) find(pc uint64) (*fde, bool) {
	for _, fdes := range [][]fde{t.fdes, t.debugFDEs} {
		i := sort.Search(len(fdes), func(i int) bool { return fdes[i].start > pc }) - 1
		if i >= 0 && pc < fdes[i].end {
			return &fdes[i], true
		}
	}
	return nil, false
}

// Pointer encodings (DW_EH_PE_*).
const (
	peAbsptr = 0x00
	peULEB   = 0x01
	peUdata2 = 0x02
	peUdata4 = 0x03
	peUdata8 = 0x04
	peSLEB   = 0x09
	peSdata2 = 0x0a
	peSdata4 = 0x0b
	peSdata8 = 0x0c
	pePCRel  = 0x10
	peOmit   = 0xff
)

// reader decodes the little-endian fields of call frame information;
// base is the address data[0] is loaded at (for pc-relative pointers). A
// read past the end sets err and yields zeros.
type reader struct {
	data []byte
	pos  uint64
	base uint64
	err  error
}

func (r *reader) need(n uint64) bool {
	if r.err != nil || r.pos > uint64(len(r.data)) || n > uint64(len(r.data))-r.pos {
		r.err = errors.New("truncated")
		return false
	}
	return true
}

func (r *reader) done() bool { return r.err != nil || r.pos >= uint64(len(r.data)) }

func (r *reader) u8() byte {
	if !r.need(1) {
		return 0
	}
	r.pos++
	return r.data[r.pos-1]
}

func (r *reader) u16() uint16 {
	if !r.need(2) {
		return 0
	}
	r.pos += 2
	return binary.LittleEndian.Uint16(r.data[r.pos-2:])
}

func (r *reader) u32() uint32 {
	if !r.need(4) {
		return 0
	}
	r.pos += 4
	return binary.LittleEndian.Uint32(r.data[r.pos-4:])
}

func (r *reader) u64() uint64 {
	if !r.need(8) {
		return 0
	}
	r.pos += 8
	return binary.LittleEndian.Uint64(r.data[r.pos-8:])
}

func (r *reader) uleb() uint64 {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		b := r.u8()
		if shift < 64 {
			v |= uint64(b&0x7f) << shift
		}
		if b&0x80 == 0 || r.err != nil {
			return v
		}
	}
}

func (r *reader) sleb() int64 {
	var v int64
	var shift uint
	for {
		b := r.u8()
		if shift < 64 {
			v |= int64(b&0x7f) << shift
		}
		shift += 7
		if b&0x80 == 0 || r.err != nil {
			if shift < 64 && b&0x40 != 0 {
				v |= -1 << shift
			}
			return v
		}
	}
}

func (r *reader) cstring() string {
	start := r.pos
	for !r.done() && r.data[r.pos] != 0 {
		r.pos++
	}
	s := string(r.data[start:r.pos])
	r.u8()
	return s
}

// pointer reads a pointer of encoding enc (DW_EH_PE_*).
func (r *reader) pointer(enc byte) uint64 {
	if enc == peOmit {
		return 0
	}
	at := r.base + r.pos
	var v uint64
	switch enc & 0x0f {
	case peAbsptr, peUdata8, peSdata8:
		v = r.u64()
	case peULEB:
		v = r.uleb()
	case peUdata2:
		v = uint64(r.u16())
	case peUdata4:
		v = uint64(r.u32())
	case peSLEB:
		v = uint64(r.sleb())
	case peSdata2:
		v = uint64(int64(int16(r.u16())))
	case peSdata4:
		v = uint64(int64(int32(r.u32())))
	default:
		r.err = fmt.Errorf("pointer encoding %#x", enc)
		return 0
	}
	switch enc & 0x70 {
	case 0:
	case pePCRel:
		v += at
	default:
		// text-, data- and function-relative pointers do not occur in
		// the .eh_frame of x86-64 ELF files.
		r.err = fmt.Errorf("pointer encoding %#x", enc)
	}
	return v
}
