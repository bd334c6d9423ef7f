package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/gbt-dev/gbt/internal/toolfile"
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/kernel"
)

const buildUsage = `USAGE:
    gbt build [-o TOOL] [--unsafe] SCRIPT [ARGS...] [-- --name=value...]

Writes TOOL (default: SCRIPT without .bt), one executable that runs SCRIPT:
gbt with the script inside. ARGS become the defaults of $1..$N and
--name=value those of getopt("name", ...); the tool's command line overrides
them. The script is compiled here first, so that a mistake fails the build;
the tool compiles it again for the running kernel wherever it starts.
TOOL --help prints the script's leading comment, its parameters and options.
`

// runBuild is `gbt build`: it checks the script and writes the tool.
func runBuild(argv []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("gbt build", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SetInterspersed(true)
	out := fs.StringP("output", "o", "", "tool to write")
	unsafe := fs.Bool("unsafe", false, "allow unsafe builtins")
	help := fs.BoolP("help", "h", false, "help")
	if err := fs.Parse(argv); err != nil {
		fmt.Fprintf(stderr, "gbt build: %v\n%s", err, buildUsage)
		return exitUsage
	}
	if *help {
		fmt.Fprint(stdout, buildUsage)
		return exitOK
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprintf(stderr, "gbt build: no script given\n%s", buildUsage)
		return exitUsage
	}
	script := rest[0]
	var params []string
	var named map[string]string
	for _, a := range rest[1:] {
		if name, ok := strings.CutPrefix(a, "--"); ok && name != "" {
			if named == nil {
				named = map[string]string{}
			}
			name, value, _ := strings.Cut(name, "=")
			named[name] = value
			continue
		}
		params = append(params, a)
	}
	if *out == "" {
		*out = strings.TrimSuffix(filepath.Base(script), ".bt")
	}
	tool, err := checkTool(script, params, named, *unsafe, stderr)
	if err != nil {
		if !errors.As(err, new(shownError)) {
			fmt.Fprintln(stderr, "ERROR:", err)
		}
		return exitError
	}
	if err := writeTool(*out, script, tool); err != nil {
		fmt.Fprintln(stderr, "ERROR:", err)
		return exitError
	}
	return exitOK
}

// checkTool compiles the script with the build's parameters against this
// machine's kernel and returns the tool to embed.
func checkTool(script string, params []string, named map[string]string, unsafe bool, stderr io.Writer) (*toolfile.Tool, error) {
	name, src, err := readScript(&options{file: script})
	if err != nil {
		return nil, err
	}
	env := kernel.NewEnv()
	env.EnsureTracefs()
	obj, warns, err := runtime.Compile(name, src, runtime.CompileOptions{Params: params, Named: named, Unsafe: unsafe, Env: env, Getenv: os.Getenv})
	warns.Render(stderr)
	var ce *runtime.CompileError
	if errors.As(err, &ce) {
		diag.RenderAll(stderr, ce.Source, ce.Diags)
		return nil, shownError{err}
	}
	if err != nil {
		return nil, err
	}
	tool := &toolfile.Tool{Name: filepath.Base(script), Script: src, Params: params, Named: named, Unsafe: unsafe,
		Positionals: max(len(params), positionals(obj.Info.Prog))}
	var runFlags flagText
	flags := newFlagSet(&options{}, &runFlags)
	for _, o := range obj.Info.Options {
		if f := flags.Lookup(o.Name); f != nil {
			return nil, fmt.Errorf("getopt(%q) is named as gbt's --%s flag, which the tool takes: rename the option", o.Name, f.Name)
		}
		opt := toolfile.Option{Name: o.Name, Default: o.Default, Desc: o.Desc, Bool: o.Default == "true" || o.Default == "false"}
		if v, ok := named[o.Name]; ok {
			opt.Default = v
			if v == "" {
				opt.Default = "true"
			}
		}
		tool.Options = append(tool.Options, opt)
	}
	slices.SortFunc(tool.Options, func(a, b toolfile.Option) int { return strings.Compare(a.Name, b.Name) })
	return tool, nil
}

// positionals is the highest $N the program reads.
func positionals(prog *ast.Program) int {
	n := 0
	ast.Inspect(prog, func(node ast.Node) bool {
		if p, ok := node.(*ast.Positional); ok && !p.Count {
			n = max(n, p.Index)
		}
		return true
	})
	return n
}

// writeTool writes gbt's executable with the tool embedded to path, by a
// rename so that a running tool of that name is not changed under it.
func writeTool(path, script string, tool *toolfile.Tool) error {
	if same(path, script) {
		return fmt.Errorf("-o %s is the script: give the tool another name", path)
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find gbt's executable: %w", err)
	}
	exe, err := os.ReadFile(self)
	if err != nil {
		return fmt.Errorf("read gbt's executable: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	err = toolfile.Write(tmp, exe, tool)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o755)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// same reports whether a and b name one existing file.
func same(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}

// ownTool is the tool embedded in this executable, or nil for gbt itself.
func ownTool() (*toolfile.Tool, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil // gbt runs without knowing its file: no tool there
	}
	t, err := toolfile.Read(self)
	if errors.Is(err, toolfile.ErrNotTool) {
		return nil, nil
	}
	return t, err
}
