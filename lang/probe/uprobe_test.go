package probe_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
)

// TestExpandUserProbes: uprobe and usdt files are resolved through the
// Env (globs, library names, the traced process's files), functions by
// wildcard, FUNCTION+OFFSET is checked against the symbol's size and an
// address against the functions, as bpftrace does; each point says what
// attaching it needs (Path, Func, Offset, USDT).
func TestExpandUserProbes(t *testing.T) {
	tests := []struct {
		process []string // the traced process's files (-p)
		raw     string
		want    string // "NAME path func+off" per point, or the error
	}{
		{raw: "uprobe:/bin/bash:readline", want: "uprobe:/bin/bash:readline /bin/bash readline+0"},
		{raw: "uprobe:/bin/bash:echo_builtin+0", want: "uprobe:/bin/bash:echo_builtin+0 /bin/bash echo_builtin+0"},
		{raw: "uprobe:/bin/bash:echo_builtin+16", want: "uprobe:/bin/bash:echo_builtin+16 /bin/bash echo_builtin+16"},
		{raw: "uprobe:/bin/bash:echo_builtin+1000000", want: "Offset outside the function bounds ('echo_builtin' size is 757)"},
		{raw: "uprobe:/bin/bash:echo_builtin+x", want: "invalid function offset: echo_builtin+x"},
		{raw: "uprobe:/bin/bash:0x4b9a4", want: "uprobe:/bin/bash:0x4b9a4 /bin/bash 0x4b9a4+0"},
		{raw: "uprobe:/bin/bash:10", want: "Could not resolve address: /bin/bash:0xa"},
		{raw: "uprobe:/bin/bash:re*", want: "uprobe:/bin/bash:readline /bin/bash readline+0"},
		{raw: "uretprobe:/bin/bash:*_builtin", want: "uretprobe:/bin/bash:echo_builtin /bin/bash echo_builtin+0"},
		{raw: "uprobe:/bin/bash:nope*", want: "No matches for uprobe /bin/bash:nope*."},
		{raw: "uprobe:libc:malloc", want: "uprobe:/usr/lib/x86_64-linux-gnu/libc.so.6:malloc /usr/lib/x86_64-linux-gnu/libc.so.6 malloc+0"},
		{raw: "uprobe:/usr/lib/*/libc.so.6:free", want: "uprobe:/usr/lib/x86_64-linux-gnu/libc.so.6:free /usr/lib/x86_64-linux-gnu/libc.so.6 free+0"},
		{raw: "uprobe:/opt/*:f", want: "uprobe target file '/opt/*' does not exist or is not executable"},
		{raw: "usdt:/usr/lib/libpython3.so:python:gc__start", want: "usdt:/usr/lib/libpython3.so:python:gc__start /usr/lib/libpython3.so gc__start+0"},
		{raw: "usdt:/usr/lib/libpython3.so::gc__start", want: "usdt:/usr/lib/libpython3.so:python:gc__start /usr/lib/libpython3.so gc__start+0"},
		{raw: "usdt:/usr/lib/libpython*.so:function__*",
			want: "usdt:/usr/lib/libpython3.so:python:function__entry /usr/lib/libpython3.so function__entry+0\n" +
				"usdt:/usr/lib/libpython3.so:python:function__return /usr/lib/libpython3.so function__return+0"},
		{process: []string{"/bin/bash", "/usr/lib/libpython3.so"}, raw: "usdt::python:gc__start",
			want: "usdt:/usr/lib/libpython3.so:python:gc__start /usr/lib/libpython3.so gc__start+0"},
		{process: []string{"/bin/bash", "/usr/lib/libpython3.so"}, raw: "usdt:::gc_*",
			want: "usdt:/usr/lib/libpython3.so:python:gc__start /usr/lib/libpython3.so gc__start+0"},
		{raw: "usdt::python:gc__start", want: "a probe without a file needs a process: give -p PID"},
		{process: []string{"/bin/bash", "/usr/lib/x86_64-linux-gnu/libc.so.6"}, raw: "uprobe:*:malloc",
			want: "uprobe:/usr/lib/x86_64-linux-gnu/libc.so.6:malloc /usr/lib/x86_64-linux-gnu/libc.so.6 malloc+0"},
		{process: []string{"/bin/bash", "/usr/lib/x86_64-linux-gnu/libc.so.6"}, raw: "uprobe:*:nope",
			want: "No matches for uprobe *:nope."},
		{raw: "uprobe:/srv/testprogs/uprobe_test@uprobe_test.c:22",
			want: "uprobe:/srv/testprogs/uprobe_test@uprobe_test.c:22 /srv/testprogs/uprobe_test uprobeFunction1+0"},
		{raw: "uprobe:/srv/testprogs/uprobe_test@uprobe_test.c:24",
			want: "uprobe:/srv/testprogs/uprobe_test@uprobe_test.c:24 /srv/testprogs/uprobe_test uprobeFunction1+19"},
		{raw: "uprobe:/srv/testprogs/uprobe_test@uprobe_test.c:2",
			want: "Could not resolve source location /srv/testprogs/uprobe_test@uprobe_test.c:2: no code at uprobe_test.c:2: not in the file's debug info"},
		{raw: "uprobe:/bin/bash@bash.c:10", want: "Could not resolve source location /bin/bash@bash.c:10: /bin/bash: no DWARF debug info"},
		{raw: "uprobe:/srv/testprogs/uprobe_test@uprobe_test.c:0", want: "invalid source location: /srv/testprogs/uprobe_test@uprobe_test.c:0"},
		{raw: "uprobe:/bin/bash@x:readline", want: "uprobe:/bin/bash@x:readline /bin/bash@x readline+0"}, // a path with an @
	}
	for _, tt := range tests {
		env := probetest.New()
		env.Process = tt.process
		parts := strings.Split(tt.raw, ":")
		pts, err := probe.Expand(ap(parts[0], parts[1:]...), env)
		var got []string
		if err != nil {
			got = append(got, err.Error())
		}
		for _, p := range pts {
			got = append(got, fmt.Sprintf("%s %s %s+%d", p.Name, p.Path, p.Func, p.Offset))
			if (p.USDT != nil) != (p.Kind.Attach == probe.AttachUSDT) {
				t.Errorf("%s: point %s: USDT site %v", tt.raw, p.Name, p.USDT)
			}
		}
		if s := strings.Join(got, "\n"); s != tt.want {
			t.Errorf("Expand(%s):\n%s\nwant:\n%s", tt.raw, s, tt.want)
		}
	}
}
