package kernel

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// CDefinition returns the C definition of a kernel type as -lv 'struct
// NAME' prints it: "struct NAME", "union NAME" or "enum NAME", from the
// kernel's BTF, members with their offsets' padding left out.
func (e *Env) CDefinition(name string) (string, error) {
	k := &e.btf
	k.load()
	if k.err != nil {
		return "", k.err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	t, err := namedType(k.spec, name, true)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	writeBody(&b, t, 0)
	b.WriteString(";\n")
	return b.String(), nil
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
			fmt.Fprintf(b, "%s%s = %d,\n", strings.Repeat("\t", depth+1), v.Name, v.Value)
		}
		b.WriteString(strings.Repeat("\t", depth) + "}")
		return
	}
	b.WriteString("{\n")
	for _, m := range members {
		b.WriteString(strings.Repeat("\t", depth+1))
		b.WriteString(declare(m.Type, m.Name, depth+1))
		if m.BitfieldSize > 0 {
			fmt.Fprintf(b, ": %d", m.BitfieldSize)
		}
		b.WriteString(";\n")
	}
	b.WriteString(strings.Repeat("\t", depth) + "}")
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
		return "const " + declare(t.Type, name, depth)
	case *btf.Volatile:
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
