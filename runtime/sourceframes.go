package runtime

import (
	"strconv"
	"sync"

	"github.com/gbt-dev/gbt/runtime/dwarfinfo"
	"github.com/gbt-dev/gbt/runtime/output"
	"github.com/gbt-dev/gbt/runtime/sym"
)

// sourceFrames renders user stack frames with their source lines and the
// functions inlined at them (show_debug_info), as bpftrace does with
// debug info: "[inlined] inner@/src/a.c:7" for each inlined function, then
// "outer+12@/src/a.c:17"; in perf mode "inner (inlined)" with the address
// and no line. A binary without debug info, nor a separate debug file
// under --debuginfo's directories or /usr/lib/debug, prints as without it.
type sourceFrames struct {
	mu        sync.Mutex
	files     map[string]*dwarfinfo.File // by path; nil: none
	debugDirs []string                   // of separate debug files
}

func newSourceFrames(debugDirs []string) *sourceFrames {
	return &sourceFrames{files: map[string]*dwarfinfo.File{}, debugDirs: debugDirs}
}

// frames returns the frames addr in process pid stands for, or nil when
// its binary has no debug info covering it. A caller's address is where
// its call returns to: its line and inlined functions are looked up at
// the byte before, in the call instruction (the return address may be
// the first instruction of the next line, or outside the inlined code
// that made the call), as gdb and perf do; its offset is printed as is.
func (sf *sourceFrames) frames(usyms *sym.User, addr uint64, pid int, perf, caller bool) []output.Frame {
	name, off, vaddr, module, ok := usyms.Locate(addr, pid)
	if !ok {
		return nil
	}
	f := sf.file(module)
	if f == nil {
		return nil
	}
	if caller && vaddr > 0 {
		vaddr--
	}
	src, err := f.Frames(vaddr)
	if err != nil || len(src) == 0 {
		return nil
	}
	out := make([]output.Frame, 0, len(src))
	for _, s := range src {
		var text string
		switch {
		case perf && s.Inlined:
			text = s.Func + " (inlined)"
		case perf:
			text = perfUserFrame(name, off, module)
		case s.Inlined:
			text = "[inlined] " + s.Func + location(s)
		default:
			text = sym.WithOffset(name, off) + location(s)
		}
		out = append(out, output.Frame{Addr: addr, Sym: text})
	}
	return out
}

// location is "@file:line", or nothing when the line tables give none.
func location(s dwarfinfo.SourceFrame) string {
	if s.File == "" || s.Line == 0 {
		return ""
	}
	return "@" + s.File + ":" + strconv.Itoa(s.Line)
}

// file opens a binary's debug info once.
func (sf *sourceFrames) file(path string) *dwarfinfo.File {
	sf.mu.Lock()
	defer sf.mu.Unlock()
	f, seen := sf.files[path]
	if !seen {
		f, _ = dwarfinfo.Open(path, sf.debugDirs)
		sf.files[path] = f
	}
	return f
}
