package ast

import "reflect"

var (
	spanType   = reflect.TypeFor[Span]()
	originType = reflect.TypeFor[*Origin]()
)

// SetOrigin gives every span in the tree under n that has no Origin the
// Origin o: the nodes of a file other than the script (an imported one)
// then point into that file's text in diagnostics. n is a node or a slice
// of nodes.
func SetOrigin(n any, o *Origin) {
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() || v.Type() == originType || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			walk(v.Elem())
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Map:
			for it := v.MapRange(); it.Next(); {
				walk(it.Value())
			}
		case reflect.Struct:
			if v.Type() == spanType {
				if sp := v.Addr().Interface().(*Span); sp.Origin == nil {
					sp.Origin = o
				}
				return
			}
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		}
	}
	walk(reflect.ValueOf(n))
}
