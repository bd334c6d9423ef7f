package types

import "strconv"

// Enum is a C enum a script declares (`enum Foo { ONE = 1, TWO }`): its
// name and its variants. An integer of an enum type (Type.Enum) prints as
// the name of its variant, as the newest bpftrace does: in map keys and
// values, print() and printf's %s; %d prints the number. An Enum is made
// once per declaration and shared by every type that refers to it, so
// types compare enums by identity.
type Enum struct {
	Name     string // "Foo"; "" for an anonymous enum
	Variants []Variant
}

// Variant is one enumerator of an Enum.
type Variant struct {
	Name  string
	Value int64
}

// EnumOf returns the type of the values of enum e: a 64-bit integer, as
// bpftrace stores enums, carrying e.
func EnumOf(e *Enum) Type {
	t := I64
	t.Enum = e
	return t
}

// VariantOf returns the name of the first variant of e whose value is v.
func (e *Enum) VariantOf(v int64) (string, bool) {
	for _, x := range e.Variants {
		if x.Value == v {
			return x.Name, true
		}
	}
	return "", false
}

// String names the enum as bpftrace's messages do: "enum Foo".
func (e *Enum) String() string {
	if e.Name == "" {
		return "enum <anonymous>"
	}
	return "enum " + e.Name
}

// AppendVariant appends the name of the variant of e whose value is v,
// or v in decimal when no variant has it (an integer cast to the enum).
func (e *Enum) AppendVariant(dst []byte, v int64) []byte {
	if name, ok := e.VariantOf(v); ok {
		return append(dst, name...)
	}
	return strconv.AppendInt(dst, v, 10)
}
