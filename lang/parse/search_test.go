package parse

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/diag"
)

func TestSearchPattern(t *testing.T) {
	tests := []struct {
		pattern string
		want    string // first line of the rendering; "" = accepted
	}{
		{"", ""},
		{"*", ""},
		{"tracepoint:syscalls:sys_enter_*", ""},
		{"uprobe:/usr/lib/libstdc++.so.6:*", ""},
		{"t:sched:sched_{switch,wakeup}", ""},
		{"usdt:./testprogs/usdt_test:tracetest:?est*", ""},
		{`uprobe:"/tmp/a\b $c":f`, ""},
		{"interval:s:$1", ""},
		{`\n`, `stdin:1:1-2: ERROR: invalid character '\'`},
		{"tracepoint:sys*:foo$", `stdin:1:20-21: ERROR: invalid character '$'`},
		{"k:f`x", "stdin:1:4-5: ERROR: invalid character '`'"},
		{"t:a\x01", `stdin:1:4-5: ERROR: invalid character '\x01'`},
		{"u:/bin/é:f", `stdin:1:8-10: ERROR: invalid character 'é'`},
		{`u:"open\`, `stdin:1:8-9: ERROR: invalid character '\'`},
	}
	for _, tt := range tests {
		diags := SearchPattern(tt.pattern)
		var b strings.Builder
		diag.RenderAll(&b, diag.Source{Name: "stdin", Text: tt.pattern}, diags)
		got, _, _ := strings.Cut(b.String(), "\n")
		if got != tt.want {
			t.Errorf("SearchPattern(%q) = %q, want %q", tt.pattern, got, tt.want)
		}
	}
}
