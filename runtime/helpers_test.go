package runtime_test

import (
	"testing"

	"github.com/gbt-dev/gbt/internal/compiletest"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
)

// compile builds an Object from source through the whole front end.
func compile(t *testing.T, src string) *codegen.Object {
	t.Helper()
	return compiletest.Compile(t, "stdin", src, probetest.New(), false)
}

func beginPrintfExit(t *testing.T) *codegen.Object {
	return compile(t, `BEGIN { printf("hi\n"); exit(); } END { }`)
}
