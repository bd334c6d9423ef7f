package stdlib

import (
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/types"
)

// optionEntries read the named program options of the command line
// (`gbt script.bt -- --aa=1 --bb`): getopt.
func optionEntries() []*Entry {
	return []*Entry{
		{Name: "getopt", Kind: check.Func,
			Doc:  `getopt(name[, default[, description]]): named program option --name (gbt script.bt -- --name=value), of the default's type; a bool without one`,
			Type: getoptType, NoCode: "the type rule folds every use to a constant, or expands it to a string literal"},
	}
}

// getoptType folds getopt to the option's value: the command line's, else
// the default's, parsed as the default's type.
func getoptType(u *check.Use) types.Type {
	if !arity(u, 1, 3) {
		return types.Type{}
	}
	name, ok := u.StringLit(0)
	if !ok {
		u.ErrorAt(u.Args[0], "First argument to 'getopt' must be a string literal.")
		return types.Type{}
	}
	desc := ""
	if len(u.Args) == 3 {
		if desc, ok = u.StringLit(2); !ok {
			u.ErrorAt(u.Args[2], "Function 'getopt' requires the third parameter to be a string literal.")
			return types.Type{}
		}
	}
	if len(u.Args) == 1 {
		return getoptBool(u, name, desc, false)
	}
	switch d := u.Args[1].(type) {
	case *ast.StrLit:
		value, given := u.Option(name, d.Value, desc)
		if !given {
			value = d.Value
		}
		return u.Expand(&ast.StrLit{Span: d.Span, Value: value})
	case *ast.BoolLit:
		return getoptBool(u, name, desc, d.Value)
	}
	def, ok := u.Const(1)
	if !ok || !u.ArgTypes[1].IsInt() {
		u.ErrorAt(u.Args[1], "getopt() takes a literal default: an integer, a string, true or false")
		return types.Type{}
	}
	t := types.U64
	if def < 0 {
		t = types.I64
	}
	value, given := u.Option(name, strconv.FormatInt(def, 10), desc)
	if given {
		v, err := strconv.ParseInt(strings.ReplaceAll(value, "_", ""), 0, 64)
		if err != nil {
			uv, uerr := strconv.ParseUint(strings.ReplaceAll(value, "_", ""), 0, 64)
			switch {
			case uerr == nil:
				v = int64(uv)
			case value == "true":
				u.OptionErrorf("program command line option --%s expects an integer (value: %s)", name, value)
			default:
				u.OptionErrorf("program command line option --%s invalid integer (value: %s)", name, value)
			}
		}
		def = v
	}
	u.Fold(def)
	return t
}

// getoptBool folds a boolean option: a bare --name, true or 1 is true;
// false or 0 is false.
func getoptBool(u *check.Use, name, desc string, def bool) types.Type {
	value, given := u.Option(name, strconv.FormatBool(def), desc)
	v := def
	if given {
		switch strings.ToLower(value) {
		case "true", "1":
			v = true
		case "false", "0":
			v = false
		default:
			u.OptionErrorf("program command line option --%s invalid boolean (value: %s)", name, value)
		}
	}
	n := int64(0)
	if v {
		n = 1
	}
	u.Fold(n)
	return types.Type{Kind: types.Bool}
}
