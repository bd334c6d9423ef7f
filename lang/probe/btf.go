package probe

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf/btf"

	"github.com/gbt-dev/gbt/lang/types"
)

// StructEnv is an Env that knows the layouts of kernel structs and unions,
// from BTF. The checker asks it for the records that scripts reach through
// curtask, casts such as (struct task_struct *)arg0, and their fields.
type StructEnv interface {
	// Struct returns the record named "struct name" or "union name";
	// ErrNoStruct wraps the error when the kernel has no such type.
	Struct(name string) (types.Type, error)
}

// ErrNoStruct is the error of StructEnv.Struct for an unknown name.
var ErrNoStruct = errors.New("no such struct or union in the kernel's BTF")

// RecordFromBTF converts a BTF struct or union to a types.Record. Members
// of named struct or union types become records with only their Name and
// Size (the checker resolves them again by name when a script goes into
// them), so converting task_struct does not convert the whole kernel;
// members of anonymous structs and unions are converted in place, and the
// members of an anonymous struct or union member are lifted into the
// record, as C lets code name them.
func RecordFromBTF(t btf.Type) (types.Type, error) {
	switch s := btf.UnderlyingType(t).(type) {
	case *btf.Struct:
		return record("struct "+s.Name, s.Size, s.Members, 0)
	case *btf.Union:
		return record("union "+s.Name, s.Size, s.Members, 0)
	}
	return types.Type{}, fmt.Errorf("%s is not a struct or union", t)
}

// maxAnonDepth bounds the nesting of anonymous structs converted in place.
const maxAnonDepth = 16

func record(name string, size uint32, members []btf.Member, depth int) (types.Type, error) {
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
			sub, err := record(name, 0, inner, depth+1)
			if err != nil {
				return types.Type{}, err
			}
			for _, f := range sub.Fields {
				f.Offset += int(m.Offset.Bytes())
				rec.Fields = append(rec.Fields, f)
			}
			continue
		}
		ft, err := memberType(m.Type, depth)
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
func memberType(t btf.Type, depth int) (types.Type, error) {
	switch v := btf.UnderlyingType(t).(type) {
	case *btf.Int:
		if v.Encoding == btf.Bool {
			return types.Type{Kind: types.Int, Bits: int(v.Size) * 8}, nil
		}
		return types.Type{Kind: types.Int, Bits: int(v.Size) * 8, Signed: v.Encoding == btf.Signed}, nil
	case *btf.Enum:
		return types.Type{Kind: types.Int, Bits: int(v.Size) * 8, Signed: v.Signed}, nil
	case *btf.Pointer:
		return types.PointerTo(pointee(v.Target, depth), types.Kernel), nil
	case *btf.Array:
		elem, err := memberType(v.Type, depth)
		if err != nil {
			return types.Type{}, err
		}
		if isChar(v.Type) {
			return types.StringOf(int(v.Nelems)), nil // bpftrace reads char arrays as strings
		}
		return types.ArrayOf(elem, int(v.Nelems)), nil
	case *btf.Struct:
		if v.Name == "" {
			return record("struct <anonymous>", v.Size, v.Members, depth+1)
		}
		return types.Type{Kind: types.Record, Name: "struct " + v.Name, Size: int(v.Size)}, nil
	case *btf.Union:
		if v.Name == "" {
			return record("union <anonymous>", v.Size, v.Members, depth+1)
		}
		return types.Type{Kind: types.Record, Name: "union " + v.Name, Size: int(v.Size)}, nil
	case *btf.Float:
		return types.Type{}, errors.New("floating-point members are not supported")
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
func pointee(t btf.Type, depth int) types.Type {
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
		return types.PointerTo(pointee(v.Target, depth), types.Kernel)
	}
	if mt, err := memberType(t, depth); err == nil && mt.Kind == types.Int {
		return mt
	}
	return types.U8
}

// FuncEnv is an Env that knows the BTF signatures of kernel functions and
// BTF-enabled tracepoints: the args of kfunc/kretfunc and tp_btf probes.
type FuncEnv interface {
	// FuncArgs returns the args record of a kfunc/kretfunc (kind
	// "kfunc") or tp_btf (kind "tp_btf") target: one 8-byte slot per
	// argument, as the program's context holds them, and the function's
	// return type (Void for tracepoints).
	FuncArgs(kind, name string) (args types.Type, ret types.Type, err error)
}

// ArgsFromProto converts a BTF function prototype to an args record of
// 8-byte slots; skip drops leading parameters (a tracepoint's __data).
func ArgsFromProto(name string, proto *btf.FuncProto, skip int) (args types.Type, ret types.Type, err error) {
	args = types.Type{Kind: types.Record, Name: "struct " + name + "_args", Ctx: true}
	for i, p := range proto.Params[min(skip, len(proto.Params)):] {
		t, err := memberType(p.Type, 0)
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
		args.Fields = append(args.Fields, types.Field{Name: pname, Type: t, Offset: 8 * i})
	}
	args.Size = 8 * len(args.Fields)
	ret = types.Type{Kind: types.Void}
	if _, void := proto.Return.(*btf.Void); proto.Return != nil && !void {
		if ret, err = memberType(proto.Return, 0); err != nil || ret.Kind == types.Record {
			ret = types.U64
		}
	}
	return args, ret, nil
}

// EnumEnv is an Env that knows the kernel's enum constants (from BTF):
// TCP_ESTABLISHED, SKB_DROP_REASON_NOT_SPECIFIED, ...
type EnumEnv interface {
	// EnumValue returns the value of an enumerator and whether it exists.
	EnumValue(name string) (int64, bool)
}
