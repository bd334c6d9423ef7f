package kernel

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/gbt-dev/gbt/lang/probe"
)

// TypeNames returns the kernel's types of one kind ("struct", "union" or
// "enum") whose names match the glob pattern, as "struct NAME", sorted,
// each once: what -l 'struct pa*' lists.
func (e *Env) TypeNames(kind, pattern string) ([]string, error) {
	types, err := e.typesMatching(kind, pattern)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = kind + " " + t.TypeName()
	}
	return names, nil
}

// TypeDefinitions returns the C definitions of the types TypeNames
// lists, as -lv prints them: from the kernel's BTF, with libbpf's padding
// members and packed attribute (see clayout.go). Of types that share a name
// (the kernel's BTF has a few), the first is written.
func (e *Env) TypeDefinitions(kind, pattern string) ([]string, error) {
	types, err := e.typesMatching(kind, pattern)
	if err != nil {
		return nil, err
	}
	defs := make([]string, len(types))
	for i, t := range types {
		var b strings.Builder
		writeBody(&b, t, 0)
		b.WriteString(";\n")
		defs[i] = b.String()
	}
	return defs, nil
}

// typesMatching returns the named types of kind whose names match
// pattern, sorted by name, the first of each name.
func (e *Env) typesMatching(kind, pattern string) ([]btf.Type, error) {
	k := &e.btf
	k.load()
	if k.err != nil {
		return nil, k.err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	first := map[string]btf.Type{}
	for t, err := range k.spec.All() {
		if err != nil {
			return nil, err
		}
		ok := false
		switch t.(type) {
		case *btf.Struct:
			ok = kind == "struct"
		case *btf.Union:
			ok = kind == "union"
		case *btf.Enum:
			ok = kind == "enum"
		}
		name := t.TypeName()
		if ok && name != "" && first[name] == nil && probe.Match(pattern, name) {
			first[name] = t
		}
	}
	names := slices.Sorted(maps.Keys(first))
	types := make([]btf.Type, len(names))
	for i, n := range names {
		types[i] = first[n]
	}
	return types, nil
}

// writeBody writes "struct NAME {...}" with its members indented by depth
// tabs, anonymous members' bodies inline.
func writeBody(b *strings.Builder, t btf.Type, depth int) {
	var members []btf.Member
	switch t := t.(type) {
	case *btf.Struct:
		b.WriteString(keyword("struct", t.Name))
		members = t.Members
	case *btf.Union:
		b.WriteString(keyword("union", t.Name))
		members = t.Members
	case *btf.Enum:
		b.WriteString(keyword("enum", t.Name))
		b.WriteString("{\n")
		for _, v := range t.Values {
			var value any = v.Value
			if t.Signed {
				value = int64(v.Value)
			}
			fmt.Fprintf(b, "%s%s = %d,\n", strings.Repeat("\t", depth+1), v.Name, value)
		}
		b.WriteString(strings.Repeat("\t", depth) + "}")
		return
	}
	s, structure := t.(*btf.Struct)
	if len(members) == 0 && (!structure || s.Size == 0) {
		b.WriteString("{}") // as libbpf writes an empty one: struct {} __hash;
		return
	}
	packed := false
	if structure {
		_, packed = recordLayout(s.Members, s.Size)
	}
	b.WriteString("{\n")
	off, prevBitfield := 0, false
	for _, m := range members {
		if structure {
			align := 1
			if !packed {
				align = alignOf(m.Type)
			}
			writePadding(b, off, int(m.Offset), align, prevBitfield && m.BitfieldSize != 0, depth+1)
		}
		b.WriteString(strings.Repeat("\t", depth+1))
		b.WriteString(declare(m.Type, m.Name, depth+1))
		if m.BitfieldSize > 0 {
			fmt.Fprintf(b, ": %d", m.BitfieldSize)
			off, prevBitfield = int(m.Offset)+int(m.BitfieldSize), true
		} else {
			size, _ := btf.Sizeof(m.Type)
			off, prevBitfield = int(m.Offset)+8*max(size, 0), false
		}
		b.WriteString(";\n")
	}
	if structure {
		writePadding(b, off, 8*int(s.Size), alignOf(s), false, depth+1)
	}
	b.WriteString(strings.Repeat("\t", depth) + "}")
	if packed {
		b.WriteString(" __attribute__((packed))")
	}
}

func keyword(kw, name string) string {
	if name == "" {
		return kw + " "
	}
	return kw + " " + name + " "
}

// declare returns the C declaration of name with type t (name may be
// empty, or already carry declarator parts such as "*p").
func declare(t btf.Type, name string, depth int) string {
	withName := func(s string) string {
		if name == "" {
			return s
		}
		if strings.HasPrefix(name, "*") && strings.HasSuffix(s, "*") {
			return s + name
		}
		return s + " " + name
	}
	switch t := t.(type) {
	case *btf.Void:
		return withName("void")
	case *btf.Int:
		return withName(t.Name)
	case *btf.Float:
		return withName(t.Name)
	case *btf.Typedef:
		return withName(t.Name)
	case *btf.Struct, *btf.Union, *btf.Enum:
		if n := t.TypeName(); n != "" {
			kw := map[bool]string{true: "struct", false: "union"}[isStruct(t)]
			if _, ok := t.(*btf.Enum); ok {
				kw = "enum"
			}
			return withName(kw + " " + n)
		}
		var b strings.Builder
		writeBody(&b, t, depth)
		return withName(strings.TrimSuffix(b.String(), " "))
	case *btf.Fwd:
		return withName(t.Kind.String() + " " + t.Name)
	case *btf.Pointer:
		switch t.Target.(type) {
		case *btf.Array, *btf.FuncProto:
			return declare(t.Target, "(*"+name+")", depth)
		}
		if strings.HasPrefix(name, "(") || strings.HasPrefix(name, "const ") || strings.HasPrefix(name, "volatile ") {
			// As libbpf's btf_dump writes them, which bpftrace prints:
			// struct sk_buff * (*dequeue)(...), void * const addr.
			return declare(t.Target, "* "+name, depth)
		}
		return declare(t.Target, "*"+name, depth)
	case *btf.Array:
		return declare(t.Type, fmt.Sprintf("%s[%d]", name, t.Nelems), depth)
	case *btf.FuncProto:
		var params []string
		for _, p := range t.Params {
			params = append(params, declare(p.Type, "", depth))
		}
		if len(params) == 0 {
			params = []string{"void"}
		}
		return declare(t.Return, name+"("+strings.Join(params, ", ")+")", depth)
	case *btf.Const:
		if _, ok := t.Type.(*btf.Pointer); ok {
			return declare(t.Type, strings.TrimSpace("const "+name), depth) // the pointer is const
		}
		return "const " + declare(t.Type, name, depth)
	case *btf.Volatile:
		if _, ok := t.Type.(*btf.Pointer); ok {
			return declare(t.Type, strings.TrimSpace("volatile "+name), depth)
		}
		return "volatile " + declare(t.Type, name, depth)
	case *btf.Restrict:
		return declare(t.Type, name, depth)
	case *btf.TypeTag:
		return declare(t.Type, name, depth)
	}
	return withName(t.TypeName())
}

func isStruct(t btf.Type) bool { _, ok := t.(*btf.Struct); return ok }

// paramType returns the C spelling of a parameter's type as the newest
// bpftrace's -lv lists it: qualifiers first, "T *" for pointers, typedef
// names kept; a function pointer as C declares one without a name.
func paramType(t btf.Type) string {
	switch t := t.(type) {
	case *btf.Pointer:
		if _, ok := t.Target.(*btf.FuncProto); ok {
			return declare(t, "", 0)
		}
		return paramType(t.Target) + " *"
	case *btf.Const:
		return "const " + paramType(t.Type)
	case *btf.Volatile:
		return "volatile " + paramType(t.Type)
	case *btf.Restrict:
		return paramType(t.Type)
	case *btf.TypeTag:
		return paramType(t.Type)
	case *btf.Array:
		return fmt.Sprintf("%s[%d]", paramType(t.Type), t.Nelems)
	}
	return declare(t, "", 0)
}
