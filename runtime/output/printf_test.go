package output

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/types"
)

func benchPrintf(tb testing.TB) (*Printf, []byte) {
	ts, offs, rec := record([]arg{ia(1234), sa("bash"), ta(types.U32, 7), ia(-5), ba("ab\x01"), arg{types.Type{Kind: types.Probe}, i64(0)}})
	p, err := CompilePrintf("%-6d %-16s %u %ld %r %s\n", ts, offs)
	if err != nil {
		tb.Fatal(err)
	}
	p.SetProbeNames([]string{"tracepoint:syscalls:sys_enter_openat"})
	return p, rec
}

func TestPrintfNoAlloc(t *testing.T) {
	p, rec := benchPrintf(t)
	buf := make([]byte, 0, 256)
	if got, want := string(p.Append(buf, rec)), "1234   bash             7 -5 ab\\x01 tracepoint:syscalls:sys_enter_openat\n"; got != want {
		t.Fatalf("Append = %q, want %q", got, want)
	}
	if n := testing.AllocsPerRun(100, func() { buf = p.Append(buf[:0], rec) }); n != 0 {
		t.Errorf("Append allocates %v times per record", n)
	}
}

func TestCompilePrintfErrors(t *testing.T) {
	tests := []struct {
		format string
		args   []arg
		want   string
	}{
		{"%d %d", []arg{ia(1)}, "Not enough arguments for format string (1 supplied, 2 expected)"},
		{"%d", []arg{ia(1), ia(2)}, "Too many arguments for format string (2 supplied, 1 expected)"},
		{"%d", []arg{sa("x")}, "%d cannot print a value of type string[2]"},
		{"%r", []arg{sa("x")}, "%r cannot print a value of type string[2]"},
		{"%q", nil, `unknown format specifier "%q"`},
	}
	for _, tt := range tests {
		ts, offs, _ := record(tt.args)
		_, err := CompilePrintf(tt.format, ts, offs)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CompilePrintf(%q) error = %v, want %q", tt.format, err, tt.want)
		}
	}
}

func BenchmarkPrintf(b *testing.B) {
	p, rec := benchPrintf(b)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = p.Append(buf[:0], rec)
	}
}
