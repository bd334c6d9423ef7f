package runtime_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/output"
)

// TestKernelEveryEventKind: each kind of record BEGIN can send reaches its
// builtin's decoder, in order, in text and JSON: printf, print of a map and
// of a value, cat, zero, clear, time, system, unwatch (nothing to remove),
// and exit, which ends the probe (END still runs).
func TestKernelEveryEventKind(t *testing.T) {
	requireRoot(t)
	src := `BEGIN {
	@m[1] = 2;
	printf("p %d %s\n", 7, "x");
	print(@m);
	print((1, "a"));
	cat("%s", "/proc/sys/kernel/ostype");
	zero(@m);
	print(@m);
	clear(@m);
	print(@m);
	time("T\n");
	system("echo s%d", 1);
	unwatch(0);
	exit();
	printf("not reached\n");
}
END { printf("end\n"); }`
	obj, _, err := runtime.Compile("t.bt", src, runtime.CompileOptions{Unsafe: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		format output.Format
		want   string
	}{
		{output.Text, "p 7 x\n@m[1]: 2\n(1, a)\nLinux\n@m[1]: 0\n\nT\ns1\nend\n\n\n\n"},
		{output.JSON, `{"type": "attached_probes", "data": {"probes": 2}}
{"type": "printf", "data": "p 7 x\n"}
{"type": "map", "data": {"@m": {"1": 2}}}
{"type": "value", "data": [1,"a"]}
{"type": "cat", "data": "Linux\n"}
{"type": "map", "data": {"@m": {"1": 0}}}
{"type": "time", "data": "T\n"}
{"type": "system", "data": "s1\n"}
{"type": "printf", "data": "end\n"}


`},
	} {
		var out bytes.Buffer
		if err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: &out, Stderr: io.Discard, Quiet: true, Format: tc.format}); err != nil {
			t.Fatal(err)
		}
		if out.String() != tc.want {
			t.Errorf("format %d: output\n%q\nwant\n%q", tc.format, out.String(), tc.want)
		}
	}
}
