package stdlib

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/internal/cfmt"
	"github.com/gbt-dev/gbt/lang/types"
)

// TestSeqFormat: a pinned iterator's printf format as the kernel's
// bpf_seq_printf takes it (64-bit lengths as ll, '%' in text doubled),
// and the verbs it cannot format, refused with the reason.
func TestSeqFormat(t *testing.T) {
	str := types.StringOf(16)
	tests := []struct {
		format string
		args   []types.Type
		want   string // the kernel's format, or the error's start
		err    bool
	}{
		{"%s %d\n", []types.Type{str, types.I64}, "%s %d\n", false},
		{"100%% %-6ld|%08lx|%+zd|%5s|%c", []types.Type{types.I64, types.U64, types.I64, str, types.I64}, "100%% %-6lld|%08llx|%+lld|%5s|%c", false},
		{"%u %X %lli", []types.Type{types.U32, types.U64, types.I64}, "%u %X %lld", false},
		{"%d", []types.Type{{Kind: types.Bool, Size: 1}}, "%d", false},
		{"%#x", []types.Type{types.I64}, "the kernel's formatter has no '#' flag", true},
		{"%.3s", []types.Type{str}, "the kernel's formatter has no precision", true},
		{"%hhd", []types.Type{types.I64}, `the kernel's formatter has no length "hh"`, true},
		{"%o", []types.Type{types.I64}, "the kernel's formatter has no %o", true},
		{"%p", []types.Type{types.I64}, "the kernel's formatter has no %p", true},
		{"%r", []types.Type{types.Type{Kind: types.Buffer, Size: 4}}, "the kernel's formatter has no %r", true},
		{"%s", []types.Type{{Kind: types.Ksym}}, "%s of a ksym: gbt formats it", true},
		{"%d", []types.Type{str}, "%d of a string[16]: the kernel formats integers only", true},
	}
	for _, tt := range tests {
		pieces, err := cfmt.Parse(tt.format)
		if err != nil {
			t.Fatalf("%q: %v", tt.format, err)
		}
		var verr error
		i := 0
		for _, p := range pieces {
			if p.Verb != nil {
				if _, err := seqVerb(p.Verb, tt.args[i]); err != nil && verr == nil {
					verr = err
				}
				i++
			}
		}
		if tt.err {
			if verr == nil || !strings.HasPrefix(verr.Error(), tt.want) {
				t.Errorf("%q: error %v, want %q", tt.format, verr, tt.want)
			}
			continue
		}
		if verr != nil {
			t.Errorf("%q: %v", tt.format, verr)
			continue
		}
		if got := seqFormat(pieces, tt.args); got != tt.want {
			t.Errorf("%q: kernel format %q, want %q", tt.format, got, tt.want)
		}
	}
}
