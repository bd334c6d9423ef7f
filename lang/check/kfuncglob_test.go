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
// signatures (one program each): the block is checked once for each
// signature, with its own args and retval, as the newest bpftrace checks
// it for each attach point (its suite's "mixed probe args").
func TestKfuncWildcardArgs(t *testing.T) {
	env := otherWrite{probetest.New()}
	for _, tt := range []struct{ src, want string }{
		{`kfunc:vfs_* { @[probe] = count(); }`, ""},
		{`kfunc:vfs_read { @ = args->count; }`, ""},
		{`kfunc:vfs_* { @ = args->count; }`, "Struct/union of type 'vfs_write' does not contain a field named 'count'"},
		{`kretfunc:vfs_* { @ = retval; }`, ""},
		{`kfunc:vfs_* { args }`, ""},
	} {
		got := checkWith(env, tt.src)
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("%s: got\n%s\nwant %q", tt.src, got, tt.want)
		}
	}
}
