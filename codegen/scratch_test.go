package codegen_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/stdlib"
)

// TestScratch: a probe whose values overflow the BPF stack keeps its big
// ones in the scratch map (a record is built there in place), sized by
// the largest use of the probes; one that fits the stack does not use it;
// what scratch memory cannot hold either is reported at its statement.
func TestScratch(t *testing.T) {
	for _, tt := range []struct {
		name    string
		strlen  int
		src     string
		scratch int    // value size of the scratch map, 0 for none
		err     string // the first error, if any
	}{
		{name: "fits the stack", strlen: 64, src: `tracepoint:syscalls:sys_enter_openat { print((1, str(args.filename))); }`},
		{name: "one big string", strlen: 1000, src: `tracepoint:syscalls:sys_enter_openat { print(str(args.filename)); }`, scratch: 1008},
		{name: "largest of two probes", strlen: 1000, src: `tracepoint:syscalls:sys_enter_openat { print(str(args.filename)); }
			tracepoint:syscalls:sys_enter_openat { print((1, str(args.filename))); }`, scratch: 1016},
		{name: "too big for scratch", strlen: 16384, src: `tracepoint:syscalls:sys_enter_openat { print((str(args.filename), str(args.filename))); }`,
			err: "stdin:1:40-87: ERROR: this statement needs 32776 bytes of scratch memory for its values, more than the 32256 gbt has (lower BPFTRACE_MAX_STRLEN)"},
		// A loop's callback reaches the caller's scratch memory.
		{name: "for loop", strlen: 1000, src: `tracepoint:syscalls:sys_enter_openat { @m[1] = 1; $s = str(args.filename); for ($kv : @m) { print($kv); } }`,
			scratch: 1000},
		// bpftrace's str_big_for: $kv (20000 bytes) has its home at the
		// loop, not beside the map assignment's key and value (20000
		// more), and print($kv) copies it into the ring buffer, not into a
		// record in scratch memory.
		{name: "for loop over big strings", strlen: 9999, src: `tracepoint:syscalls:sys_enter_execve { @map[str(args.filename)] = str(args.filename); for ($kv : @map) { print($kv); } }`,
			scratch: 20000},
		// Values of less than 128 bytes that overflow the stack together
		// go to scratch memory too.
		{name: "many middle-sized values", strlen: 96, src: `tracepoint:syscalls:sys_enter_openat { $a = str(args.filename);
			$b = $a; $c = $a; $d = $a; $e = $a; $f = $a; print(($a, $f)); }`, scratch: 776},
		// A loop's frames need more than 512 bytes together with the values
		// of 128 bytes and more in scratch memory, and those of 64 do not
		// fit there: the program is left as it was to the kernel (newer
		// verifiers do not add the frames up).
		{name: "for loop whose smaller values do not fit scratch", strlen: 16000, src: `tracepoint:syscalls:sys_enter_openat { $s = str(args.filename);
			$a = (nsecs, nsecs, nsecs, nsecs, nsecs, nsecs, nsecs, nsecs, nsecs, nsecs, nsecs, nsecs); $b = $a; $c = $a;
			for ($i : 0..2) { printf("%s %d %d %d\n", $s, $a.0, $b.1, $c.2); } }`, scratch: 32032},
		{name: "loop variable read after its loop", strlen: 9999, src: `tracepoint:syscalls:sys_enter_execve { @map[str(args.filename)] = str(args.filename); for ($kv : @map) { } print($kv); }`,
			err: "stdin:1:40-85: ERROR: this statement needs 40000 bytes of scratch memory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			prog, diags := parse.Parse("stdin", tt.src)
			if diags.HasErrors() {
				t.Fatal(diags.Err())
			}
			table := stdlib.New()
			info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: table, Strlen: tt.strlen})
			if diags.HasErrors() {
				t.Fatal(diags.Err())
			}
			obj, diags := codegen.Compile(info, table, codegen.Options{})
			var b strings.Builder
			diag.RenderAll(&b, diag.Source{Name: "stdin", Text: tt.src}, diags)
			if tt.err != "" {
				if !strings.Contains(b.String(), tt.err) {
					t.Fatalf("errors:\n%s\nwant one containing %q", b.String(), tt.err)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatalf("errors:\n%s", b.String())
			}
			size := 0
			for _, m := range obj.Maps {
				if m.Role == codegen.RoleScratch {
					size = int(m.Spec.ValueSize)
				}
			}
			if size != tt.scratch {
				t.Errorf("scratch map value size %d, want %d", size, tt.scratch)
			}
		})
	}
}
