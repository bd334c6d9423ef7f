// Package compiletest runs the whole front end and code generator for
// tests: parse, check against an Env, compile, failing the test with the
// rendered diagnostics at the first stage that reports errors.
package compiletest

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/stdlib"
)

// Compile compiles src (named name in diagnostics) with the given probe
// environment; unsafe allows --unsafe builtins.
func Compile(t testing.TB, name, src string, env probe.Env, unsafe bool) *codegen.Object {
	t.Helper()
	fail := func(diags diag.List) {
		t.Helper()
		var b strings.Builder
		diag.RenderAll(&b, diag.Source{Name: name, Text: src}, diags)
		t.Fatal(b.String())
	}
	prog, diags := parse.Parse(name, src)
	if diags.HasErrors() {
		fail(diags)
	}
	table := stdlib.New()
	info, diags := check.Check(prog, check.Config{Env: env, Builtins: table, Unsafe: unsafe})
	if diags.HasErrors() {
		fail(diags)
	}
	obj, diags := codegen.Compile(info, table, codegen.Options{NumCPUs: 2})
	if diags.HasErrors() {
		fail(diags)
	}
	return obj
}
