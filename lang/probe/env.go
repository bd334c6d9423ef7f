// Package probe knows the probe kinds gbt supports (their names and aliases,
// how their attach points are spelled, which context they give a program) and
// expands attach points with wildcards against an Env.
//
// The machine is behind Env so that the front end reads nothing itself and
// can be tested without root: runtime/kernel implements Env over tracefs,
// BTF and ELF files; tests use probetest's Env, with canned answers.
package probe

import (
	"errors"
	"fmt"

	"github.com/gbt-dev/gbt/lang/types"
)

// Env answers every question the front end (the checker, the builtins'
// type rules, the listing of probes) asks about the machine a script is
// compiled for. An Env that cannot answer a kind of question at all (it
// has no BTF, no symbols...) returns an error wrapping ErrUnavailable, and
// the checker says what the script needs that is missing.
type Env interface {
	// Tracepoints returns every available tracepoint as "category:name"
	// (the contents of tracefs available_events).
	Tracepoints() ([]string, error)
	// TracepointIndex returns the index of the list Tracepoints returns,
	// which expands wildcard tracepoints. Implementations build it once
	// (see IndexCache).
	TracepointIndex() (*TracepointIndex, error)
	// TracepointFormat returns the parsed format file of a tracepoint
	// (events/<category>/<name>/format). The Format is shared: callers
	// must not modify it. The error is a *FormatError when the file was
	// read but could not be parsed; any other error means the tracepoint
	// cannot be read (it does not exist). Implementations parse each
	// file once (see FormatCache).
	TracepointFormat(category, name string) (*Format, error)
	// Struct returns the record named "struct name" or "union name" with
	// its fields (see the kernel's BTF): what scripts reach through
	// curtask, casts such as (struct task_struct *)arg0, and their
	// fields. The error wraps ErrNoStruct when there is no such type.
	Struct(name string) (types.Type, error)
	// FuncArgs returns the args record of the target of a tracing
	// program: a kernel function for TracingEntry and TracingExit
	// (kfunc/kretfunc), a BTF tracepoint for TracingTracepoint (tp_btf).
	// The record has one 8-byte slot per argument, as the program's
	// context holds them; ret is the function's return type (Void for
	// tracepoints).
	FuncArgs(target Tracing, name string) (args types.Type, ret types.Type, err error)
	// FuncParams returns what -lv lists of the target of a tracing
	// program (as FuncArgs finds it): each parameter as a C declaration,
	// its type spelled as the kernel's BTF has it ("const char *
	// filename", "size_t count"), and the return type ("" for void).
	FuncParams(target Tracing, name string) (params []string, ret string, err error)
	// EnumValue returns the value of a kernel enumerator (TCP_ESTABLISHED,
	// SKB_DROP_REASON_NOT_SPECIFIED, ...) and whether this Env knows it.
	EnumValue(name string) (int64, bool)
	// EnumOf returns the kernel enum that has the enumerator name, with
	// its variants (what values of it print as): the same *types.Enum
	// for every enumerator of one enum.
	EnumOf(name string) (*types.Enum, bool)
	// EnumNamed returns the kernel's enum called name (enum name), the
	// type of a tracepoint field declared `enum name`: the same
	// *types.Enum EnumOf gives for its enumerators, and that BTF members,
	// parameters and return values of that enum have.
	EnumNamed(name string) (*types.Enum, bool)
	// KernelAddr returns the address of a kernel symbol (kaddr).
	KernelAddr(name string) (uint64, error)
	// KernelVar reports whether the kernel's BTF describes a variable
	// named name (its per-CPU variables: percpu_kaddr); the error wraps
	// ErrNoKernelVar when it does not.
	KernelVar(name string) error
	// UserAddr returns where a process of an executable has one of its
	// symbols, and the symbol's size (uaddr).
	UserAddr(path, name string) (UserSym, error)
	// CgroupID returns the id of a cgroup v2 directory (cgroupid).
	CgroupID(path string) (uint64, error)
	// USDTSites returns every USDT probe location of an ELF file (usdt
	// probes; none is not an error).
	USDTSites(path string) ([]USDTSite, error)
	// UserFunctions returns the function symbols of an executable or
	// library (what uprobes can attach to), sorted by name and without
	// duplicate names.
	UserFunctions(path string) ([]UserFunc, error)
	// TracedProgram returns the executable of the traced process, which
	// watchpoints on a function's argument (watchpoint:func+argN) probe:
	// the program the -c command runs, else the -p process's. The error
	// wraps ErrUnavailable when gbt traces no process.
	TracedProgram() (string, error)
	// UserBinaries returns the files the file part of a uprobe or usdt
	// attach point names: a path; a glob of paths; a library or program
	// name without a slash, found as the dynamic linker (or the shell)
	// finds it; with a traced process (-p), "" or "*" for every file it
	// maps, and paths in its mount namespace. No match is no error.
	UserBinaries(pattern string) ([]UserBinary, error)
	// TraceableFunctions returns the kernel functions kprobes and fentry
	// can attach to, as "module:function" ("vmlinux" for the kernel
	// itself), sorted; from tracefs's available_filter_functions. The
	// error of an unreadable list is a *TraceableError.
	TraceableFunctions() ([]string, error)
	// BTFFunctions returns the functions the kernel's BTF and its
	// modules' describe, as "module:function", sorted.
	BTFFunctions() ([]string, error)
	// BPFFuncs returns the functions of the BPF programs running on the
	// machine that fentry:bpf and fexit:bpf can trace: the entry and the
	// subprograms of each program loaded with BTF function info, by
	// program id.
	BPFFuncs() ([]BPFFunc, error)
	// RawTracepoints returns the kernel's raw tracepoints as
	// "module:name", sorted.
	RawTracepoints() ([]string, error)
	// UserProto returns the prototype of a function of an executable or
	// library from its DWARF debug info (uprobe args). The error wraps
	// ErrNoDebugInfo (an ErrUnavailable) when the file has no debug info,
	// ErrNotInDebugInfo when the debug info does not define the function.
	UserProto(path, fn string) (*UserProto, error)
	// UserStruct returns the record named "struct name" or "union name"
	// from the DWARF debug info of an executable or library: what the
	// pointers of its functions' arguments point at, and what casts in
	// its uprobes name. Errors as UserProto's.
	UserStruct(path, name string) (types.Type, error)
	// UserLineAddrs returns the addresses (link-time, as symbols give
	// them) of the code of a source line of an executable or library,
	// from its DWARF line tables: where uprobe:BIN@FILE:LINE attaches.
	// Errors as UserProto's.
	UserLineAddrs(path string, line SourceLine) ([]uint64, error)
	// KfuncAllowed reports whether a program of the kind k, loaded
	// against target (the function or BTF tracepoint of a tracing kind's
	// first point; "" for other kinds), may call the kernel function
	// (kfunc) name, as the kernel's verifier answers. The error wraps
	// ErrNoStruct when the kernel's BTF has no function name.
	KfuncAllowed(name string, k *Kind, target string) (bool, error)
	// Header finds the C header an #include names (system: <name>, else
	// "name") in the include path. The error wraps ErrNoHeader when it is
	// nowhere.
	Header(name string, system bool) error
	// HeaderMacros returns the integer macros of the C headers scripts
	// #include (signals, open flags, system call numbers...), by name,
	// with this machine's values: gbt runs no C preprocessor. The caller
	// may modify the map.
	HeaderMacros() map[string]int64
}

