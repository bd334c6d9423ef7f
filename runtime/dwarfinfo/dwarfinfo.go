// Package dwarfinfo reads the DWARF debug info of user binaries, with
// Go's debug/elf and debug/dwarf: the prototypes of functions (uprobe
// args, -lv listings), their struct, union and enum types converted to
// gbt's types, and line tables (uprobes at source lines). runtime/kernel
// answers the front end's questions about user binaries with it.
package dwarfinfo

import (
	"debug/dwarf"
	"debug/elf"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/runtime/debugfile"
)

// File is the debug info of one ELF file, indexed on first use. It is
// safe for concurrent use.
type File struct {
	path string
	d    *dwarf.Data

	once    sync.Once
	err     error
	funcs   map[string]dwarf.Offset // defined functions by name
	records map[string]dwarf.Offset // "struct Foo", "union U", "enum E" with members
	units   []*dwarf.Entry          // compilation units, for line tables

	rangesOnce sync.Once
	unitPCs    [][][2]uint64 // the address ranges of units, read on Frames' first use
}

// Open reads the DWARF sections of an ELF file, or of its separate debug
// file in debugDirs (see debugfile.Find) when it was stripped of them.
// A file without either is an error wrapping probe.ErrNoDebugInfo.
func Open(path string, debugDirs []string) (*File, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read debug info of %s: %w", path, err)
	}
	defer f.Close()
	if s := f.Section(".debug_info"); s == nil || s.Type == elf.SHT_NOBITS {
		sep := debugfile.Find(f, path, debugDirs, debugfile.HasDWARF)
		if sep == "" {
			return nil, fmt.Errorf("%s: %w", path, probe.ErrNoDebugInfo)
		}
		if f, err = elf.Open(sep); err != nil {
			return nil, fmt.Errorf("read debug info of %s: %w", path, err)
		}
		defer f.Close()
	}
	d, err := f.DWARF()
	if err != nil {
		return nil, fmt.Errorf("read debug info of %s: %w", path, err)
	}
	return &File{path: path, d: d}, nil
}

// index walks the debug info once, noting where each function and named
// record is defined (declarations without a body or members are skipped).
func (f *File) index() error {
	f.once.Do(func() {
		f.funcs = map[string]dwarf.Offset{}
		f.records = map[string]dwarf.Offset{}
		r := f.d.Reader()
		for {
			e, err := r.Next()
			if err != nil {
				f.err = fmt.Errorf("read debug info of %s: %w", f.path, err)
				return
			}
			if e == nil {
				return
			}
			switch e.Tag {
			case dwarf.TagCompileUnit:
				f.units = append(f.units, e)
				continue // its children are what is indexed
			case dwarf.TagSubprogram:
				name, _ := e.Val(dwarf.AttrName).(string)
				_, body := e.Val(dwarf.AttrLowpc).(uint64)
				if _, seen := f.funcs[name]; name != "" && body && !seen {
					f.funcs[name] = e.Offset
				}
			case dwarf.TagStructType, dwarf.TagUnionType, dwarf.TagEnumerationType:
				name, _ := e.Val(dwarf.AttrName).(string)
				decl, _ := e.Val(dwarf.AttrDeclaration).(bool)
				key := recordKeyword(e.Tag) + " " + name
				if _, seen := f.records[key]; name != "" && !decl && !seen {
					f.records[key] = e.Offset
				}
			}
			if e.Children {
				r.SkipChildren() // nested types and locals are reached through types
			}
		}
	})
	return f.err
}

func recordKeyword(tag dwarf.Tag) string {
	switch tag {
	case dwarf.TagUnionType:
		return "union"
	case dwarf.TagEnumerationType:
		return "enum"
	}
	return "struct"
}

// Proto returns the prototype of the function fn. The error wraps
// probe.ErrNotInDebugInfo when the debug info does not define fn.
func (f *File) Proto(fn string) (*probe.UserProto, error) {
	if err := f.index(); err != nil {
		return nil, err
	}
	off, ok := f.funcs[fn]
	if !ok {
		return nil, fmt.Errorf("%s: function %s: %w", f.path, fn, probe.ErrNotInDebugInfo)
	}
	r := f.d.Reader()
	r.Seek(off)
	e, err := r.Next()
	if err != nil || e == nil {
		return nil, fmt.Errorf("%s: read function %s: %v", f.path, fn, err)
	}
	p := &probe.UserProto{Ret: types.Type{Kind: types.Void}, RetCType: "void"}
	if roff, ok := e.Val(dwarf.AttrType).(dwarf.Offset); ok {
		rt, err := f.d.Type(roff)
		if err != nil {
			return nil, fmt.Errorf("%s: type of %s: %w", f.path, fn, err)
		}
		p.Ret, p.RetCType = convertOr(rt, types.U64), CName(rt)
	}
	if !e.Children {
		return p, nil
	}
	for {
		c, err := r.Next()
		if err != nil {
			return nil, fmt.Errorf("%s: read parameters of %s: %w", f.path, fn, err)
		}
		if c == nil || c.Tag == 0 {
			break // the end of the function's children
		}
		if c.Tag == dwarf.TagFormalParameter {
			name, _ := c.Val(dwarf.AttrName).(string)
			prm := probe.UserParam{Name: name, CType: "?", Type: types.U64}
			if toff, ok := c.Val(dwarf.AttrType).(dwarf.Offset); ok {
				t, err := f.d.Type(toff)
				if err != nil {
					return nil, fmt.Errorf("%s: type of %s of %s: %w", f.path, name, fn, err)
				}
				prm.CType, prm.Type = CName(t), convertOr(t, types.U64)
			}
			p.Params = append(p.Params, prm)
		}
		if c.Children {
			r.SkipChildren()
		}
	}
	return p, nil
}

// Record returns the struct or union named name ("struct Foo"), with its
// members. The error wraps probe.ErrNotInDebugInfo when there is none.
func (f *File) Record(name string) (types.Type, error) {
	if err := f.index(); err != nil {
		return types.Type{}, err
	}
	off, ok := f.records[name]
	if !ok || strings.HasPrefix(name, "enum ") {
		return types.Type{}, fmt.Errorf("%s: %w", name, probe.ErrNotInDebugInfo)
	}
	t, err := f.d.Type(off)
	if err != nil {
		return types.Type{}, fmt.Errorf("%s: read %s: %w", f.path, name, err)
	}
	st, ok := t.(*dwarf.StructType)
	if !ok {
		return types.Type{}, fmt.Errorf("%s: %s is a %T", f.path, name, t)
	}
	return record(st, 0)
}

// errNotInDWARF marks a type gbt has no equivalent for.
var errNotInDWARF = errors.New("type has no gbt equivalent")
