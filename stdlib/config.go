package stdlib

import (
	"strconv"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/config"
	"github.com/gbt-dev/gbt/lang/types"
)

// configEntries: config, the record of the run's configuration variables
// (bpftrace 0.24: `config.max_strlen`, `config.stack_mode`).
func configEntries() []*Entry {
	return []*Entry{
		{Name: "config", Kind: check.VarOrFunc,
			Doc:  "config: the record of the configuration variables (config.max_strlen, config.stack_mode...)",
			Type: configType, NoCode: "the type rule expands every use to a record literal of the settings"},
	}
}

// configType expands config to a record literal of the settings, which
// are known when the script is compiled.
func configType(u *check.Use) types.Type {
	if !arity(u, 0, 0) {
		return types.Type{}
	}
	items := u.Settings()
	if items == nil {
		items = config.Default().Items()
	}
	span := ast.Span{Start: u.Node.Pos(), End: u.Node.EndPos()}
	rec := &ast.Record{Span: span, Fields: make([]ast.RecordField, len(items))}
	for i, it := range items {
		var v ast.Expr
		switch x := it.Value.(type) {
		case bool:
			v = &ast.BoolLit{Span: span, Value: x}
		case int:
			v = &ast.IntLit{Span: span, Raw: strconv.Itoa(x), Value: uint64(x)}
		case string:
			v = &ast.StrLit{Span: span, Raw: strconv.Quote(x), Value: x}
		}
		rec.Fields[i] = ast.RecordField{Name: it.Name, NameSpan: span, Value: v}
	}
	return u.Expand(rec)
}
