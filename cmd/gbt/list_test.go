package main

import (
	"io"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/probe/probetest"
)

// TestListUprobeArgs: -lv lists each function's parameters from the
// file's DWARF, and warns once about a file without debug info.
func TestListUprobeArgs(t *testing.T) {
	for _, tt := range []struct {
		pattern    string
		verbose    bool
		out, warns string
	}{
		{"/srv/testprogs/uprobe_test:uprobe*", true,
			"uprobe:/srv/testprogs/uprobe_test:uprobeFunction1\n    int* n\n    char c\n" +
				"uprobe:/srv/testprogs/uprobe_test:uprobeFunction2\n    struct Foo* foo1\n    struct Foo* foo2\n" +
				"uprobe:/srv/testprogs/uprobe_test:uprobeFunctionBar\n    struct Bar* bar\n", ""},
		{"/srv/testprogs/uprobe_test:main", false, "uprobe:/srv/testprogs/uprobe_test:main\n", ""},
		{"/bin/bash:[em]*", true, "uprobe:/bin/bash:echo_builtin\nuprobe:/bin/bash:main\n",
			"WARNING: No DWARF found for \"/bin/bash\", cannot show parameter info\n"},
	} {
		var out, warns strings.Builder
		var args io.Writer // nil: -l without -v
		if tt.verbose {
			args = &warns
		}
		if err := listUprobes(&out, probetest.New(), "uprobe", tt.pattern, args); err != nil {
			t.Fatalf("%s: %v", tt.pattern, err)
		}
		if out.String() != tt.out || warns.String() != tt.warns {
			t.Errorf("%s:\n%s%s\nwant:\n%s%s", tt.pattern, out.String(), warns.String(), tt.out, tt.warns)
		}
	}
}
