package check_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/stdlib"
)

// TestMapKeyTypes: the key type of map @x, sized by its uses' types in
// the newest (the sizes are those of bpftrace 0.27.1's key allocas,
// `bpftrace -d codegen`), every integer 64 bits in 0.17.
func TestMapKeyTypes(t *testing.T) {
	for _, tt := range []struct {
		src          string
		newest, v017 string
	}{
		{`BEGIN { @x[pid] = count(); }`, "uint32", "uint64"},
		{`BEGIN { @x[tid] = 1; }`, "uint32", "uint64"},
		{`BEGIN { @x[(uint16)pid] = 1; }`, "uint16", "uint64"},
		{`BEGIN { @x[1] = 1; }`, "int8", "int64"},
		{`BEGIN { @x[-1] = 1; }`, "int8", "int64"},
		{`BEGIN { @x[100000] = 1; }`, "int32", "int64"},
		{`BEGIN { @x[(int16)-3] = 1; }`, "int16", "int64"},
		{`BEGIN { @x[nsecs] = 1; }`, "uint64", "uint64"},
		{`BEGIN { @x[1 == 1] = 1; }`, "bool", "bool"},
		{`BEGIN { @x[pid, tid] = 1; }`, "(uint32,uint32)", "(uint64,uint64)"},
		{`BEGIN { @x[(uint8)1, (uint16)2] = 1; }`, "(uint8,uint16)", "(uint64,uint64)"},
		{`BEGIN { @x[(1, 2)] = 1; }`, "(int8,int8)", "(int64,int64)"},
		{`BEGIN { @x[1, "a"] = 1; @x[1000, "bc"] = 2; }`, "(int16,string[3])", "(int64,string[3])"},
		// Promotion over the uses: a signed type twice the size for two
		// signs, a non-negative literal taking the other use's sign.
		{`BEGIN { @x[(uint8)255] = 1; @x[-1] = 2; }`, "int16", "uint64"},
		{`BEGIN { @x[(int8)1] = 1; @x[(uint8)2] = 2; }`, "int16", "int64"},
		{`BEGIN { @x[(int32)1] = 1; @x[(uint16)2] = 2; }`, "int32", "int64"},
		{`BEGIN { @x[(uint32)4000000000] = 1; @x[-1] = 2; }`, "int64", "uint64"},
		{`BEGIN { @x[(uint64)1] = 1; @x[(int64)2] = 2; }`, "int64", "uint64"},
		{`BEGIN { @x[-5] = 1; @x[200] = 2; }`, "int16", "int64"},
		{`BEGIN { @x[1] = 1; @x[pid] = 1; }`, "uint32", "int64"},
		{`BEGIN { @x[(uint64)1] = 1; @x[1] = 2; }`, "uint64", "uint64"},
		// Reads, has_key and delete promote the key too, so that their
		// key is not cut to the writes' size; a read may come first.
		{`BEGIN { @x[(uint8)1] = 1; $y = @x[1000]; }`, "uint16", "uint64"},
		{`BEGIN { @x[(uint8)255] = 1; $y = has_key(@x, 1279); }`, "uint16", "uint64"},
		{`BEGIN { @x[(uint8)255] = 1; delete(@x, 1279); }`, "uint16", "uint64"},
		{`BEGIN { $y = @x[100000]; } END { @x[(uint8)1] = 1; }`, "uint32", "uint64"},
		{`BEGIN { @x[(uint8)1] = 1; for ($kv : @x) { @y = $kv.0; } $z = @x[70000]; }`, "uint32", "uint64"},
	} {
		for _, v := range []compat.Version{compat.Newest, compat.V017} {
			want := tt.newest
			if v == compat.V017 {
				want = tt.v017
			}
			prog, diags := parse.Parse("stdin", tt.src)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: stdlib.New(), Compat: v})
			if diags.HasErrors() {
				var b strings.Builder
				diag.RenderAll(&b, diag.Source{Name: "stdin", Text: tt.src}, diags)
				t.Fatalf("%s (%v): %s", tt.src, v, b.String())
			}
			if got := info.Maps["@x"].Key.String(); got != want {
				t.Errorf("%s (%v): key %s, want %s", tt.src, v, got, want)
			}
		}
	}
}
