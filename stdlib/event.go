package stdlib

import (
	"io"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/runtime/output"
)

// Codec is both ends of one kind of ring-buffer record: the BPF code that
// lays a record out and sends it, and the user-space code that decodes it
// and prints or acts on it. The entry that sends it lists it in Events.
type Codec struct {
	Name string // what the record is, for messages: "printf", "print map"
	// Encode emits the code of a call that sends the record; ev is the
	// call site's event, registered by the caller (see sends).
	Encode func(g Gen, c *ast.Call, ev *Event)
	// Decode prepares the user-space side of one call site's event, once
	// before the run, and returns what handles each of its records.
	Decode func(ev *Event, h Host) (Handler, error)
	// MapAction says the record changes the maps (clear, zero) instead of
	// printing: the runtime applies it even when it arrives after exit(),
	// whose later output it ignores, because the updates the same probe
	// run made before it are in the maps already and print at exit.
	MapAction bool
}

// Handler handles one record of an event (the whole record, id first).
type Handler func(rec []byte) error

// Event is one call site that sends records: codegen registers it and
// lists it in the compiled object, by id; the runtime asks its Codec to
// decode its records. What the fields mean is the codec's business.
type Event struct {
	ID    int
	Codec *Codec
	// Format is a printf/system/cat format, time's strftime format,
	// join's delimiter, or skboutput's file.
	Format string
	Args   []types.Type // the values the record carries
	Offs   []int        // offsets of Args in the record
	Size   int          // record size in bytes
	Map    string       // print/clear/zero: the map's name
	Top    int          // print(@m, top)
	Div    int          // print(@m, top, div)
	Skip   int          // skboutput: the bytes before the packet that the file leaves out (its offset)
	Span   ast.Span     // the call, for runtime errors
	Legacy bool         // helper errors: bpftrace 0.17's words (-kk)
}

// AddField lays out a field of type t in the record (8-byte aligned) and
// returns its offset.
func (ev *Event) AddField(t types.Type) int {
	off := ev.Size
	n := t.ByteSize()
	if t.IsInt() {
		n = 8
	}
	ev.Args = append(ev.Args, t)
	ev.Offs = append(ev.Offs, off)
	ev.Size += (n + 7) &^ 7
	return off
}

// Host is what decoders may ask of the running session; the runtime
// implements it.
type Host interface {
	// Printer writes gbt's output (text or JSON).
	Printer() *output.Printer
	// Printf compiles a printf-style format for records with args at offs,
	// resolving probe names, stacks and timestamps as the session does.
	Printf(format string, args []types.Type, offs []int) (*output.Printf, error)
	// Stderr receives warnings (a failed cat or system).
	Stderr() io.Writer
	// Source is the script, named as messages name it ("stdin" for -e).
	Source() diag.Source
	// Warnings reports whether the script's warnings are printed (not
	// --no-warnings).
	Warnings() bool
	// CatBytesMax bounds what cat() prints.
	CatBytesMax() int
	// PrintMap prints a map now, as print(@m, top, div).
	PrintMap(name string, top, div int) error
	// ClearMap deletes a map's elements, or sets their values to zero.
	ClearMap(name string, zero bool) error
	// Exit stops the run once the records read so far are handled; gbt
	// exits with code (the first non-zero one an exit() gave).
	Exit(code int)
	// ScriptError tells the session the script reported an error as it
	// ran (errorf, a runtime error): a test probe that reports one fails.
	ScriptError()
	// Unwatch removes the watchpoints at addr.
	Unwatch(addr uint64)
	// Packets returns the packet capture file at path, created (or
	// truncated) by the first call of the run and closed at its end.
	Packets(path string) (PacketFile, error)
}

// PacketFile is a file of captured packets (skboutput's pcap file).
type PacketFile interface {
	// WritePacket writes a packet captured bootNs after the machine
	// booted (CLOCK_BOOTTIME, bpf_ktime_get_boot_ns).
	WritePacket(bootNs uint64, data []byte) error
}

// sends is the statement emitter of a call that sends one codec's record.
func sends(c *Codec) StmtEmitter {
	return func(g Gen, call *ast.Call) { c.Encode(g, call, g.NewEvent(c, call)) }
}

// sendID stores the event's id at R10+rec.
func sendID(g Gen, ev *Event, rec int16) {
	g.LoadConst(asm.R1, int64(ev.ID))
	g.Emit(asm.StoreMem(asm.R10, rec, asm.R1, asm.DWord))
}
