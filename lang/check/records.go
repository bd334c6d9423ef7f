package check

import (
	"errors"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// structRecord resolves a record known only by name ("struct task_struct"):
// the script's own definition, else the DWARF of the files a uprobe
// probes, else the Env's BTF. err says why it cannot: the Env knows no struct
// layouts (errNoBTF) or the kernel has no such type (probe.ErrNoStruct).
func (c *checker) structRecord(name string) (rec types.Type, err error) {
	if rec, ok := c.records[name]; ok {
		return rec, nil
	}
	if rec, ok := c.userRecord(name); ok {
		return rec, nil
	}
	if c.cfg.Env == nil {
		return types.Type{}, errNoBTF
	}
	rec, err = c.cfg.Env.Struct(name)
	if errors.Is(err, probe.ErrUnavailable) {
		return types.Type{}, errNoBTF
	}
	return rec, err
}

// namedRecord resolves "struct name" for sizeof and offsetof, reporting
// at span when it cannot.
func (c *checker) namedRecord(name string, span ast.Span) (types.Type, bool) {
	return c.fullRecord(types.Type{Kind: types.Record, Name: name}, span)
}

// fullRecord returns rec with its fields, resolving a record known only by
// name through BTF; it reports at span when it cannot.
func (c *checker) fullRecord(rec types.Type, span ast.Span) (types.Type, bool) {
	if rec.Kind != types.Record {
		c.errorf(span, "'%s' is not a struct or union", rec)
		return types.Type{}, false
	}
	if len(rec.Fields) > 0 {
		return rec, true
	}
	full, err := c.structRecord(rec.Name)
	if err != nil {
		if errors.Is(err, probe.ErrNoStruct) {
			c.errorf(span, "%s", c.cfg.Compat.Sprintf(compat.UnknownStruct, rec.Name))
		} else {
			c.errorf(span, "Struct/union of type '%s' is not known to gbt: %v", rec.Name, err)
		}
		return types.Type{}, false
	}
	return full, true
}

// maxValueRecord bounds the structs gbt copies as values (print(*p),
// $v = *p, @m = *p): they travel through the 512-byte BPF stack.
const maxValueRecord = 256

// valueRecord resolves a struct used as a value, with every nested struct
// member resolved too (to a bounded depth), so that it can be printed.
func (c *checker) valueRecord(rec types.Type, span ast.Span) (types.Type, bool) {
	full, ok := c.fullRecord(rec, span)
	if !ok {
		return types.Type{}, false
	}
	if full.ByteSize() > maxValueRecord {
		c.errorf(span, "%s is %d bytes: gbt copies structs of up to %d bytes as values; read its fields instead", full.Name, full.ByteSize(), maxValueRecord)
		return types.Type{}, false
	}
	return c.deepRecord(full, 0), true
}

// inPlace types e, whose value is only looked at where it is, never
// copied: the struct of (*p).x, p[i].x and sizeof(*p) may be of any size.
func (c *checker) inPlace(e ast.Expr) types.Type {
	outer := c.inPlaceExpr
	c.inPlaceExpr = e
	defer func() { c.inPlaceExpr = outer }()
	return c.expr(e)
}

// derefRecord resolves rec, the struct *p or p[i] (e) reads: in full,
// nested structs too, to be copied and printed as a value; with its own
// fields only where e is read in place.
func (c *checker) derefRecord(e ast.Expr, rec types.Type) (types.Type, bool) {
	if c.inPlaceExpr == e {
		return c.fullRecord(rec, spanOf(e))
	}
	return c.valueRecord(rec, spanOf(e))
}

// deepRecord resolves the struct members of rec by name, depth levels down
// at most; deeper ones stay known only by name (and print as such).
func (c *checker) deepRecord(rec types.Type, depth int) types.Type {
	if depth > 4 {
		return rec
	}
	fields := make([]types.Field, len(rec.Fields))
	copy(fields, rec.Fields)
	for i, f := range fields {
		if f.Type.Kind != types.Record {
			continue
		}
		sub := f.Type
		if len(sub.Fields) == 0 {
			full, err := c.structRecord(sub.Name)
			if err != nil {
				continue
			}
			sub = full
		}
		fields[i].Type = c.deepRecord(sub, depth+1)
	}
	rec.Fields = fields
	return rec
}

// fieldNamed finds a field of a record by name.
func fieldNamed(rec types.Type, name string) (types.Field, bool) {
	for _, f := range rec.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return types.Field{}, false
}

var errNoBTF = errors.New("reading kernel structs needs the kernel's BTF, which gbt has no access to here")
