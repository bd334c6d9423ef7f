package runtime

import (
	"strings"

	"github.com/cilium/ebpf"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime/kernel"
	"github.com/gbt-dev/gbt/stdlib"
)

// CompileOptions tune Compile.
type CompileOptions struct {
	Params []string  // positional parameters $1..$N
	Unsafe bool      // allow system(), signal() and the other unsafe builtins
	Strlen int       // bytes per str() (0: 64, bpftrace's default)
	Env    probe.Env // tracepoints and their formats (nil: this machine's tracefs)
	// Codegen passes code generation settings; NumCPUs defaults to the
	// machine's possible CPUs.
	Codegen codegen.Options
}

// CompileError is the diagnostics of a script that does not compile.
// Its Error is the whole rendered text, as gbt prints it: position, source
// line, ~~~ under the span, and hints.
type CompileError struct {
	Source diag.Source
	Diags  diag.List
}

func (e *CompileError) Error() string {
	var b strings.Builder
	diag.RenderAll(&b, e.Source, e.Diags)
	return strings.TrimSuffix(b.String(), "\n")
}

// Compile parses, checks and compiles a script (named name in messages)
// for Run: the entry point for Go programs that embed gbt. It needs no
// privileges; errors in the script come back as a *CompileError.
func Compile(name, src string, opts CompileOptions) (*codegen.Object, error) {
	source := diag.Source{Name: name, Text: src}
	prog, diags := parse.Parse(name, src)
	if diags.HasErrors() {
		return nil, &CompileError{source, diags}
	}
	env := opts.Env
	if env == nil {
		env = kernel.NewEnv()
	}
	table := stdlib.New()
	info, diags := check.Check(prog, check.Config{Env: env, Builtins: table, Params: opts.Params, Unsafe: opts.Unsafe, Strlen: opts.Strlen})
	if diags.HasErrors() {
		return nil, &CompileError{source, diags}
	}
	copts := opts.Codegen
	if copts.NumCPUs == 0 {
		if n, err := ebpf.PossibleCPU(); err == nil {
			copts.NumCPUs = n
		} else {
			copts.NumCPUs = 1
		}
	}
	obj, diags := codegen.Compile(info, table, copts)
	if diags.HasErrors() {
		return nil, &CompileError{source, diags}
	}
	return obj, nil
}
