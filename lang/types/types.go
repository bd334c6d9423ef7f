// Package types describes the values a gbt script computes: integers of each
// width and sign, fixed-size strings and buffers, tuples, pointers, records
// (C structs), stacks, symbols and the aggregation kinds stored in maps.
//
// A Type is a small value; composite types hold their element types in
// slices, so compare types with Equal, not ==. Size and Align give the C
// layout used in BPF maps, event records and keys.
package types

import (
	"fmt"
	"strings"
)

// SignalTable is the Name of a Strerror type that holds a signal number
// (signal_name()).
const SignalTable = "signal"

// SyscallTable is the Name of a Strerror type that holds a system call
// number (syscall_name()).
const SyscallTable = "syscall"

// Kind classifies a Type.
type Kind uint8

// The kinds of values.
const (
	Invalid    Kind = iota // not yet known / error already reported
	Void                   // no value (statement calls such as printf)
	Int                    // integer; Bits and Signed
	Bool                   // true/false: literals, comparisons, logical operators, (bool) casts; one byte
	String                 // NUL-terminated string in a Size-byte buffer
	Buffer                 // raw bytes (buf()): Size bytes of data
	Tuple                  // Elems
	Pointer                // Elem, AddrSpace
	Record                 // C struct/union: Name, Fields
	Array                  // Elem, Len (e.g. char[16] fields, int arrays)
	Stack                  // kstack/ustack: Name "kstack"/"ustack", Len = depth
	Ksym                   // kernel address to be symbolized
	Usym                   // user address to be symbolized
	Inet                   // ntop() result
	Username               // uid rendered as a user name
	Timestamp              // strftime() result
	Probe                  // the `probe` builtin (index into probe names)
	Mac                    // macaddr() result
	CgroupPath             // cgroup_path() result: a cgroup id; Name holds the hierarchy filter
	Strerror               // a number user space renders as text: strerror()'s errno, or signal_name()'s signal (Name SignalTable), syscall_name()'s number (Name SyscallTable)
	Agg                    // an aggregation value stored in a map: AggKind
	Context                // the probe context pointer (args, ctx)
	None                   // a member gbt does not read (float, double): Size bytes, printed null, as bpftrace's none type
)

