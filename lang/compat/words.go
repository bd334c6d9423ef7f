package compat

import "fmt"

// Message is a message whose words changed between bpftrace releases.
type Message uint8

// The messages gbt prints in either release's words. Each takes the
// arguments its comment shows.
const (
	// TracepointMissing: an attach point naming one tracepoint the
	// machine lacks (category:event).
	TracepointMissing Message = iota
	// TracepointsMissing: a wildcard that matches no tracepoint
	// (category:event pattern).
	TracepointsMissing
	// PidNotInteger: a -p value that is no number (the value).
	PidNotInteger
	// PidTrailingBytes: a -p value with a number then other bytes (the
	// value).
	PidTrailingBytes
	// PidOutOfRange: a -p value outside [1, 4194304] (the value).
	PidOutOfRange
	// CatOpenFailed: cat() of a file it cannot open (path, errno text).
	CatOpenFailed
	// LockingKretprobe: a kretprobe on a spin lock function the kretprobe
	// machinery takes (the function).
	LockingKretprobe
	// ModuleNotLoaded: KIND:MODULE:FUNCTION of a module that is not
	// loaded (kind, module, attach point); 0.17 takes one part only.
	ModuleNotLoaded
	// HelperNotAllowed: the verifier refused a helper call the kernel
	// has but not for this program ("helper call is not allowed in
	// probe"; the helper's name, bpf_d_path).
	HelperNotAllowed
	// AttachFailed: a probe the kernel would not attach (the probe's
	// name); the cause is printed before it.
	AttachFailed
	// OnePointOnly: a block giving an iter probe other attach points
	// (the kind).
	OnePointOnly
	// TypeMismatch: a binary operator's operands of types it cannot
	// combine (the operator, the two types); the newest bpftrace adds a
	// note at each operand.
	TypeMismatch
	// AggNotAssigned: an aggregation used as a value (its name).
	AggNotAssigned
	// AssignMismatch: a value of another type stored to a variable or
	// map (its name, the value's type, "variable" or "map", its type).
	AssignMismatch
	// UnknownFunction: a call of no builtin, macro or function (its name).
	UnknownFunction
	// FewFormatArgs, ManyFormatArgs: printf-style arguments the format
	// does not match (the function, supplied, expected).
	FewFormatArgs
	ManyFormatArgs
	// UnknownStruct: a cast to, or sizeof of, a struct no definition or
	// BTF has ("struct nosuch").
	UnknownStruct
	// MapExpected: clear(), zero() of something else than a map (the
	// function).
	MapExpected
	// JumpOutsideLoop: break or continue outside a loop (the keyword).
	JumpOutsideLoop
	// ArgsKinds: args in a probe without them (the probe's kind).
	ArgsKinds
	// RetvalKinds: retval in a probe without one (a hint, or "").
	RetvalKinds
	// RetvalArgsRet: RetvalKinds' hint in a tracepoint.
	RetvalArgsRet
	// StackMode: kstack(MODE), ustack(MODE) of an unknown mode (the
	// function, the mode).
	StackMode
	// FormatType: printf's verb given a value it does not format (the
	// function, the verb's letter, the value's type, the kind the verb
	// wants, the value's kind).
	FormatType
	numMessages
)

// words is the wording table: each message's format in each version.
var words = [numMessages][numVersions]string{
	TracepointMissing:  {Newest: "No matches for tracepoint %s.", V017: "tracepoint not found: %s"},
	TracepointsMissing: {Newest: "No matches for tracepoint %s.", V017: "tracepoints not found: %s"},
	PidNotInteger:      {Newest: "Failed to parse pid: invalid integer: %s", V017: "pid '%s' is not a valid decimal number"},
	PidTrailingBytes:   {Newest: "Failed to parse pid: invalid trailing bytes: %s", V017: "pid '%s' is not a valid decimal number"},
	PidOutOfRange:      {Newest: "Pid out of range: %s", V017: "pid '%s' out of valid pid range [1,4194304]"},
	CatOpenFailed:      {Newest: "failed to open file '%s' (%s)", V017: "failed to open file '%s': %s"},
	LockingKretprobe:   {Newest: "kretprobe:%s can't be used as it might lock up your system.", V017: "error: kretprobe:%s can't be used as it might lock up your system."},
	HelperNotAllowed:   {Newest: "helper %s not allowed in probe", V017: "helper %s not supported in probe"},
	AttachFailed:       {Newest: "Unable to attach probe: %s. If this is expected, set the 'missing_probes' config variable to 'warn'.", V017: "Error attaching probe: '%s'"},
	OnePointOnly:       {Newest: "%s probe only supports one attach point.", V017: "Only single %s attach point is allowed."},
	ModuleNotLoaded:    {Newest: "specified module %[2]s in probe %[3]s is not loaded.", V017: "%[1]s probe type requires 1 argument"},
	TypeMismatch:       {Newest: "Type mismatch for '%s': comparing %s with %s", V017: "Type mismatch for '%s': comparing '%s' with '%s'"},
	AggNotAssigned:     {Newest: "%s() must be assigned directly to a map", V017: "%s() should be directly assigned to a map"},
	AssignMismatch:     {Newest: "Type mismatch for %s: trying to assign value of type '%s' when %s already has a type '%s'", V017: "Type mismatch for %s: trying to assign value of type '%s' when %s already contains a value of type '%s'"},
	UnknownFunction:    {Newest: "Unknown function: '%s'", V017: "Unknown function: %s"},
	FewFormatArgs:      {Newest: "not enough arguments for format string (%[2]d supplied, %[3]d expected)", V017: "%s: Not enough arguments for format string (%d supplied, %d expected)"},
	ManyFormatArgs:     {Newest: "too many arguments for format string (%[2]d supplied, %[3]d expected)", V017: "%s: Too many arguments for format string (%d supplied, %d expected)"},
	UnknownStruct:      {Newest: "Cannot resolve unknown type \"%s\"", V017: "Unknown struct/union: '%s'"},
	MapExpected:        {Newest: "%s() expects a map argument", V017: "%s() expects a map to be provided"},
	JumpOutsideLoop:    {Newest: "'%s' statement is not allowed in a probe", V017: "%s used outside of a loop"},
	ArgsKinds:          {Newest: "The args builtin can only be used with tracepoint, rawtracepoint, fentry/fexit, and uprobe probes (%s used here)", V017: "The args builtin can only be used with tracepoint/kfunc/uprobe probes (%s used here)"},
	RetvalKinds:        {Newest: "The retval builtin can only be used with 'kretprobe' and 'uretprobe' and 'fentry' probes%s", V017: "The retval builtin can only be used with 'kretprobe' and 'uretprobe' and 'kfunc' probes%s"},
	RetvalArgsRet:      {Newest: " (try to use args.ret instead)", V017: " (try to use args->ret instead)"},
	FormatType:         {Newest: "unsupported format specifier for type '%[3]s': %[2]c", V017: "%[1]s: %%%[2]c specifier expects a value of type %[4]s (%[5]s supplied)"},
	StackMode:          {Newest: "Error parsing stack mode: %[1]s: Invalid value for stack_mode: valid values are bpftrace, raw, perf, and build_id.", V017: "%[1]s() mode must be bpftrace, perf or raw (%[2]s provided)"},
}

// Sprintf formats message m with args in version v's words (the newest
// bpftrace's unless v lacks NewestWords).
func (v Version) Sprintf(m Message, args ...any) string {
	w := V017
	if v.Has(NewestWords) {
		w = Newest
	}
	return fmt.Sprintf(words[m][w], args...)
}
