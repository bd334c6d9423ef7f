package check

import (
	"errors"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// userArgs builds the args record of a uprobe from the DWARF debug info
// of the file it probes: one 8-byte slot per parameter of the function,
// which codegen reads from the argument registers. Several points must
// share a prototype. It is built when a script first reads args, so that
// a uprobe that does not pays nothing for the debug info.
func (c *checker) userArgs(pi *ProbeInfo, span ast.Span) {
	for i, pt := range pi.Points {
		err := probe.ErrUnavailable
		var proto *probe.UserProto
		if c.cfg.Env != nil {
			proto, err = c.cfg.Env.UserProto(pt.Path, pt.Func)
		}
		if err != nil || pt.Offset != 0 {
			d := c.errorf(span, "Could not read arguments of %s: %v", pt.Name, err)
			switch {
			case pt.Offset != 0:
				d.Msg = "args can not be read at an offset into a function (" + pt.Name + ")"
			case errors.Is(err, probe.ErrUnavailable):
				d.Hint = "args of uprobes come from the file's DWARF debug info: build it with -g, or read arg0, arg1..."
			}
			return
		}
		args := proto.ArgsRecord(pt.Func)
		if i == 0 {
			pi.Args = &args
		} else if !sameRecord(*pi.Args, args) {
			c.errorf(span, "%s and %s have different arguments: give each its own probe", pi.Points[0].Name, pt.Name)
			pi.Args = nil
			return
		}
	}
}

// userRecord finds a struct or union ("struct Foo") in the DWARF debug info
// of the files the current probe attaches to; ok is false when it is not
// a probe of user files or none of them has the type.
func (c *checker) userRecord(name string) (rec types.Type, ok bool) {
	pi := c.probe_
	if c.cfg.Env == nil || pi == nil || pi.Kind == nil || !pi.Kind.User {
		return types.Type{}, false
	}
	seen := map[string]bool{}
	for _, pt := range pi.Points {
		if pt.Path == "" || seen[pt.Path] {
			continue
		}
		seen[pt.Path] = true
		if rec, err := c.cfg.Env.UserStruct(pt.Path, name); err == nil {
			return rec, true
		}
	}
	return types.Type{}, false
}
