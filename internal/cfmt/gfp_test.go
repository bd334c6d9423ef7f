package cfmt

import "testing"

// TestGFPFlags: %gr names GFP flags; every expected string was printed by
// bpftrace 0.27.1 on this machine (printf(format, arg) in a begin probe).
func TestGFPFlags(t *testing.T) {
	for _, tt := range []struct {
		format string
		arg    uint64
		want   string
	}{
		{"[%gr]", 0x1, "[GFP_DMA]"},
		{"[%gr]", 0xcc0, "[GFP_KERNEL]"},
		{"[%gr]", 0, "[0]"},
		{"[%gr]", 0x100000000, "[0x100000000]"},
		{"[%gr]", 0x400dc0, "[GFP_KERNEL_ACCOUNT|__GFP_ZERO]"},
		{"[%gr]", 0x100cca, "[GFP_HIGHUSER|0x8]"},
		{"[%-12gr]", 0x2800, "[GFP_NOWAIT  ]"},
		{"[%20gr]", 0x820, "[          GFP_ATOMIC]"},
	} {
		pieces, err := Parse(tt.format)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.format, err)
		}
		var out []byte
		for _, p := range pieces {
			if p.Verb == nil {
				out = append(out, p.Lit...)
				continue
			}
			if p.Verb.Arg() != IntArg || p.Verb.Spec() != "gr" {
				t.Errorf("%s: takes %v, spec %q; want an integer, gr", tt.format, p.Verb.Arg(), p.Verb.Spec())
			}
			out = p.Verb.AppendInt(out, tt.arg)
		}
		if string(out) != tt.want {
			t.Errorf("%s of %#x = %q, want %q", tt.format, tt.arg, out, tt.want)
		}
	}
	for _, bad := range []string{"%g", "%g\n", "%gx"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted %%g without r", bad)
		}
	}
}
