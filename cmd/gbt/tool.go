package main

import (
	"fmt"
	"maps"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/gbt-dev/gbt/internal/toolfile"
)

// A built tool (gbt build) is gbt with a script embedded: it runs that
// script with gbt's run flags, its positional parameters as arguments and
// its named options (getopt) as flags of its own.

// namedFlag is a named option of a tool's script given as a flag
// (`tool --depth=5`, as `gbt script.bt -- --depth=5`).
type namedFlag struct {
	o    *options
	name string
}

func (f namedFlag) String() string { return f.o.named[f.name] }
func (f namedFlag) Type() string   { return "string" }
func (f namedFlag) Set(v string) error {
	if f.o.named == nil {
		f.o.named = map[string]string{}
	}
	f.o.named[f.name] = v
	return nil
}

// defineToolOptions makes the named options of tool's script flags of fs;
// a bare --flag of a boolean one is true.
func defineToolOptions(fs *pflag.FlagSet, o *options, tool *toolfile.Tool) {
	for _, opt := range tool.Options {
		if fs.Lookup(opt.Name) != nil {
			continue // gbt build refuses such a name; an older tool keeps gbt's flag
		}
		fs.Var(namedFlag{o, opt.Name}, opt.Name, opt.Desc)
		if opt.Bool {
			fs.Lookup(opt.Name).NoOptDefVal = "true"
		}
	}
}

// toolArgs completes a tool's options: its script is the embedded one, the
// arguments given replace the built-in defaults of $1..$N one by one, and
// the named options given those of the build.
func toolArgs(o *options, tool *toolfile.Tool) error {
	switch {
	case o.program != "":
		return &cliError{"-e: a built tool runs its own script (gbt runs others)"}
	case o.list:
		return &cliError{"-l: a built tool runs its own script (gbt -l lists probes)"}
	}
	args := append([]string(nil), tool.Params...)
	for i, a := range o.args {
		if i < len(args) {
			args[i] = a
		} else {
			args = append(args, a)
		}
	}
	o.args = args
	named := maps.Clone(tool.Named)
	if len(o.named) > 0 && named == nil {
		named = map[string]string{}
	}
	maps.Copy(named, o.named)
	o.named = named
	o.unsafe = o.unsafe || tool.Unsafe
	return nil
}

// toolRunFlags are the flags of gbt a tool's --help lists: those that
// change how its script runs and prints.
const toolRunFlags = `OPTIONS:
    -p PID         trace only this process (and enable its uprobes)
    -c 'CMD'       run CMD, trace it, exit when it exits
    --cgroup PATH  trace only the tasks of this cgroup v2 directory and those below it
    --container ID|NAME  trace only this container (see gbt --help)
    -o file        redirect output to file
    -f FORMAT      output format ('text', 'json')
    -B MODE        output buffering mode ('none', 'line', 'full')
    -q             keep messages quiet
    -v             verbose messages (verifier logs, program sizes, attach details)
    -k             warn when a map lookup finds nothing or a probe read or delete fails
    --dry-run      compile and load through the verifier, attach nothing
    --metrics ADDR serve the maps as Prometheus metrics on http://ADDR/metrics while tracing
    --no-warnings  disable all warning messages
    --probe-filter REGEX  attach only the probes whose name REGEX matches
    --compat VERSION  print as bpftrace VERSION does ('newest' or '0.17')
    -h, --help     show this help message
    -V, --version  version of the gbt inside
`

// toolHelp is a tool's --help: the leading comment of its script, then
// how to run it, its parameters and options with their defaults, and the
// run flags.
func toolHelp(tool *toolfile.Tool, name string) string {
	var b strings.Builder
	if c := leadingComment(tool.Script); c != "" {
		b.WriteString(c + "\n\n")
	}
	usage := []string{name, "[options]"}
	params := "" // [$1 [$2]]
	for i := tool.Positionals; i >= 1; i-- {
		params = strings.TrimSpace("[$"+strconv.Itoa(i)+" "+params) + "]"
	}
	if params != "" {
		usage = append(usage, params)
	}
	for _, o := range tool.Options {
		usage = append(usage, "["+optionSyntax(o)+"]")
	}
	fmt.Fprintf(&b, "USAGE:\n    %s\n", strings.Join(usage, " "))
	if tool.Positionals > 0 {
		b.WriteString("\nARGUMENTS:\n")
		for i := 1; i <= tool.Positionals; i++ {
			def := "none"
			if i <= len(tool.Params) {
				def = strconv.Quote(tool.Params[i-1])
			}
			helpLine(&b, "$"+strconv.Itoa(i), "default: "+def)
		}
	}
	if len(tool.Options) > 0 {
		b.WriteString("\nPROGRAM OPTIONS:\n")
		for _, o := range tool.Options {
			text := "default: " + o.Default
			if o.Desc != "" {
				text = o.Desc + " (" + text + ")"
			}
			helpLine(&b, optionSyntax(o), text)
		}
	}
	b.WriteString("\n" + toolRunFlags)
	fmt.Fprintf(&b, "\n%s runs %s, compiled for the running kernel as it starts (%s; see gbt --help for BPFTRACE_* settings).\n", name, tool.Name, gbtVersion)
	return b.String()
}

// helpLine writes one entry of a help list, its text in a column.
func helpLine(b *strings.Builder, term, text string) {
	fmt.Fprintf(b, "    %-14s %s\n", term, text)
}

// optionSyntax is how a named option is written: --name, --name=N or
// --name=STR.
func optionSyntax(o toolfile.Option) string {
	switch {
	case o.Bool:
		return "--" + o.Name
	case isInt(o.Default):
		return "--" + o.Name + "=N"
	}
	return "--" + o.Name + "=STR"
}

func isInt(s string) bool {
	_, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64)
	if err != nil {
		_, err = strconv.ParseUint(strings.ReplaceAll(s, "_", ""), 0, 64)
	}
	return err == nil
}

// leadingComment is the comment a script starts with (after its #! line):
// its // lines, or its /* */ block, without the comment marks.
func leadingComment(src string) string {
	lines := strings.Split(src, "\n")
	if len(lines) > 0 && strings.HasPrefix(lines[0], "#!") {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	var out []string
	if len(lines) > 0 && strings.HasPrefix(strings.TrimSpace(lines[0]), "/*") {
		for i, l := range lines {
			l = strings.TrimSpace(l)
			if i == 0 {
				l = strings.TrimPrefix(l, "/*")
			}
			end := strings.Contains(l, "*/")
			l, _, _ = strings.Cut(l, "*/")
			if i > 0 && !strings.HasPrefix(l, "*/") {
				l = strings.TrimPrefix(l, "*")
			}
			out = append(out, strings.TrimPrefix(l, " "))
			if end {
				break
			}
		}
	} else {
		for _, l := range lines {
			t := strings.TrimSpace(l)
			if !strings.HasPrefix(t, "//") {
				break
			}
			out = append(out, strings.TrimPrefix(strings.TrimPrefix(t, "//"), " "))
		}
	}
	for len(out) > 0 && strings.TrimSpace(out[0]) == "" {
		out = out[1:]
	}
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
		out = out[:len(out)-1]
	}
	for i := range out {
		out[i] = strings.TrimRight(out[i], " \t")
	}
	return strings.Join(out, "\n")
}

// toolName is what a tool's help calls it: the name it was run by.
func toolName(argv0 string) string { return filepath.Base(argv0) }