// TraceableError is the error of an Env that cannot read the list of
// traceable kernel functions.
type TraceableError struct {
	Path string
	Err  error
}

func (e *TraceableError) Error() string {
	return fmt.Sprintf("Could not read functions from %s. If this is expected, use --traceable-functions to set this path manually. This file is needed in order to determine which functions can safely be traced without causing issues in the kernel.", e.Path)
}

func (e *TraceableError) Unwrap() error { return e.Err }

// ErrUnavailable is wrapped by the errors of an Env that cannot answer a
// kind of question where it runs (no BTF, no symbol table...).
var ErrUnavailable = errors.New("not available in this environment")

// ErrNoKernelVar is wrapped by Env.KernelVar's error for a name the
// kernel's BTF has no variable of.
var ErrNoKernelVar = errors.New("no such variable in the kernel's BTF")

// ErrNoHeader is wrapped by Env.Header's error for a header that is in
// no directory of the include path.
var ErrNoHeader = errors.New("file not found")

// ErrNoStruct is the error of Env.Struct for an unknown name, and of
// Env.FuncArgs for an unknown function or tracepoint.
var ErrNoStruct = errors.New("no such struct or union in the kernel's BTF")

// UserSym is where a symbol of an executable is in a process of it: at
// Addr, or, in a position-independent executable (FromText), Addr bytes
// past the start of the process's text (its mm->start_code), wherever the
// process was loaded.
type UserSym struct {
	Addr, Size uint64
	FromText   bool
}
