// Package compat is gbt's output-compatibility setting: which bpftrace
// release's output shape gbt reproduces where bpftrace releases disagree.
//
// gbt follows the newest bpftrace (0.27.1) by default. Users whose tools
// parse bpftrace 0.17's output ask for 0.17's shape instead with
// `--compat=0.17` or GBT_COMPAT=0.17. The setting is one Version value,
// passed down to the checker, the printers and the runtime, which ask it
// about one Change at a time: the table below, not the callers, says
// which release has which change (as go/types' property table says which
// basic kind is an integer).
//
// compat holds no state and reads nothing from the machine.
package compat

import (
	"fmt"
	"strings"
)

// Version is a bpftrace release whose output gbt can reproduce. The zero
// value is Newest.
type Version uint8

// The versions gbt reproduces.
const (
	Newest Version = iota // bpftrace 0.27.1, gbt's default
	V017                  // bpftrace 0.17.0 (Debian 12's)
	numVersions
)

// Change is one way the newest bpftrace's output or run differs from
// 0.17's. A Version has a set of changes; 0.17 has none of them.
type Change uint64

// The changes between bpftrace 0.17 and the newest bpftrace that gbt
// reproduces either way. Each names the newest behaviour; without it gbt
// behaves as 0.17.
const (
	// HexPointers: pointer values print in hex in text (`@: 0x21`);
	// 0.17 prints them in decimal (`@: 33`). JSON prints numbers in both,
	// and pointers in map keys print in hex in both.
	HexPointers Change = 1 << iota
	// SpacedRecordKeys: a struct in a map key prints as a value does
	// (`@s[{ .m = 2, .n = 3 }]`); 0.17 prints `@s[{.m=2,.n=3}]`.
	SpacedRecordKeys
	// StatsRecord: stats() values print as a record (`@s: { .count = 3,
	// .average = 2, .total = 6 }`); 0.17 prints `@s: count 3, average 2,
	// total 6`.
	StatsRecord
	// TightJSONRecords: structs in JSON print as `{"m": 2, "n": 3}`;
	// 0.17 prints `{ "m": 2, "n": 3 }`.
	TightJSONRecords
	// UnsignedKeys: unsigned integer map keys print unsigned
	// (`@[18446744073709551615]`); 0.17 prints them signed (`@[-1]`).
	UnsignedKeys
	// BoolType: comparisons and `!` give a bool, one byte, printed `true`
	// and `false`; in 0.17 they give an int64 (sizeof 8) printed 1 and 0.
	BoolType
	// AttachedLine: "Attaching N probes..." goes to stderr and "Attached N
	// probes" follows it once the probes are attached; 0.17 prints only
	// "Attaching N probes..." and on stdout.
	AttachedLine
	// JSONAttachedCount: JSON's attached_probes record carries a
	// top-level "count" beside "data": {"probes": N}; 0.17's has no
	// "count".
	JSONAttachedCount
	// JSONNoExitBlankLines: in JSON, no blank lines come before the maps
	// printed at exit; 0.17 prints two.
	JSONNoExitBlankLines
	// UnindentedJSONKeyStacks: a stack in a JSON map key has unindented
	// frames; 0.17 indents them by 4 as in text.
	UnindentedJSONKeyStacks
	// RunOnceScriptsEnd: a script whose probes are only BEGIN and END
	// ends after BEGIN, as if it called exit(); 0.17 runs until a signal.
	RunOnceScriptsEnd
	// NoUsr1Maps: SIGUSR1 is left to `self:signal:SIGUSR1` probes; 0.17
	// prints every map on SIGUSR1.
	NoUsr1Maps
	// EnumNames: an enumerator prints as its variant's name (map keys and
	// values, print()); 0.17 prints the number.
	EnumNames
	// EmptiedKeylessMaps: clear(@) and delete(@) of a keyless map leave
	// nothing to print at exit; 0.17 zeroes it (`@: 0`).
	EmptiedKeylessMaps
	// TruncTrailer: a string that fills its size without a NUL (a char
	// array, a str() cut short) ends with str_trunc_trailer (".."); 0.17
	// prints its bytes alone.
	TruncTrailer
	// NewestWords: the messages of Message are in the newest bpftrace's
	// words; without it, in 0.17's.
	NewestWords
	// StdoutMarker: the line __BPFTRACE_NOTIFY_PROBES_ATTACHED goes to
	// stdout, before any output; 0.17 prints it on stderr.
	StdoutMarker
	// SizedTupleLiterals: an integer literal in a tuple takes the smallest
	// signed integer type that holds its value ((1, "a") holds an int8, as
	// the newest bpftrace sizes literals); 0.17 makes it an int64.
	SizedTupleLiterals
	// HelperErrorAtCall: a helper call the kernel refuses is reported at
	// the call; 0.17 reports it from the start of the statement that
	// holds the call to the call's end (`print(path(...` of
	// `print(path(args->file->f_path));`).
	HelperErrorAtCall
	// U32Pids: pid and tid are uint32 (sizeof 4, 4-byte map keys), as the
	// newest bpftrace types them; 0.17 makes them uint64.
	U32Pids
	// SizedLiteralVars: sizeof($x) of a variable given integer literals
	// is the size of the smallest signed integer holding them ($x = 1:
	// 1), as the newest bpftrace types such a variable; 0.17 makes it an
	// int64 (8). gbt keeps the variable itself 64-bit either way.
	SizedLiteralVars
	// SilentEmptyMaps: a map with no elements prints nothing in text, at
	// exit and for print(@m); 0.17 prints an empty line (two for avg and
	// stats).
	SilentEmptyMaps
	// DroppedEmptyPatterns: an attach point with a wildcard that matches
	// nothing is left out without a word, and a probe is refused only
	// when no attach point is left ("Probe has no valid attach points");
	// 0.17 refuses the pattern ("tracepoints not found: ...").
	DroppedEmptyPatterns
	// SizedMapKeys: an integer map key is stored at its type's size
	// (`@[pid]` a 4-byte key, `@[1]` one byte), the map's key taking the
	// newest bpftrace's promotion of its uses' types (a uint8 and an int8
	// key make an int16 key); 0.17 widens every integer key to 64 bits,
	// signed as its first use.
	SizedMapKeys
	// WideKeyStacks: a stack in a text map key indents its frames by 8,
	// as a stack value does (`@[\n        f+1\n]: 1`); 0.17 indents
	// them by 4.
	WideKeyStacks
	// SignedConstDivision: / and % of two signed integer literals fold as C
	// divides (-7 / 2 is -3, -7 % 3 is -1), without the signed-operands
	// warning; 0.17 folds them unsigned, as BPF divides at run time.
	SignedConstDivision
	// SilentUnwrittenCounts: a keyless count() map that nothing counted
	// prints nothing at exit, as other empty maps; 0.17 prints it as 0
	// (`@c: 0`). (A keyless sum() prints 0 either way: gbt cannot tell
	// one never stored to from one that sums to 0.)
	SilentUnwrittenCounts
	// PrintedEmptyScalars: print(@m) of a keyless map with no value
	// (never stored to, or cleared) prints its type's zero value (`@m:
	// 0`, `@s: { .count = 0, ... }`; hist and lhist nothing); 0.17
	// prints an empty line, or 0 where it zeroed the map.
	PrintedEmptyScalars
	// TightAvgMaps: an avg() or stats() map in text is followed by
	// nothing; 0.17 prints an empty line after it.
	TightAvgMaps
	// UntraceableKprobesMissing: a kprobe on a function the kernel does
	// not list as traceable (available_filter_functions) is missing
	// before anything attaches, with a warning, and missing_probes
	// decides; 0.17 attaches it, and the kernel refuses it then (after
	// begin ran: `kprobe:nonsense { } begin { exit(); }` ends well).
	UntraceableKprobesMissing
	// JSONSafeIntegers: in JSON, an integer a float64 cannot hold exactly
	// (beyond 2^53: 18446744073709551615, a kernel address) is written as
	// a string, "18446744073709551615", as RFC 8259 advises; 0.17 writes
	// every integer as a number.
	JSONSafeIntegers
	// NewestProbeNames: the probe builtin names a kfunc or kretfunc
	// point by the newest bpftrace's kinds, fentry:vmlinux:vfs_read and
	// fexit:vmlinux:vfs_read; 0.17 names it kfunc:vmlinux:vfs_read
	// (both with the function's module, as written or not).
	NewestProbeNames
	// WideIntVars: an integer variable widens to hold every value
	// assigned to it ($x = (uint8)255; $x++ is 256, op= and ++ make a
	// narrower variable an int64); in 0.17 it keeps its first value's
	// type and wraps (0).
	WideIntVars
	// FoldIntLiterals: an operator on integer literals folds exactly, as
	// the newest bpftrace folds it: 1 << 63 is the uint64
	// 9223372036854775808, -16 >> 2 is -4, and 9223372036854775807 + 1,
	// 5 / 0 or 1 << 64 are refused ("unable to fold literals due to
	// overflow or underflow"); 0.17 wraps them as 64-bit arithmetic
	// (-9223372036854775808, 4611686018427387900; 5 / 0 is 0).
	FoldIntLiterals
	// SignedMapInts: a map of unsigned integers given a signed value
	// holds signed ones from then on, as the newest bpftrace joins the
	// types (@x = (uint8)1; @x = -1 prints -1); 0.17 keeps the first
	// value's signedness (18446744073709551615).
	SignedMapInts
	// SignedIntJoin: an operation on integers of different signs is
	// signed, as the newest bpftrace joins their types: (uint8)5 - 10 is
	// -5, (uint8)7 < (int8)-1 is false; in a comparison a literal that
	// fits the other operand's type takes it ($addr > 0x1000 of a uint64
	// compares unsigned); no "different signs" warnings. In 0.17 it is
	// unsigned unless both are signed (18446744073709551611, true), with
	// those warnings.
	SignedIntJoin
	// EmptyParamOffsets: str($N + k) of a k at or past the end of the
	// string parameter is the empty string, with the newest bpftrace's
	// warning ("literal string will always be empty"); 0.17 refuses a k
	// past the end.
	EmptyParamOffsets

	allChanges = EmptyParamOffsets<<1 - 1
)

// changes is the property table: the changes each version has.
var changes = [numVersions]Change{
	Newest: allChanges,
	V017:   0,
}

// names are the spellings --compat and GBT_COMPAT accept, first the one
// String gives.
var names = [numVersions][]string{
	Newest: {"newest", "0.27", "0.27.1", ""},
	V017:   {"0.17", "0.17.0"},
}

// Has reports whether version v has change c (every bit of c).
func (v Version) Has(c Change) bool {
	if v >= numVersions {
		v = Newest
	}
	return changes[v]&c == c
}

// String returns the version's name as --compat takes it.
func (v Version) String() string {
	if v >= numVersions {
		return fmt.Sprintf("Version(%d)", uint8(v))
	}
	return names[v][0]
}

// Parse reads a --compat or GBT_COMPAT value: "0.17" (or "0.17.0") or
// "newest" ("0.27", "0.27.1" or empty).
func Parse(s string) (Version, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	for v, ns := range names {
		for _, n := range ns {
			if s == n {
				return Version(v), nil
			}
		}
	}
	return Newest, fmt.Errorf("unknown output compatibility %q: want 0.17 or newest", s)
}

// EnvVar is the environment variable that sets the version when the
// command line does not.
const EnvVar = "GBT_COMPAT"
