package probetest

import (
	"fmt"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// debugProgram is the canned program with debug info: the suite's
// uprobe_test (tests/testprogs/uprobe_test.c) built with gcc -g, as
// runtime/dwarfinfo reads it.
const debugProgram = "/srv/testprogs/uprobe_test"

// cannedFoo is uprobe_test's struct Foo.
var cannedFoo = types.Type{Kind: types.Record, Name: "struct Foo", Size: 48, Fields: []types.Field{
	{Name: "a", Type: types.I32, Offset: 0},
	{Name: "b", Type: types.StringOf(10), Offset: 4},
	{Name: "c", Type: types.ArrayOf(types.I32, 3), Offset: 16},
	{Name: "d", Type: types.I64, Offset: 32},
}}

// cannedBar is uprobe_test's struct Bar.
var cannedBar = types.Type{Kind: types.Record, Name: "struct Bar", Size: 72, Fields: []types.Field{
	{Name: "x", Type: types.I32, Offset: 0},
	{Name: "foos", Type: types.ArrayOf(fooPtr, 2), Offset: 8},
	{Name: "nested", Type: cannedFoo, Offset: 24},
}}

// fooPtr is a struct Foo * of the probed process.
var fooPtr = types.PointerTo(types.Type{Kind: types.Record, Name: "struct Foo", Size: 48}, types.User)

// cannedProtos are the prototypes of uprobe_test's functions.
var cannedProtos = map[string]*probe.UserProto{
	"main": {Ret: types.I32, RetCType: "int", Params: []probe.UserParam{
		{Name: "argc", CType: "int", Type: types.I32},
		{Name: "argv", CType: "char**", Type: types.PointerTo(types.PointerTo(types.I8, types.User), types.User)},
	}},
	"uprobeFunction1": {Ret: types.I32, RetCType: "int", Params: []probe.UserParam{
		{Name: "n", CType: "int*", Type: types.PointerTo(types.I32, types.User)},
		{Name: "c", CType: "char", Type: types.I8},
	}},
	"uprobeFunctionBar": {Ret: types.PointerTo(types.Type{Kind: types.Record, Name: "struct Bar", Size: 72}, types.User), RetCType: "struct Bar*", Params: []probe.UserParam{
		{Name: "bar", CType: "struct Bar*", Type: types.PointerTo(types.Type{Kind: types.Record, Name: "struct Bar", Size: 72}, types.User)},
	}},
	"uprobeFunction2": {Ret: fooPtr, RetCType: "struct Foo*", Params: []probe.UserParam{
		{Name: "foo1", CType: "struct Foo*", Type: fooPtr},
		{Name: "foo2", CType: "struct Foo*", Type: fooPtr},
	}},
}

// UserProto implements probe.Env: the canned program with debug info has
// prototypes, the others have no debug info.
func (e *Env) UserProto(path, fn string) (*probe.UserProto, error) {
	if path != debugProgram {
		return nil, fmt.Errorf("%s: %w", path, probe.ErrNoDebugInfo)
	}
	p, ok := cannedProtos[fn]
	if !ok {
		return nil, fmt.Errorf("%s: function %s: %w", path, fn, probe.ErrNotInDebugInfo)
	}
	return p, nil
}

// UserStruct implements probe.Env: struct Foo and struct Bar of the canned program with
// debug info.
func (e *Env) UserStruct(path, name string) (types.Type, error) {
	if path != debugProgram {
		return types.Type{}, fmt.Errorf("%s: %w", path, probe.ErrNoDebugInfo)
	}
	for _, rec := range []types.Type{cannedFoo, cannedBar} {
		if rec.Name == name {
			return rec, nil
		}
	}
	return types.Type{}, fmt.Errorf("%s: %w", name, probe.ErrNotInDebugInfo)
}

// UserLineAddrs implements probe.Env: lines 22 to 24 of uprobe_test.c
// (uprobeFunction1) in the canned program with debug info.
func (e *Env) UserLineAddrs(path string, line probe.SourceLine) ([]uint64, error) {
	if path != debugProgram {
		return nil, fmt.Errorf("%s: %w", path, probe.ErrNoDebugInfo)
	}
	addrs := map[int]uint64{22: 0x1139, 23: 0x1146, 24: 0x114c}
	if a, ok := addrs[line.Line]; ok && line.File == "uprobe_test.c" {
		return []uint64{a}, nil
	}
	return nil, fmt.Errorf("no code at %s:%d: %w", line.File, line.Line, probe.ErrNotInDebugInfo)
}
