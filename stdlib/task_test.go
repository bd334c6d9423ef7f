package stdlib_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/stdlib"
)

// TestNewestTypes: the builtins of the newest bpftrace, as it types them
// (bools print as integers in gbt), and their misuse in its words.
func TestNewestTypes(t *testing.T) {
	for expr, want := range map[string]string{
		"ppid": "int32", "ppid()": "int32", "ppid(curtask)": "int32", "leader_tid": "int32",
		"pcomm": "string[16]", "leader_comm(curtask)": "string[16]",
		"usermode": "uint8", "usermode()": "uint8", "probetype": "string[8]", "has_cpid": "bool", "has_cpid()": "bool",
		"nsecs": "uint64", "nsecs()": "uint64", "nsecs(monotonic)": "uint64", "nsecs(boot)": "uint64",
		"nsecs(tai)": "uint64", "nsecs(sw_tai)": "uint64",
		"is_str(comm)": "bool", "is_literal(1)": "bool", "strcap(comm)": "int64",
		"default_str_length": "uint64", "default_str_length()": "uint64",
		"strlen(comm)": "uint64", "strlen(curtask->comm)": "uint64", "strstr(comm, \"a\")": "int64",
		"memcmp(comm, \"abc\", 3)": "int32", "buf(comm, 4)": "buffer[4]",
		"signal_name(2)": "strerror", "syscall_name(2)": "strerror",
	} {
		got, errs := typeOf(t, expr)
		if got != want {
			t.Errorf("%s: got type %q, want %q %s", expr, got, want, errs)
		}
	}
	for expr, want := range map[string]string{
		"nsecs(foo)":                      "ERROR: Invalid timestamp mode: foo",
		"nsecs(1)":                        "ERROR: nsecs() only supports timestamp_mode arguments (int provided)",
		"nsecs(boot, 1)":                  "nsecs() takes up to one argument (2 provided)",
		"ppid(1)":                         "ppid() expects a struct task_struct * (int64 provided)",
		"usermode(1)":                     "usermode() requires no arguments (1 provided)",
		"strcap(1)":                       "string-like values must be either strings, arrays or pointers",
		"is_str()":                        "is_str() requires one argument (0 provided)",
		"static_assert(1 == 2, \"boom\")": "ERROR: boom",
		"static_assert(pid, \"boom\")":    "ERROR: Unable to resolve comptime expression",
		"fail(\"bad %d %s\", 1, \"x\")":   "ERROR: bad 1 x",
		"fail(\"bad %d\", pid)":           "ERROR: fail() arguments need to be literals",
		"strlen(1)":                       "string-like values must be either strings, arrays or pointers",
		"strlen((int64 *)0)":              "string-like pointers must point to a char-like type",
		"strstr(comm, 1)":                 "string-like values must be either strings, arrays or pointers",
		"memcmp(comm, 1, 2)":              "memcmp() compares strings, arrays or records (integer provided)",
		"memcmp(comm, comm, pid)":         "memcmp() expects an integer literal count",
		"memcmp(comm, \"ab\", 4)":         "memcmp() count must be between 0 and the size of the smaller value, 3 (4 provided)",
		"buf(comm)":                       "buf() expects a length argument for non-array type string",
		"signal_thread(\"SIGUSR1\")":      "signal_thread() is an unsafe function being used in safe mode",
		"exit(1, 2)":                      "exit() takes up to one argument (2 provided)",
		"exit(comm)":                      "exit() only supports int arguments (string provided)",
	} {
		if _, errs := typeOf(t, expr); !strings.Contains(errs, want) {
			t.Errorf("%s: got errors %q, want %q", expr, errs, want)
		}
	}
}

// TestMetaFolds: the is_* checks, strcap and kfunc_exist are constants.
func TestMetaFolds(t *testing.T) {
	for expr, want := range map[string]int64{
		"is_str(comm)": 1, "is_str(pid)": 0, "is_ptr(curtask)": 1, "is_ptr(pid)": 0,
		"is_integer(pid)": 1, "is_integer(true)": 0, "is_integer(comm)": 0,
		"is_unsigned_integer(pid)": 1, "is_unsigned_integer(1)": 0,
		"is_literal(1 + 1)": 1, "is_literal(\"a\")": 1, "is_literal(pid)": 0,
		"is_array(comm)": 0, "strcap(comm)": 16, "strcap(\"hello\")": 6, "default_str_length": 64,
		"kfunc_exist(\"vfs_read\")": 1, "kfunc_exist(\"no_such_function\")": 0,
	} {
		got, ok, errs := constOf(t, expr)
		if !ok || got != want {
			t.Errorf("%s: got %d (constant %v), want %d %s", expr, got, ok, want, errs)
		}
	}
}

// TestProbeTypeName: bpftrace's names of the kinds.
func TestProbeTypeName(t *testing.T) {
	for name, want := range map[string]string{
		"BEGIN": "special", "END": "special", "self": "special", "kfunc": "fentry", "kretfunc": "fexit",
		"tracepoint": "tracepoint", "uprobe": "uprobe", "interval": "interval", "rawtracepoint": "rawtracepoint",
	} {
		k := probe.Lookup(name)
		if k == nil {
			t.Fatalf("no kind %s", name)
		}
		if got := stdlib.ProbeTypeName(k); got != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
}
