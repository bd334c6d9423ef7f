package dwarfinfo

import (
	"debug/dwarf"
	"fmt"
	"strconv"

	"github.com/gbt-dev/gbt/lang/types"
)

// maxDepth bounds the nesting of records converted in place (members
// that are structs by value, anonymous or not).
const maxDepth = 16

// convert converts a DWARF type to gbt's: integers, enums and bools to
// integers of their size (__int128 to its low 64 bits, as bpftrace prints
// it), pointers to user-memory pointers, char arrays to strings, other
// arrays to arrays, structs and unions by value to records with their
// members. What a pointer points at is converted by pointee.
func convert(t dwarf.Type, depth int) (types.Type, error) {
	switch v := skipTypedefs(t).(type) {
	case *dwarf.IntType, *dwarf.CharType:
		return intOf(v.Size(), true), nil
	case *dwarf.UintType, *dwarf.UcharType, *dwarf.BoolType:
		return intOf(v.Size(), false), nil
	case *dwarf.EnumType:
		signed := false
		for _, ev := range v.Val {
			signed = signed || ev.Val < 0
		}
		return intOf(v.Size(), signed), nil
	case *dwarf.PtrType:
		return types.PointerTo(pointee(v.Type), types.User), nil
	case *dwarf.ArrayType:
		if v.Count < 0 {
			return types.Type{}, fmt.Errorf("array of unknown length: %w", errNotInDWARF)
		}
		if isChar(v.Type) {
			return types.StringOf(int(v.Count)), nil
		}
		elem, err := convert(v.Type, depth)
		if err != nil {
			return types.Type{}, err
		}
		return types.ArrayOf(elem, int(v.Count)), nil
	case *dwarf.StructType:
		if v.Incomplete {
			return types.Type{Kind: types.Record, Name: recordName(v)}, nil
		}
		return record(v, depth+1)
	}
	return types.Type{}, fmt.Errorf("%s: %w", t, errNotInDWARF)
}

// convertOr converts t, or returns def where gbt has no equivalent.
func convertOr(t dwarf.Type, def types.Type) types.Type {
	ct, err := convert(t, 0)
	if err != nil {
		return def
	}
	return ct
}

// intOf is the integer of a DWARF size; wider ones keep their low 64
// bits (they are stored little-endian), odd sizes are bytes.
func intOf(size int64, signed bool) types.Type {
	switch size {
	case 1, 2, 4, 8:
		return types.IntOf(int(size)*8, signed)
	case 16:
		return types.IntOf(64, signed)
	}
	return types.U8
}

// record converts a struct or union with its members. Members of types
// gbt has no equivalent for (floats, functions) are left out; members of
// anonymous structs and unions are lifted into the record, as C lets
// code name them.
func record(st *dwarf.StructType, depth int) (types.Type, error) {
	name := recordName(st)
	if depth > maxDepth {
		return types.Type{}, fmt.Errorf("%s: records nested too deep", name)
	}
	rec := types.Type{Kind: types.Record, Name: name, Size: int(st.ByteSize)}
	for _, m := range st.Field {
		off := int(m.ByteOffset)
		if m.BitSize > 0 && m.DataBitOffset != 0 {
			off = int(m.DataBitOffset / 8)
		}
		if m.Name == "" {
			inner, ok := skipTypedefs(m.Type).(*dwarf.StructType)
			if !ok {
				continue // unnamed padding bit-field
			}
			sub, err := record(inner, depth+1)
			if err != nil {
				return types.Type{}, err
			}
			for _, f := range sub.Fields {
				f.Offset += off
				rec.Fields = append(rec.Fields, f)
			}
			continue
		}
		ft, err := convert(m.Type, depth)
		if err != nil {
			continue
		}
		f := types.Field{Name: m.Name, Type: ft, Offset: off}
		if m.BitSize > 0 {
			f.BitWidth = int(m.BitSize)
			if m.DataBitOffset != 0 {
				f.BitOff = int(m.DataBitOffset % 8)
			} else {
				// DWARF 2-3: bits from the most significant bit of the
				// storage unit (little-endian x86-64).
				unit := m.ByteSize
				if unit == 0 {
					unit = m.Type.Size()
				}
				bit := unit*8 - m.BitOffset - m.BitSize
				f.Offset += int(bit / 8)
				f.BitOff = int(bit % 8)
			}
		}
		rec.Fields = append(rec.Fields, f)
	}
	return rec, nil
}

// recordName is "struct Foo", "union U", or "struct <anonymous>".
func recordName(st *dwarf.StructType) string {
	kw := st.Kind
	if kw == "class" {
		kw = "struct"
	}
	if st.StructName == "" {
		return kw + " <anonymous>"
	}
	return kw + " " + st.StructName
}

// pointee converts what a pointer points at: named records only by name
// and size (the checker asks for their members when a script reaches
// into them, so that self-referencing lists convert), anonymous ones in
// full, integers and pointers as such, anything else as bytes (void *).
func pointee(t dwarf.Type) types.Type {
	switch v := skipTypedefs(t).(type) {
	case *dwarf.StructType:
		if v.StructName != "" || v.Incomplete {
			return types.Type{Kind: types.Record, Name: recordName(v), Size: int(max(v.ByteSize, 0))}
		}
		if rec, err := record(v, 1); err == nil {
			return rec
		}
	case *dwarf.PtrType:
		return types.PointerTo(pointee(v.Type), types.User)
	case nil:
		return types.U8
	}
	if ct, err := convert(t, 0); err == nil && ct.Kind == types.Int {
		return ct
	}
	return types.U8
}

// skipTypedefs strips typedefs and qualifiers (const, volatile).
func skipTypedefs(t dwarf.Type) dwarf.Type {
	for i := 0; i < 64; i++ {
		switch v := t.(type) {
		case *dwarf.TypedefType:
			t = v.Type
		case *dwarf.QualType:
			t = v.Type
		default:
			return t
		}
	}
	return t
}

// isChar reports whether t is C's char (signed or not, as bpftrace reads
// char arrays as strings), under typedefs and qualifiers.
func isChar(t dwarf.Type) bool {
	switch v := skipTypedefs(t).(type) {
	case *dwarf.CharType:
		return v.Name == "char"
	case *dwarf.UcharType:
		return v.Name == "char"
	}
	return false
}

// CName spells a DWARF type as bpftrace lists argument types: "int",
// "int*", "struct Foo*", "const char*", "char**", "long unsigned int".
func CName(t dwarf.Type) string {
	switch v := t.(type) {
	case nil, *dwarf.VoidType:
		return "void"
	case *dwarf.PtrType:
		return CName(v.Type) + "*"
	case *dwarf.QualType:
		return v.Qual + " " + CName(v.Type)
	case *dwarf.TypedefType:
		return v.Name
	case *dwarf.StructType:
		return recordName(v)
	case *dwarf.EnumType:
		if v.EnumName == "" {
			return "enum <anonymous>"
		}
		return "enum " + v.EnumName
	case *dwarf.ArrayType:
		n := ""
		if v.Count >= 0 {
			n = strconv.FormatInt(v.Count, 10)
		}
		return CName(v.Type) + "[" + n + "]"
	case *dwarf.FuncType:
		return v.String()
	}
	if b, ok := t.(interface{ Basic() *dwarf.BasicType }); ok {
		return b.Basic().Name
	}
	return t.String()
}
