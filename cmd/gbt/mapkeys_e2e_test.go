package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestE2EMapKeySizes: integer map keys are stored at their type's size and
// a map's key takes the type its uses promote to (compat.SizedMapKeys), so
// no key is cut short: a uint8 and a -1 key stay apart and print as
// bpftrace 0.27.1 prints them (@a[-1], where a 64-bit unsigned key printed
// 18446744073709551615), a read, has_key and delete with a wider key than
// the writes' find nothing rather than a truncated key's element, for
// loops read the sized keys, and the workload's pid (a 4-byte key) and a
// (uint16, int8) tuple key print as they did. bpftrace 0.27.1 prints the
// same lines (those of maps of plain values in its hash order); with
// --compat=0.17 gbt prints what it did before.
func TestE2EMapKeySizes(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	prog := `tracepoint:syscalls:sys_enter_openat /pid == @PID@/ { @p[pid] = count(); @t[pid, (uint16)3] = count(); }
tracepoint:syscalls:sys_enter_getpgid /pid == @PID@/ {
	@a[(uint8)255] = 1; @a[-1] = 2;
	@b[(uint8)1] = 1; @b[(uint8)232] = 2; $y = @b[1000];
	@c[(uint8)255] = 1; $h = has_key(@c, 1279); delete(@c, 1279);
	@d[1] = 3; @d[(int16)-300] = 4; @d[100000] = 5;
	@e[(uint16)7, -2] = count(); @e[(uint16)7, -2] = count(); @e[65535, 100] = count();
	for ($kv : @d) { @g[$kv.0] = $kv.1; }
	printf("%d %d %d %d\n", $y, $h, @d[-300], pid);
	exit();
}`
	for _, tt := range []struct {
		compat string
		a      string
	}{
		{"newest", "@a[255]: 1\n@a[-1]: 2\n"},
		{"0.17", "@a[255]: 1\n@a[-1]: 2\n"}, // an unsigned 64-bit key, printed signed by 0.17
	} {
		res := runTracer(t, traceRun{argv: []string{gbt, "--compat=" + tt.compat, "-e", prog}, workload: []string{"open", "3", "/dev/null"}, work: work, timeout: 30 * time.Second})
		if res.exitCode != 0 {
			t.Fatalf("--compat=%s: exit code %d\nstderr:\n%s", tt.compat, res.exitCode, clip(res.stderr))
		}
		out := strings.TrimPrefix(res.stdout, "Attaching 2 probes...\n") // 0.17 prints it on stdout
		var pid int
		if _, err := fmt.Sscanf(out, "0 0 4 %d\n", &pid); err != nil {
			t.Fatalf("--compat=%s: stdout:\n%s\n%v", tt.compat, res.stdout, err)
		}
		want := fmt.Sprintf("0 0 4 %d\n\n\n", pid) + tt.a + "@b[1]: 1\n@b[232]: 2\n@c[255]: 1\n@d[1]: 3\n@d[-300]: 4\n@d[100000]: 5\n" +
			"@e[65535, 100]: 1\n@e[7, -2]: 2\n@g[1]: 3\n@g[-300]: 4\n@g[100000]: 5\n" +
			fmt.Sprintf("@p[%d]: 3\n@t[%d, 3]: 3\n", pid, pid)
		if out != want {
			t.Errorf("--compat=%s: stdout:\n%s\nwant:\n%s\nstderr:\n%s", tt.compat, out, want, clip(res.stderr))
		}
	}
}