var kindNames = [...]string{
	Invalid: "invalid", Void: "none", Int: "int", Bool: "bool", String: "string",
	Buffer: "buffer", Tuple: "tuple", Pointer: "pointer", Record: "record",
	Array: "array", Stack: "stack", Ksym: "ksym", Usym: "usym", Inet: "inet",
	Username: "username", Timestamp: "timestamp", Probe: "probe", Mac: "mac_address",
	CgroupPath: "cgroup_path", Strerror: "strerror", Agg: "aggregation", Context: "ctx", None: "none",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// AggKind says which aggregation a map value holds.
type AggKind uint8

// Aggregation kinds.
const (
	NoAgg AggKind = iota
	Count
	Sum
	Min
	Max
	Avg
	Stats
	Hist
	Lhist
	TSeries
)

var aggNames = [...]string{NoAgg: "", Count: "count", Sum: "sum", Min: "min", Max: "max",
	Avg: "avg", Stats: "stats", Hist: "hist", Lhist: "lhist", TSeries: "tseries"}

func (a AggKind) String() string {
	if int(a) < len(aggNames) {
		return aggNames[a]
	}
	return fmt.Sprintf("agg(%d)", a)
}

// AddrSpace says where a pointer points.
type AddrSpace uint8

// Address spaces.
const (
	AddrNone AddrSpace = iota
	Kernel
	User
)

// Field is a member of a Record.
type Field struct {
	Name     string
	Type     Type
	Offset   int // byte offset in the record
	BitOff   int // for bit-fields: bit offset inside the containing bytes
	BitWidth int // 0 unless a bit-field
}

// Type is the type of a value.
type Type struct {
	Kind      Kind
	Signed    bool      // Int
	Bits      int       // Int: 8, 16, 32 or 64
	Size      int       // String/Buffer: capacity in bytes; Record: byte size
	Len       int       // Array: element count; Stack: depth
	Elem      *Type     // Pointer, Array: element type
	Elems     []Type    // Tuple
	Name      string    // Record: "struct task_struct"; Stack: "kstack"/"ustack"; Timestamp: strftime format
	Fields    []Field   // Record
	AddrSpace AddrSpace // Pointer, Record read through a pointer
	AggKind   AggKind   // Agg
	AggSigned bool      // Agg: whether the aggregated values are signed
	Ctx       bool      // Pointer/Record: this is (a pointer into) the probe context
	Enum      *Enum     // Int: the enum whose variants name its values (nil: a plain integer)
	// CharArray marks a String read from a char array member of a C
	// definition in the script or its headers: its Size bytes are the
	// whole string, so one without a NUL was not cut short and prints
	// without str_trunc_trailer (the newest bpftrace sizes such a member
	// one byte larger to say so). Equal and Compatible ignore it.
	CharArray bool
}

// NoneOf returns the type of a member of size bytes that gbt does not
// read: a float or double, which bpftrace types none and prints null.
func NoneOf(size int) Type { return Type{Kind: None, Size: size} }

// Constructors for common types.
var (
	None_ = Type{Kind: Void}
	I8    = Type{Kind: Int, Bits: 8, Signed: true}
	I16   = Type{Kind: Int, Bits: 16, Signed: true}
	I32   = Type{Kind: Int, Bits: 32, Signed: true}
	I64   = Type{Kind: Int, Bits: 64, Signed: true}
	U8    = Type{Kind: Int, Bits: 8}
	U16   = Type{Kind: Int, Bits: 16}
	U32   = Type{Kind: Int, Bits: 32}
	U64   = Type{Kind: Int, Bits: 64}
	// Boolean is the type of true, false, comparisons and logical
	// operators, as in the newest bpftrace (0.17 made them int64).
	Boolean = Type{Kind: Bool}
)

// IntOf returns an integer type of the given width and sign.
func IntOf(bits int, signed bool) Type { return Type{Kind: Int, Bits: bits, Signed: signed} }

// StringOf returns a string type with a buffer of n bytes (including the NUL).
func StringOf(n int) Type { return Type{Kind: String, Size: n} }

// BufferOf returns a buffer type holding up to n bytes of data. A buffer
// value is the number of bytes read (a u64), then n bytes.
func BufferOf(n int) Type { return Type{Kind: Buffer, Size: n} }

// TupleOf returns a tuple of the given element types.
func TupleOf(elems ...Type) Type { return Type{Kind: Tuple, Elems: elems} }

// StackOf returns the type of kstack/ustack(mode, depth): Name is "kstack"
// or "ustack", with ":perf" for perf mode (frames with their addresses).
func StackOf(user, perf bool, depth int) Type {
	mode := ""
	if perf {
		mode = "perf"
	}
	return StackIn(user, mode, depth)
}

// StackIn returns the type of a stack printed in a mode: "" or "bpftrace"
// (symbols), "perf" (addresses and symbols), "raw" (addresses only) or
// "build_id" (build ids and file offsets, ustack only), which Name carries
// after a ':'.
func StackIn(user bool, mode string, depth int) Type {
	name := "kstack"
	if user {
		name = "ustack"
	}
	if mode != "" && mode != "bpftrace" {
		name += ":" + mode
	}
	return Type{Kind: Stack, Name: name, Len: depth}
}

// DwarfStackIn returns the type of dw_ustack printed in a mode (as
// StackIn's): Name is "dw_ustack", then the mode after a ':'. Its value is
// the number of a copy of the user registers and stack, which user space
// unwinds with the files' call frame information.
func DwarfStackIn(mode string, depth int) Type {
	name := "dw_ustack"
	if mode != "" && mode != "bpftrace" {
		name += ":" + mode
	}
	return Type{Kind: Stack, Name: name, Len: depth}
}

// DwarfStack reports whether a Stack type is a dw_ustack: a copy of the
// stack to unwind in user space rather than frames the kernel walked.
func (t Type) DwarfStack() bool { return strings.HasPrefix(t.Name, "dw_ustack") }

// RawStack reports whether a Stack type prints addresses only.
func (t Type) RawStack() bool { return strings.HasSuffix(t.Name, ":raw") }

// UserStack reports whether a Stack type holds user frames (ustack,
// dw_ustack).
func (t Type) UserStack() bool { return strings.HasPrefix(t.Name, "ustack") || t.DwarfStack() }

// BuildIDStack reports whether a Stack type holds build ids and file
// offsets (ustack(build_id)): the kernel takes the frames so, into a map
// of its own.
func (t Type) BuildIDStack() bool { return strings.HasSuffix(t.Name, ":build_id") }

// PerfStack reports whether a Stack type prints in perf mode.
func (t Type) PerfStack() bool { return strings.HasSuffix(t.Name, ":perf") }

// PointerTo returns a pointer to elem in the given address space.
func PointerTo(elem Type, as AddrSpace) Type {
	e := elem
	return Type{Kind: Pointer, Elem: &e, AddrSpace: as}
}

// ArrayOf returns an array of n elements.
func ArrayOf(elem Type, n int) Type {
	e := elem
	return Type{Kind: Array, Elem: &e, Len: n}
}

// ElemSize is how many bytes p + 1 moves a pointer p of type t: the size
// of what it points at, or 1 when that has no size (bytes, as for void *).
func (t Type) ElemSize() int {
	if t.Elem == nil {
		return 1
	}
	return max(t.Elem.ByteSize(), 1)
}

// AggOf returns the value type of an aggregation.
func AggOf(k AggKind, signed bool) Type { return Type{Kind: Agg, AggKind: k, AggSigned: signed} }

// IsInt reports whether t is an integer (or bool, which behaves as one).
func (t Type) IsInt() bool { return t.Kind == Int || t.Kind == Bool }

// IsValid reports whether the type is known.
func (t Type) IsValid() bool { return t.Kind != Invalid }

// Equal reports whether t and u are the same type. String and buffer sizes
// take part; use Compatible for the looser rule used by map values.
func (t Type) Equal(u Type) bool {
	if t.Kind != u.Kind || t.Bits != u.Bits || t.Signed != u.Signed || t.Size != u.Size ||
		t.Len != u.Len || t.Name != u.Name || t.AggKind != u.AggKind || t.AddrSpace != u.AddrSpace ||
		t.Enum != u.Enum {
		return false
	}
	if (t.Elem == nil) != (u.Elem == nil) || (t.Elem != nil && !t.Elem.Equal(*u.Elem)) {
		return false
	}
	if len(t.Elems) != len(u.Elems) {
		return false
	}
	for i := range t.Elems {
		if !t.Elems[i].Equal(u.Elems[i]) {
			return false
		}
	}
	return true
}

// Compatible reports whether a value of type u may be stored where t is
// stored, as bpftrace allows: same kind; strings/buffers of any size; integers
// of any width and sign (the slot keeps the first type); tuples elementwise.
func (t Type) Compatible(u Type) bool {
	if t.IsInt() && u.IsInt() {
		return true
	}
	if t.Kind != u.Kind {
		return false
	}
	switch t.Kind {
	case String, Buffer:
		return true
	case Tuple:
		if len(t.Elems) != len(u.Elems) {
			return false
		}
		for i := range t.Elems {
			if !t.Elems[i].Compatible(u.Elems[i]) {
				return false
			}
		}
		return true
	case Agg:
		return t.AggKind == u.AggKind
	case Pointer:
		return true
	case Record:
		if len(t.Fields) > 0 && len(t.Fields) == len(u.Fields) && t.Name != u.Name {
			return sameFields(t, u)
		}
	}
	return t.Equal(u)
}

// sameFields reports whether records t and u have fields of the same names
// and compatible types, in any order (a record literal's fields may be
// written in any order).
func sameFields(t, u Type) bool {
	for _, f := range t.Fields {
		found := false
		for _, g := range u.Fields {
			if f.Name == g.Name {
				found = f.Type.Compatible(g.Type)
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Size returns the number of bytes a value of type t occupies in a map key,
// map value or event record.
func (t Type) ByteSize() int {
	switch t.Kind {
	case Int:
		return t.Bits / 8
	case Bool:
		return 1
	case Buffer:
		return 8 + t.Size // the length read, then the bytes
	case String, Record:
		return t.Size
	case Usym:
		return 16 // the address and the id of its process
	case Pointer, Ksym, Probe, Username, Timestamp, CgroupPath, Strerror, Context:
		return 8 // an address, id or nsecs timestamp
	case Array:
		return t.Elem.ByteSize() * t.Len
	case Tuple:
		off, maxAlign := 0, 1
		for _, e := range t.Elems {
			a := e.Align()
			off = alignUp(off, a)
			off += e.ByteSize()
			if a > maxAlign {
				maxAlign = a
			}
		}
		return alignUp(off, maxAlign)
	case Stack:
		return 8 // the stack id from bpf_get_stackid
	case Inet:
		return 24 // af (8) + 16-byte address
	case Mac:
		return 6
	case None:
		return t.Size
	}
	return 0
}

// Align returns the alignment of t in C layout.
func (t Type) Align() int {
	switch t.Kind {
	case Int:
		return t.Bits / 8
	case String, Mac, Bool:
		return 1
	case None:
		return max(1, t.Size)
	case Array:
		return t.Elem.Align()
	case Tuple:
		a := 1
		for _, e := range t.Elems {
			if ea := e.Align(); ea > a {
				a = ea
			}
		}
		return a
	case Record:
		a := 1
		for _, f := range t.Fields {
			if fa := f.Type.Align(); fa > a {
				a = fa
			}
		}
		return a
	}
	return 8
}

// TupleOffsets returns the byte offset of each tuple element.
func (t Type) TupleOffsets() []int {
	offs := make([]int, len(t.Elems))
	off := 0
	for i, e := range t.Elems {
		off = alignUp(off, e.Align())
		offs[i] = off
		off += e.ByteSize()
	}
	return offs
}

func alignUp(n, a int) int {
	if a <= 1 {
		return n
	}
	return (n + a - 1) / a * a
}

// String renders the type the way bpftrace's error messages do:
// int64, uint32, string[16], buffer[8], (int64,string[16]), struct x *, hist...
// BpftraceName is the type as bpftrace 0.17's messages write it: the same
// as String but for unsigned integers, which are "unsigned int64".
func (t Type) BpftraceName() string {
	if t.Kind == Int && !t.Signed {
		return fmt.Sprintf("unsigned int%d", t.Bits)
	}
	return t.String()
}

func (t Type) String() string {
	switch t.Kind {
	case Int:
		if t.Enum != nil {
			return t.Enum.String()
		}
		if t.Signed {
			return fmt.Sprintf("int%d", t.Bits)
		}
		return fmt.Sprintf("uint%d", t.Bits)
	case Bool:
		return "bool"
	case String:
		return fmt.Sprintf("string[%d]", t.Size)
	case Buffer:
		return fmt.Sprintf("buffer[%d]", t.Size)
	case Tuple:
		parts := make([]string, len(t.Elems))
		for i, e := range t.Elems {
			parts[i] = e.String()
		}
		return "(" + strings.Join(parts, ",") + ")"
	case Pointer:
		ctx := ""
		if t.Ctx {
			ctx = "(ctx) " // as bpftrace shows the args pointer
		}
		if t.Elem == nil {
			return ctx + "void *"
		}
		s := t.Elem.String()
		if strings.HasSuffix(s, "*") {
			return ctx + s + "*"
		}
		return ctx + s + " *"
	case Record:
		return t.Name
	case Array:
		return fmt.Sprintf("%s[%d]", t.Elem.String(), t.Len)
	case Stack:
		return fmt.Sprintf("%s[%d]", t.Name, t.Len)
	case Agg:
		if t.AggSigned || t.AggKind == Count || t.AggKind == Hist || t.AggKind == Lhist || t.AggKind == TSeries {
			return t.AggKind.String()
		}
		return "u" + t.AggKind.String()
	}
	return t.Kind.String()
}

// KindWord names the kind of a value the way bpftrace's messages do:
// "integer", "string", "tuple", else the type itself.
func (t Type) KindWord() string {
	switch {
	case t.IsInt():
		return "integer"
	case t.Kind == String:
		return "string"
	case t.Kind == Tuple:
		return "tuple"
	}
	return t.String()
}
