// Package codegen turns a checked program into BPF instructions, map specs
// and output descriptors: an Object, which is pure data. It never touches
// the kernel; runtime loads and attaches Objects.
package codegen

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
)

// Object is a compiled script.
type Object struct {
	Programs []*Program
	Maps     []*MapDesc
	Events   []*EventDesc // indexed by event id
	// ProbeNames are the names the `probe` builtin yields, indexed by the
	// attach cookie each attach point carries.
	ProbeNames []string
	Info       *check.Info
}

// Program is one BPF program: a probe block, attached at one or more points.
type Program struct {
	Name   string // "BEGIN", "tracepoint:syscalls:sys_enter_openat", ...
	Kind   probe.ProgKind
	Type   ebpf.ProgramType
	Insns  asm.Instructions
	Spans  []ast.Span    // source span of each instruction (by index)
	Points []probe.Point // where to attach
	// Cookies holds, for each point, the index of its name in ProbeNames.
	Cookies []uint64
	// RunAt says whether the program runs once, before attaching (BEGIN)
	// or after detaching (END), rather than where it is attached.
	RunAt probe.RunAt
	// AttachType and AttachTo are the BTF attach target of tracing
	// programs (kfunc, kretfunc, tp_btf), which is fixed at load.
	AttachType ebpf.AttachType
	AttachTo   string
}

// MapRole says what a map is for.
type MapRole uint8

// Map roles.
const (
	RoleUser    MapRole = iota // a script's @map
	RoleRingbuf                // the event ring buffer
	RoleLost                   // per-CPU count of events the ring buffer could not take
	RoleZero                   // one zero-filled value for inserting aggregations
	RoleElapsed                // start time for `elapsed`
	RoleStack                  // kernel stack traces (kstack), keyed by stack id
)

// MapDesc describes one BPF map.
type MapDesc struct {
	Name   string // the script's name ("@x") for user maps
	Role   MapRole
	Spec   *ebpf.MapSpec
	Info   *check.MapInfo // user maps
	PerCPU bool
	// KeyType is the in-kernel key layout (an 8-byte zero key for keyless maps).
	KeyType types.Type
	// Stack is the kind and depth of a stack-trace map (RoleStack).
	Stack types.Type
}

// EventKind is the kind of a ring-buffer record.
type EventKind uint8

// Event kinds.
const (
	EvPrintf EventKind = iota
	EvExit
	EvPrintMap
	EvClear
	EvZero
	EvPrintValue
	EvTime    // time(fmt): Format is the strftime format
	EvSystem  // system(fmt, ...): Pieces/Args give the command line
	EvCat     // cat(fmt, ...): Pieces/Args give the file name
	EvJoin    // join(arr, delim): Format is the delimiter; JoinArgs strings of JoinArgSize bytes follow the id
	EvUnwatch // unwatch(addr): the address follows the id
)

// join() reads at most JoinArgs strings of JoinArgSize bytes each, as
// bpftrace 0.17 does; the strings end at the first empty one.
const (
	JoinArgs    = 16
	JoinArgSize = 1024
)

// EventDesc describes one kind of ring-buffer record. Every record starts
// with its 8-byte id; fields follow at their offsets.
type EventDesc struct {
	ID     int
	Kind   EventKind
	Format string       // printf/system/cat format; time's strftime format
	Args   []types.Type // printf arguments / print value
	Offs   []int        // offsets of Args in the record
	Size   int          // record size in bytes
	Map    string       // print/clear/zero: the map's name
	Top    int          // print(@m, top)
	Div    int          // print(@m, top, div)
	Span   ast.Span     // the call, for runtime errors
}
