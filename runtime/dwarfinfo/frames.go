package dwarfinfo

import (
	"debug/dwarf"
	"errors"
	"fmt"
)

// A SourceFrame is a function at a source line: one frame of what an
// address stands for once inlining is undone.
type SourceFrame struct {
	Func    string // the function's name; "" when the debug info has none
	File    string // the source file's path, as the line table gives it
	Line    int
	Inlined bool // inlined into the next frame
}

// Frames returns the source frames of the code at pc (an address in the
// file's own address space), innermost first: the functions inlined at
// pc, each at the line the next one inlined it from... the last the
// function pc is in, at the line of pc itself for a function without
// inlining. It returns nil for an address no compilation unit covers.
func (f *File) Frames(pc uint64) ([]SourceFrame, error) {
	if err := f.index(); err != nil {
		return nil, err
	}
	f.rangesOnce.Do(func() {
		f.unitPCs = make([][][2]uint64, len(f.units))
		for i, cu := range f.units {
			f.unitPCs[i], _ = f.d.Ranges(cu) // a unit without ranges covers nothing
		}
	})
	for i, cu := range f.units {
		if !inRanges(f.unitPCs[i], pc) {
			continue
		}
		lr, err := f.d.LineReader(cu)
		if err != nil || lr == nil {
			return nil, nil
		}
		var le dwarf.LineEntry
		if err := lr.SeekPC(pc, &le); err != nil {
			if errors.Is(err, dwarf.ErrUnknownPC) {
				return nil, nil
			}
			return nil, fmt.Errorf("%s: line table: %w", f.path, err)
		}
		chain, err := f.scopes(cu, pc)
		if err != nil {
			return nil, err
		}
		files := lr.Files()
		// The innermost scope is at pc's line; each one further out is
		// where the scope inside it was inlined from.
		file, line := "", le.Line
		if le.File != nil {
			file = le.File.Name
		}
		frames := make([]SourceFrame, 0, len(chain))
		for i := len(chain) - 1; i >= 0; i-- {
			s := chain[i]
			frames = append(frames, SourceFrame{Func: f.scopeName(s), File: file, Line: line, Inlined: s.Tag == dwarf.TagInlinedSubroutine})
			file, line = "", 0
			if n, ok := s.Val(dwarf.AttrCallFile).(int64); ok && n >= 0 && int(n) < len(files) && files[n] != nil {
				file = files[n].Name
			}
			if n, ok := s.Val(dwarf.AttrCallLine).(int64); ok {
				line = int(n)
			}
		}
		if len(frames) == 0 {
			frames = append(frames, SourceFrame{File: file, Line: line})
		}
		return frames, nil
	}
	return nil, nil
}

// scopes returns the subprogram of cu containing pc and the inlined
// subroutines within it that contain pc, outermost first.
func (f *File) scopes(cu *dwarf.Entry, pc uint64) ([]*dwarf.Entry, error) {
	r := f.d.Reader()
	r.Seek(cu.Offset)
	if _, err := r.Next(); err != nil { // the unit itself
		return nil, fmt.Errorf("read debug info of %s: %w", f.path, err)
	}
	var chain []*dwarf.Entry
	for depth := 1; depth > 0; {
		e, err := r.Next()
		if err != nil {
			return nil, fmt.Errorf("read debug info of %s: %w", f.path, err)
		}
		if e == nil {
			break
		}
		if e.Tag == 0 { // the end of a list of children
			depth--
			continue
		}
		if !e.Children {
			continue
		}
		scope := e.Tag == dwarf.TagSubprogram || e.Tag == dwarf.TagInlinedSubroutine
		lexical := e.Tag == dwarf.TagLexDwarfBlock
		if !scope && !lexical {
			r.SkipChildren()
			continue
		}
		ranges, err := f.d.Ranges(e)
		if err != nil || !inRanges(ranges, pc) {
			r.SkipChildren()
			continue
		}
		if scope {
			chain = append(chain, e)
		}
		depth++
	}
	return chain, nil
}

// scopeName is a subprogram's or inlined subroutine's name, found through
// its abstract origin or specification when it has none of its own.
func (f *File) scopeName(e *dwarf.Entry) string {
	for range 4 {
		if name, ok := e.Val(dwarf.AttrName).(string); ok {
			return name
		}
		off, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset)
		if !ok {
			if off, ok = e.Val(dwarf.AttrSpecification).(dwarf.Offset); !ok {
				return ""
			}
		}
		r := f.d.Reader()
		r.Seek(off)
		next, err := r.Next()
		if err != nil || next == nil {
			return ""
		}
		e = next
	}
	return ""
}

func inRanges(ranges [][2]uint64, pc uint64) bool {
	for _, r := range ranges {
		if pc >= r[0] && pc < r[1] {
			return true
		}
	}
	return false
}
