package types

import (
	"fmt"
	"strings"
)

// recordPrefix starts the Name of a record literal's type.
const recordPrefix = "record { "

// RecordOf returns the type of a record literal, `(a = 1, b = "x")`: a
// Record whose fields are laid out as a tuple of their types, in the order
// written. Its name lists the fields, so that records of different fields
// are different types.
func RecordOf(names []string, elems []Type) Type {
	tup := TupleOf(elems...)
	offs := tup.TupleOffsets()
	fields := make([]Field, len(names))
	parts := make([]string, len(names))
	for i, n := range names {
		fields[i] = Field{Name: n, Type: elems[i], Offset: offs[i]}
		parts[i] = fmt.Sprintf("%s %s", elems[i], n)
	}
	return Type{Kind: Record, Name: recordPrefix + strings.Join(parts, ", ") + " }", Size: tup.ByteSize(), Fields: fields}
}

// IsRecordLiteral reports whether t is the type of a record literal rather
// than a C struct or union.
func (t Type) IsRecordLiteral() bool {
	return t.Kind == Record && strings.HasPrefix(t.Name, recordPrefix)
}
