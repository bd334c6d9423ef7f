package parse

import (
	"strings"
	"testing"
)

func TestPreprocess(t *testing.T) {
	src := `#ifndef BPFTRACE_HAVE_BTF
#include <linux/sched.h>
#else
#include <sys/socket.h>
#endif
#define LIMIT 10 // frames
#define AF_INET6 10 /* IPv6 */
#define TWO /* a */ 2 /* b */ // c
#if 0
this is not a script
#endif
#ifdef NOT_DEFINED
#define LIMIT 20
#endif
BEGIN { @x = LIMIT; }
`
	out, macros, sp, msg := preprocess("stdin", src)
	if sp != nil {
		t.Fatalf("error %s at %v", msg, *sp)
	}
	if len(out) != len(src) || strings.Count(out, "\n") != strings.Count(src, "\n") {
		t.Fatal("preprocessing must keep every offset")
	}
	if strings.Contains(out, "linux/sched.h") || !strings.Contains(out, "#include <sys/socket.h>") || strings.Contains(out, "not a script") {
		t.Errorf("wrong branches kept:\n%s", out)
	}
	var got []string
	for _, m := range macros {
		got = append(got, m.Name+"="+m.Value)
	}
	if want := "LIMIT=10 AF_INET6=10 TWO=2"; strings.Join(got, " ") != want {
		t.Errorf("macros = %q, want %s", got, want)
	}
	for _, bad := range []string{"#endif\n", "#else\n", "#ifdef X\nBEGIN {}\n", "#if FOO > 1\n#endif\n"} {
		if _, _, sp, _ := preprocess("stdin", bad); sp == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}
