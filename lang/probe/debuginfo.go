package probe

import (
	"errors"
	"fmt"

	"github.com/gbt-dev/gbt/lang/types"
)

// UserProto is the prototype of a function of an executable or library,
// as its DWARF debug info declares it.
type UserProto struct {
	Params []UserParam
	// Ret is the return type (Void for none); RetCType spells it.
	Ret      types.Type
	RetCType string
}

// UserParam is a parameter of a user function.
type UserParam struct {
	Name string
	// CType spells the type as bpftrace -lv prints it: "int", "int*",
	// "struct Foo*", "const char*".
	CType string
	// Type is the parameter's type; its pointers point into user memory.
	Type types.Type
}

// SourceLine is a line of a source file of a user binary, where a uprobe
// may be placed (uprobe:BIN@FILE:LINE).
type SourceLine struct {
	File string // as written: a file name or a path suffix
	Line int
}

// ArgsRecord returns the args record of a function with this prototype,
// as the checker types args: one 8-byte slot per parameter, in the order
// the calling convention passes them. A parameter whose value does not
// fit a slot as such (a struct or array passed by value) is its raw
// slot, an unsigned 64-bit integer.
func (p *UserProto) ArgsRecord(fn string) types.Type {
	args := types.Type{Kind: types.Record, Name: "struct " + fn + "_args", Ctx: true}
	for i, prm := range p.Params {
		t := prm.Type
		switch t.Kind {
		case types.Int, types.Pointer:
		default:
			t = types.U64
		}
		name := prm.Name
		if name == "" {
			name = fmt.Sprintf("arg%d", i)
		}
		args.Fields = append(args.Fields, types.Field{Name: name, Type: t, Offset: 8 * i})
	}
	args.Size = 8 * len(args.Fields)
	return args
}

// ErrNoDebugInfo is the error of UserProto, UserStruct and UserLineAddrs
// for a file without DWARF debug info; it is an ErrUnavailable.
var ErrNoDebugInfo error = noDebugInfo{}

type noDebugInfo struct{}

func (noDebugInfo) Error() string        { return "no DWARF debug info" }
func (noDebugInfo) Is(target error) bool { return target == ErrUnavailable }

// ErrNotInDebugInfo is the error of UserProto, UserStruct and
// UserLineAddrs for a function, type or source line the file's debug
// info does not have.
var ErrNotInDebugInfo = errors.New("not in the file's debug info")
