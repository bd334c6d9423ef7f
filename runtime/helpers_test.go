package runtime_test

import (
	"testing"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/stdlib"
)

// compile builds an Object from source through the whole front end.
func compile(t *testing.T, src string) *codegen.Object {
	t.Helper()
	prog, diags := parse.Parse("stdin", src)
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	table := stdlib.New()
	info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: table})
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	obj, diags := codegen.Compile(info, table, codegen.Options{NumCPUs: 2})
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	return obj
}

func beginPrintfExit(t *testing.T) *codegen.Object {
	return compile(t, `BEGIN { printf("hi\n"); exit(); } END { }`)
}
