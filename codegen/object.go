// Package codegen turns a checked program into BPF instructions, map specs
// and output descriptors: an Object, which is pure data. It never touches
// the kernel; runtime loads and attaches Objects.
package codegen

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/config"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/stdlib"
)

// Object is a compiled script.
type Object struct {
	Programs []*Program
	Maps     []*MapDesc
	Events   []*stdlib.Event // indexed by event id; each names the stdlib codec that decodes it
	// ProbeNames are the names the `probe` builtin yields, indexed by the
	// attach cookie each attach point carries.
	ProbeNames []string
	Info       *check.Info
	// Config holds the configuration variables the run follows
	// (print_maps_on_exit, max_cat_bytes, ...); nil means the defaults.
	Config *config.Settings
	// ClockMap is Options.ClockMap when tseries() reads the time from it.
	ClockMap string
	// Cgroup is Options.Cgroup: the cgroup v2 directory the runtime puts
	// in the RoleCgroup map, which the probes keep to ("": no filter).
	Cgroup string
}

// Settings returns the configuration variables the run follows.
func (o *Object) Settings() config.Settings {
	if o.Config == nil {
		return config.Default()
	}
	return *o.Config
}

// Program is one BPF program: a probe block, attached at one or more points.
type Program struct {
	Name     string // "BEGIN", "tracepoint:syscalls:sys_enter_openat", ...
	FuncName string // its BTF function name, as bpftrace names it: "tracepoint_syscalls_sys_enter_openat_2" (FuncName)
	Kind     probe.ProgKind
	Type     ebpf.ProgramType
	Insns    asm.Instructions
	Spans    []ast.Span    // source span of each instruction (by index)
	Points   []probe.Point // where to attach
	// Cookies holds, for each point, the index of its name in ProbeNames.
	Cookies []uint64
	// RunAt says whether the program runs once, before attaching (BEGIN)
	// or after detaching (END), rather than where it is attached.
	RunAt probe.RunAt
	// AttachType and AttachTo are the BTF attach target of tracing
	// programs (kfunc, kretfunc, tp_btf), which is fixed at load.
	AttachType ebpf.AttachType
	AttachTo   string
	// AttachProg, when not 0, is the id of the running BPF program whose
	// function AttachTo a tracing program traces (fentry:bpf), rather
	// than the kernel's.
	AttachProg uint32
	// Syscalls, when not nil, says the points are system call
	// tracepoints run on the raw tracepoint AttachTo (syscalls.go): the
	// program is attached there once, whatever its points.
	Syscalls *SyscallDispatch
}

// MapRole says what a map is for.
type MapRole uint8

// Map roles.
const (
	RoleUser        MapRole = iota // a script's @map
	RoleRingbuf                    // the event ring buffer
	RoleLost                       // count of events the ring buffer could not take: one value, a u64 per possible CPU
	RoleZero                       // one zero-filled value for inserting aggregations
	RoleElapsed                    // start time for `elapsed`
	RoleStack                      // kernel stack traces (kstack), keyed by stack id
	RoleFailed                     // count of failed updates of each keyed map: one value, a u64 per FailSlot
	RoleScratch                    // per-CPU memory for the big values of programs whose frame is too small
	RoleCgroup                     // the cgroup of --cgroup (Object.Cgroup) at index 0, which probes keep to
	RoleControl                    // the ring buffer of the control records (exit, print, clear...) the event ring refused
	RolePerf                       // the perf event array that helpers writing their own data (bpf_skb_output) send records to
	RoleDwStack                    // dw_ustack's copies of user registers and stacks (DwarfStack* layout), by slot
	RoleDwSeq                      // the number of the next dw_ustack copy: one u64
	RoleAggCache                   // an aggregation map's per-CPU cache slots (AggCache)
	RoleAggCacheGen                // the generation of each aggregation cache: one value, a u64 per cache (AggCache.GenOff)
	RoleDispatch                   // a system call number's cookie plus 1 in a program of many system call tracepoints (SyscallDispatch.Map)
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
	// FailSlot is a keyed user map's u64 in the RoleFailed map's value,
	// which counts the updates that failed (the map was full); -1 for
	// maps that cannot fill.
	FailSlot int
	// Cache is the cache in front of a keyed aggregation map, or nil
	// (aggcache.go): user space reads its slots' values as more parts of
	// the map's.
	Cache *AggCache
}
