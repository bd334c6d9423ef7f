package check

import (
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
)

// headerMacros are constants that bpftrace scripts take from the C headers
// they #include (bpftrace runs clang over them; gbt reads no headers).
// They apply only to scripts with #include lines, and a script's own
// #define wins.
var headerMacros = map[string]int64{
	// <linux/sched.h> task states
	"TASK_RUNNING": 0x0, "TASK_INTERRUPTIBLE": 0x1, "TASK_UNINTERRUPTIBLE": 0x2,
	"__TASK_STOPPED": 0x4, "__TASK_TRACED": 0x8, "EXIT_DEAD": 0x10, "EXIT_ZOMBIE": 0x20,
	"TASK_PARKED": 0x40, "TASK_DEAD": 0x80, "TASK_WAKEKILL": 0x100, "TASK_WAKING": 0x200,
	"TASK_NOLOAD": 0x400, "TASK_NEW": 0x800,
	// <sys/socket.h>, <linux/socket.h> address families
	"AF_UNSPEC": 0, "AF_UNIX": 1, "AF_LOCAL": 1, "AF_INET": 2, "AF_INET6": 10,
	"AF_NETLINK": 16, "AF_PACKET": 17,
	// <linux/fcntl.h>
	"O_RDONLY": 0, "O_WRONLY": 1, "O_RDWR": 2, "O_CREAT": 0o100, "O_TRUNC": 0o1000, "O_APPEND": 0o2000,
	// <linux/signal.h>
	"SIGKILL": 9, "SIGTERM": 15, "SIGSTOP": 19,
}

// macros records the integer #define lines of a program as constants.
func (c *checker) macros(prog *ast.Program) {
	for _, m := range prog.Macros {
		if v, ok := parseCInt(m.Value); ok {
			c.enums[m.Name] = v
			delete(c.enumTypes, m.Name) // a #define hides an enumerator
		}
	}
	if len(prog.Includes) > 0 || len(c.cfg.Includes) > 0 {
		for name, v := range headerMacros {
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
