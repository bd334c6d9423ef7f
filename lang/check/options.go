package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
)

// Named program options: `gbt script.bt -- --aa=1 --bb` gives the script
// the options aa and bb, which getopt("aa", default, "description") reads.
// The checker records what the script declares and the runtime compares it
// with what the command line gives.

// Option is a named program option the script reads.
type Option struct {
	Name    string
	Default string // as written: "10", "-1", "hello", "false" ("" for a bare flag)
	Desc    string
}

// Option declares the named option name with its default (as text) and
// description, and returns the value the command line gives and whether
// it gives one (a bare `--name` gives "true"). A second use must repeat
// the first one's default.
func (u *Use) Option(name, def, desc string) (value string, given bool) {
	in := u.c.info
	if in.optionIndex == nil {
		in.optionIndex = map[string]int{}
	}
	if i, ok := in.optionIndex[name]; ok {
		if prev := in.Options[i]; prev.Default != def {
			u.Errorf("Command line option '%s' needs to have the same default value in all places it is used. Previous default value: %s", name, prev.Default)
		}
	} else {
		in.optionIndex[name] = len(in.Options)
		in.Options = append(in.Options, &Option{Name: name, Default: def, Desc: desc})
	}
	value, given = u.c.cfg.Named[name]
	if given && value == "" {
		value = "true"
	}
	return value, given
}

// OptionErrorf reports a bad value of a named option: a command-line
// mistake, shown without a source position, in bpftrace's words.
func (u *Use) OptionErrorf(format string, args ...any) {
	if u.c.quiet {
		u.c.suppressed++
		return
	}
	u.c.diags.Errorf(ast.Span{}, format, args...)
}

// UnexpectedOptions returns the error for the named options the command
// line gives that the script does not read (nil if there are none), with
// a hint naming those it reads.
func (in *Info) UnexpectedOptions(given map[string]string) error {
	var extra []string
	for name := range given {
		if _, ok := in.optionIndex[name]; !ok {
			extra = append(extra, "--"+name)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	sort.Strings(extra)
	return &OptionError{Msg: "unexpected program command line options: " + strings.Join(extra, ", "), Hint: "expected program options: " + in.optionList(", ")}
}

// OptionHelp is what `-- --help` prints: the options the script reads,
// with their descriptions.
func (in *Info) OptionHelp() string {
	return "HINT: expected program options:\n" + in.optionList("\n") + "\n"
}

func (in *Info) optionList(sep string) string {
	opts := append([]*Option(nil), in.Options...)
	sort.Slice(opts, func(i, j int) bool { return opts[i].Name > opts[j].Name }) // as bpftrace lists them
	parts := make([]string, len(opts))
	for i, o := range opts {
		parts[i] = "--" + o.Name
		if o.Desc != "" && sep == "\n" {
			parts[i] += ": " + o.Desc
		}
	}
	return strings.Join(parts, sep)
}

// OptionError is a mistake in the named program options.
type OptionError struct{ Msg, Hint string }

func (e *OptionError) Error() string { return fmt.Sprintf("%s\nHINT: %s", e.Msg, e.Hint) }
