package stdlib

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// languageBuiltins are the builtins of the README's table that the
// language, not this table, provides.
var languageBuiltins = map[string]bool{"args": true, "sizeof": true, "offsetof": true, "typeof": true}

// TestREADMETable checks the README's table of builtins against this
// table: every builtin gbt has is listed, a row that says gbt has it names
// builtins gbt has (refused: has, and refuses every use with its reason),
// and a row that says no names none.
func TestREADMETable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	start := strings.Index(section, "\n## Builtins and functions\n")
	if start < 0 {
		t.Fatal("README has no \"## Builtins and functions\" section")
	}
	section = section[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}

	macros := map[string]bool{}
	defs, diags := Library()
	if len(diags) > 0 {
		t.Fatalf("standard library: %v", diags)
	}
	for _, d := range defs {
		macros[d.Name] = true
	}
	table := New()
	has := func(name string) bool {
		if languageBuiltins[name] || macros[name] {
			return true
		}
		_, ok := table.Lookup(name)
		return ok
	}

	row := regexp.MustCompile("^\\| (`[^|]*`) \\| (yes|partial|refused|no) \\|")
	name := regexp.MustCompile("`([a-z_0-9]+)`(?:–`([a-z_]+)([0-9]+)`)?")
	listed := map[string]bool{}
	rows := 0
	for _, line := range strings.Split(section, "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		rows++
		for _, n := range name.FindAllStringSubmatch(m[1], -1) {
			names := []string{n[1]}
			if n[2] != "" { // `arg0`–`arg9`
				prefix := strings.TrimRight(n[1], "0123456789")
				for i := 1; i <= int(n[3][0]-'0'); i++ {
					names = append(names, prefix+string(rune('0'+i)))
				}
			}
			for _, b := range names {
				listed[b] = true
				if got := has(b); got != (m[2] != "no") {
					t.Errorf("README says %s is %q, but gbt has it: %v", b, m[2], got)
				}
			}
		}
	}
	if rows < 20 {
		t.Fatalf("README's builtin table has %d rows; the pattern no longer matches it", rows)
	}
	for _, e := range table.Entries() {
		if !listed[e.Name] {
			t.Errorf("builtin %s is not in README's table", e.Name)
		}
	}
}
