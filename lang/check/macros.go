package check

import (
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
)

// macros records the integer #define lines of a program as constants.
func (c *checker) macros(prog *ast.Program) {
	for _, m := range prog.Macros {
		if v, ok := parseCInt(m.Value); ok {
			c.enums[m.Name] = v
			delete(c.enumTypes, m.Name) // a #define hides an enumerator
		}
	}
	if len(prog.Includes) > 0 || len(c.cfg.Includes) > 0 {
		// The constants bpftrace scripts take from the C headers they
		// #include (bpftrace runs clang over them; gbt reads no headers).
		// A script's own #define wins.
		var macros map[string]int64
		if c.cfg.Env != nil {
			macros = c.cfg.Env.HeaderMacros()
		}
		for name, v := range macros {
			if _, ok := c.enums[name]; !ok {
				c.enums[name] = v
			}
		}
		for name, v := range errnoMacros {
			if _, ok := c.enums[name]; !ok {
				c.enums[name] = v
			}
		}
	}
}

// parseCInt parses a C integer literal, with an optional sign, suffix
// (U, L) and parentheses.
func parseCInt(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	for strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	s = strings.TrimRight(s, "uUlL")
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		u, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			return 0, false
		}
		v = int64(u)
	}
	return v, true
}
