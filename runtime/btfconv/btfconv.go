// Package btfconv converts the kernel's BTF types (as cilium/ebpf/btf
// reads them) to gbt's types: struct and union records, and the args
// records of functions and BTF tracepoints. runtime/kernel answers the
// front end's questions about kernel types with it.
package btfconv

import (
	"fmt"

	"github.com/cilium/ebpf/btf"

	"github.com/gbt-dev/gbt/lang/types"
)

// Enums gives the type of the values of a BTF enum: the same *types.Enum
// for every value of one enum, as the kernel Env's EnumOf gives its
// enumerators, so that gbt's types, which compare enums by identity, see
// one enum. A nil Enums types enum values as plain integers.
type Enums func(*btf.Enum) *types.Enum

// Record converts a BTF struct or union to a types.Record. Members
// of named struct or union types become records with only their Name and
// Size (the checker resolves them again by name when a script goes into
// them), so converting task_struct does not convert the whole kernel;
// members of anonymous structs and unions are converted in place, and the
// members of an anonymous struct or union member are lifted into the
// record, as C lets code name them. Members of enum type are integers of
// their size that enums names.
func Record(t btf.Type, enums Enums) (types.Type, error) {
	switch s := btf.UnderlyingType(t).(type) {
	case *btf.Struct:
		return enums.record("struct "+s.Name, s.Size, s.Members, 0)
	case *btf.Union:
		return enums.record("union "+s.Name, s.Size, s.Members, 0)
	}
	return types.Type{}, fmt.Errorf("%s is not a struct or union", t)
}

// maxAnonDepth bounds the nesting of anonymous structs converted in place.
const maxAnonDepth = 16

func (enums Enums) record(name string, size uint32, members []btf.Member, depth int) (types.Type, error) {
	if depth > maxAnonDepth {
		return types.Type{}, fmt.Errorf("%s: anonymous structs nested too deep", name)
	}
	rec := types.Type{Kind: types.Record, Name: name, Size: int(size)}
	for _, m := range members {
		if m.Name == "" {
			// An anonymous struct or union: its members belong to rec.
			var inner []btf.Member
			switch a := btf.UnderlyingType(m.Type).(type) {
			case *btf.Struct:
				inner = a.Members
			case *btf.Union:
				inner = a.Members
			default:
				continue // unnamed padding bit-field
			}
			sub, err := enums.record(name, 0, inner, depth+1)
			if err != nil {
				return types.Type{}, err
			}
			for _, f := range sub.Fields {
				f.Offset += int(m.Offset.Bytes())
				rec.Fields = append(rec.Fields, f)
			}
			continue
		}
		ft, err := enums.memberType(m.Type, depth)
		if err != nil {
			return types.Type{}, fmt.Errorf("%s.%s: %w", name, m.Name, err)
		}
		f := types.Field{Name: m.Name, Type: ft, Offset: int(m.Offset / 8)}
		if m.BitfieldSize > 0 {
			f.BitOff = int(m.Offset % 8)
			f.BitWidth = int(m.BitfieldSize)
		}
		rec.Fields = append(rec.Fields, f)
	}
	return rec, nil
}

// memberType converts the type of a member (or of what a pointer points at).
func (enums Enums) memberType(t btf.Type, depth int) (types.Type, error) {
	switch v := btf.UnderlyingType(t).(type) {
	case *btf.Int:
		if v.Encoding == btf.Bool && v.Size == 1 {
			// The newest bpftrace's bool: printed true/false (1/0 under
			// --compat=0.17, as 0.17's integer).
			return types.Boolean, nil
		}
		if v.Encoding == btf.Bool {
			return types.Type{Kind: types.Int, Bits: int(v.Size) * 8}, nil
		}
		return types.Type{Kind: types.Int, Bits: int(v.Size) * 8, Signed: v.Encoding == btf.Signed}, nil
	case *btf.Enum:
		t := types.Type{Kind: types.Int, Bits: int(v.Size) * 8, Signed: v.Signed}
		if enums != nil {
			t.Enum = enums(v)
		}
		return t, nil
	case *btf.Pointer:
		return types.PointerTo(enums.pointee(v.Target, depth), types.Kernel), nil
	case *btf.Array:
		elem, err := enums.memberType(v.Type, depth)
		if err != nil {
			return types.Type{}, err
		}
		if isChar(v.Type) {
			return types.StringOf(int(v.Nelems)), nil // bpftrace reads char arrays as strings
		}
		return types.ArrayOf(elem, int(v.Nelems)), nil
	case *btf.Struct:
		if v.Name == "" {
			return enums.record("struct <anonymous>", v.Size, v.Members, depth+1)
		}
		return types.Type{Kind: types.Record, Name: "struct " + v.Name, Size: int(v.Size)}, nil
	case *btf.Union:
		if v.Name == "" {
			return enums.record("union <anonymous>", v.Size, v.Members, depth+1)
		}
		return types.Type{Kind: types.Record, Name: "union " + v.Name, Size: int(v.Size)}, nil
	case *btf.Float:
		return types.NoneOf(int(v.Size)), nil // printed null, as bpftrace's none type
	}
	return types.Type{}, fmt.Errorf("members of type %s are not supported", t)
}

