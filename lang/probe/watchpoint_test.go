package probe_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
)

func TestExpandWatchpoint(t *testing.T) {
	traced := probetest.New()
	traced.Program = "/srv/testprogs/uprobe_test"
	tests := []struct {
		raw  string
		env  probe.Env
		want string // probe names (space-separated), or error text
	}{
		{raw: "watchpoint:0x1000:8:w", want: "watchpoint:0x1000:8:w"},
		{raw: "watchpoint:4096:4:rw", want: "watchpoint:0x1000:4:rw"},
		{raw: "watchpoint:0x1000:3:w", want: "watchpoint length must be 1, 2, 4 or 8 (3 provided)"},
		{raw: "watchpoint:0x1000:8:q", want: `invalid watchpoint mode "q"`},
		{raw: "watchpoint:0x1000:8:wx", want: `invalid watchpoint mode "wx"`},
		{raw: "watchpoint:zz:8:w", want: `invalid watchpoint address "zz"`},
		{raw: "watchpoint:0:8:w", want: `invalid watchpoint address "0"`},

		// On a function's argument: named as bpftrace 0.17 names them
		// (the argument's number only when not 0).
		{raw: "watchpoint:uprobeFunction1+arg0:4:w", env: traced, want: "watchpoint:/srv/testprogs/uprobe_test:uprobeFunction1:4:w"},
		{raw: "watchpoint:uprobeFunction1+arg2:8:rw", env: traced, want: "watchpoint:/srv/testprogs/uprobe_test:uprobeFunction1:2:8:rw"},
		{raw: "asyncwatchpoint:uprobeFunction2+arg1:4:w", env: traced, want: "asyncwatchpoint:/srv/testprogs/uprobe_test:uprobeFunction2:1:4:w"},
		{raw: "watchpoint:uprobeFunction*+arg0:4:w", env: traced,
			want: "watchpoint:/srv/testprogs/uprobe_test:uprobeFunction1:4:w watchpoint:/srv/testprogs/uprobe_test:uprobeFunction2:4:w watchpoint:/srv/testprogs/uprobe_test:uprobeFunctionBar:4:w"},
		{raw: "watchpoint:nosuch*+arg0:4:w", env: traced, want: "No matches for watchpoint /srv/testprogs/uprobe_test:nosuch*."},
		{raw: "watchpoint:uprobeFunction1+arg0:4:w", env: probetest.New(), want: "-p PID or -c CMD required for watchpoint"},
		{raw: "watchpoint:uprobeFunction1+arg6:4:w", env: traced, want: "x86_64 doesn't support arg6"},
		{raw: "watchpoint:uprobeFunction1+ar:4:w", env: traced, want: "Invalid function argument"},
		{raw: "watchpoint:uprobeFunction1+arg:4:w", env: traced, want: "Invalid function argument"},
		{raw: "watchpoint:+arg0:4:w", env: traced, want: "Invalid function/address argument"},
		{raw: "watchpoint:uprobeFunction1+arg0:3:w", env: traced, want: "watchpoint length must be 1, 2, 4 or 8 (3 provided)"},
		{raw: "asyncwatchpoint:0x1000:4:w", env: traced, want: "asyncwatchpoint requires a function name"},
	}
	for _, tt := range tests {
		parts := strings.Split(tt.raw, ":")
		pts, err := probe.Expand(&ast.AttachPoint{Raw: tt.raw, Provider: parts[0], Parts: parts[1:]}, tt.env)
		var got string
		if err != nil {
			got = err.Error()
		} else {
			var names []string
			for _, p := range pts {
				names = append(names, p.Name)
			}
			got = strings.Join(names, " ")
		}
		if got != tt.want {
			t.Errorf("Expand(%s) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}
