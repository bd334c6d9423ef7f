package check_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/lang/types"
)

// otherWrite is probetest's kernel with a vfs_write whose arguments differ
// from vfs_read's.
type otherWrite struct{ *probetest.Env }

func (e otherWrite) FuncArgs(target probe.Tracing, name string) (types.Type, types.Type, error) {
	if name != "vfs_write" {
		return e.Env.FuncArgs(target, name)
	}
	return types.Type{Kind: types.Record, Name: "vfs_write", Size: 8, Fields: []types.Field{{Name: "file", Type: types.U64}}}, types.I64, nil
}

// TestKfuncWildcardArgs: a kfunc wildcard may match functions of different
// signatures (one program each) as long as args is not read; a kretfunc's
// must agree, as its retval follows the arguments.
func TestKfuncWildcardArgs(t *testing.T) {
	env := otherWrite{probetest.New()}
	for _, tt := range []struct{ src, want string }{
		{`kfunc:vfs_* { @[probe] = count(); }`, ""},
		{`kfunc:vfs_read { @ = args->count; }`, ""},
		{`kfunc:vfs_* { @ = args->count; }`, "kfunc:vfs_read and kfunc:vfs_write have different arguments: give each its own probe"},
		{`kretfunc:vfs_* { @ = retval; }`, "kretfunc:vfs_read and kretfunc:vfs_write have different arguments: give each its own probe"},
	} {
		got := checkWith(env, tt.src)
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("%s: got\n%s\nwant %q", tt.src, got, tt.want)
		}
	}
}