// isChar reports whether t is C's char (not unsigned char, as __u8 is).
func isChar(t btf.Type) bool {
	i, ok := btf.UnderlyingType(t).(*btf.Int)
	return ok && i.Size == 1 && (i.Encoding == btf.Char || i.Name == "char")
}

// pointee converts what a pointer member points at; void, functions and
// other types without a gbt equivalent become bytes (as void * is).
func (enums Enums) pointee(t btf.Type, depth int) types.Type {
	switch v := btf.UnderlyingType(t).(type) {
	case *btf.Struct:
		if v.Name != "" {
			return types.Type{Kind: types.Record, Name: "struct " + v.Name, Size: int(v.Size)}
		}
	case *btf.Union:
		if v.Name != "" {
			return types.Type{Kind: types.Record, Name: "union " + v.Name, Size: int(v.Size)}
		}
	case *btf.Pointer:
		return types.PointerTo(enums.pointee(v.Target, depth), types.Kernel)
	}
	if mt, err := enums.memberType(t, depth); err == nil && mt.Kind == types.Int {
		return mt
	}
	return types.U8
}

// FuncArgs converts a BTF function prototype to an args record of
// 8-byte slots, as probe.Env.FuncArgs returns it; skip drops leading
// parameters (a tracepoint's __data). Parameters of enum type are
// integers that enums names. A parameter passed by value in two
// registers (a struct of 9 to 16 bytes, such as __sys_bpf's bpfptr_t)
// takes two slots, as the kernel's trampoline saves them, so the
// parameters after it, and a kretfunc's retval after the record, move
// down one.
func FuncArgs(name string, proto *btf.FuncProto, skip int, enums Enums) (args types.Type, ret types.Type, err error) {
	args = types.Type{Kind: types.Record, Name: "struct " + name + "_args", Ctx: true}
	slot := 0
	for i, p := range proto.Params[min(skip, len(proto.Params)):] {
		t, err := enums.memberType(p.Type, 0)
		if err != nil {
			t = types.U64 // an argument gbt cannot type is still its raw value
		}
		if t.Kind == types.String || t.Kind == types.Record || t.Kind == types.Array {
			t = types.U64 // by-value aggregates do not fit a slot as such
		}
		pname := p.Name
		if pname == "" {
			pname = fmt.Sprintf("arg%d", i)
		}
		args.Fields = append(args.Fields, types.Field{Name: pname, Type: t, Offset: 8 * slot})
		slot += paramSlots(p.Type)
	}
	args.Size = 8 * slot
	ret = types.Type{Kind: types.Void}
	if _, void := proto.Return.(*btf.Void); proto.Return != nil && !void {
		if ret, err = enums.memberType(proto.Return, 0); err != nil || ret.Kind == types.Record {
			ret = types.U64
		}
	}
	return args, ret, nil
}

// paramSlots is the number of 8-byte slots a parameter of type t takes
// in a tracing program's context: 2 for a by-value struct or union of 9
// to 16 bytes (two registers on x86-64), else 1.
func paramSlots(t btf.Type) int {
	switch btf.UnderlyingType(t).(type) {
	case *btf.Struct, *btf.Union:
		if size, err := btf.Sizeof(t); err == nil && size > 8 {
			return (size + 7) / 8
		}
	}
	return 1
}
