package dwarfinfo_test

import (
	"debug/elf"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/internal/testenv"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/runtime/dwarfinfo"
)

// build compiles testdata/prog.c with gcc and extra flags.
func build(t *testing.T, flags ...string) string {
	t.Helper()
	gcc := testenv.RequireCommand(t, "gcc", "apt-get install gcc")
	out := filepath.Join(t.TempDir(), "prog")
	args := append([]string{"-O0", "-o", out, "testdata/prog.c"}, flags...)
	if b, err := exec.Command(gcc, args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, b)
	}
	return out
}

func TestProto(t *testing.T) {
	f, err := dwarfinfo.Open(build(t, "-g"), nil)
	if err != nil {
		t.Fatal(err)
	}
	foo := types.Type{Kind: types.Record, Name: "struct Foo", Size: 48}
	tests := []struct {
		fn     string
		params string // name CType type; ...
		ret    string
	}{
		{"main", "argc int int32; argv char** int8 **", "int32"},
		{"function1", "n int* int32 *; c char int8", "int32"},
		{"function2", "foo1 struct Foo* struct Foo *; node struct Node* struct Node *; str const char* int8 *; p void* uint8 *",
			types.PointerTo(foo, types.User).String()},
	}
	for _, tt := range tests {
		p, err := f.Proto(tt.fn)
		if err != nil {
			t.Fatalf("%s: %v", tt.fn, err)
		}
		var got []string
		for _, prm := range p.Params {
			if prm.Type.Kind == types.Pointer && prm.Type.AddrSpace != types.User {
				t.Errorf("%s: %s points into %v, not user memory", tt.fn, prm.Name, prm.Type.AddrSpace)
			}
			got = append(got, prm.Name+" "+prm.CType+" "+prm.Type.String())
		}
		if g := strings.Join(got, "; "); g != tt.params {
			t.Errorf("%s params:\n got %s\nwant %s", tt.fn, g, tt.params)
		}
		if g := p.Ret.String(); g != tt.ret {
			t.Errorf("%s returns %s, want %s", tt.fn, g, tt.ret)
		}
	}
	if _, err := f.Proto("nosuch"); !errors.Is(err, probe.ErrNotInDebugInfo) {
		t.Errorf("Proto(nosuch) = %v, want ErrNotInDebugInfo", err)
	}
}

func TestRecord(t *testing.T) {
	f, err := dwarfinfo.Open(build(t, "-g"), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		size   int
		fields string // name@offset[:bitoff/width] type
	}{
		{"struct Foo", 48, "a@0 int32; b@4 string[10]; c@16 int32[3]; d@32 int64"},
		{"struct Node", 112, "next@0 struct Node *; flags@8:0/3 uint32; mode@8:3/5 uint32; l@16 int64; ch@16 int8; " +
			"foo@32 struct Foo; col@80 uint32; name@96 int8 *"},
	}
	for _, tt := range tests {
		rec, err := f.Record(tt.name)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if rec.Size != tt.size {
			t.Errorf("%s: size %d, want %d", tt.name, rec.Size, tt.size)
		}
		var got []string
		for _, fl := range rec.Fields {
			s := fl.Name + "@" + itoa(fl.Offset)
			if fl.BitWidth > 0 {
				s += ":" + itoa(fl.BitOff) + "/" + itoa(fl.BitWidth)
			}
			got = append(got, s+" "+fl.Type.String())
		}
		if g := strings.Join(got, "; "); g != tt.fields {
			t.Errorf("%s fields:\n got %s\nwant %s", tt.name, g, tt.fields)
		}
	}
	node, _ := f.Record("struct Node")
	for _, fl := range node.Fields {
		if fl.Name == "foo" && len(fl.Type.Fields) != 4 {
			t.Errorf("struct member foo has %d fields, want struct Foo's 4", len(fl.Type.Fields))
		}
	}
	for _, name := range []string{"struct Nope", "enum color", "union Foo"} {
		if _, err := f.Record(name); !errors.Is(err, probe.ErrNotInDebugInfo) {
			t.Errorf("Record(%q) = %v, want ErrNotInDebugInfo", name, err)
		}
	}
}

func TestLineAddrs(t *testing.T) {
	f, err := dwarfinfo.Open(build(t, "-g"), nil)
	if err != nil {
		t.Fatal(err)
	}
	fn1, err := f.LineAddrs("prog.c", 28) // the { of function1: its entry
	if err != nil {
		t.Fatal(err)
	}
	body, err := f.LineAddrs("testdata/prog.c", 30)
	if err != nil {
		t.Fatal(err)
	}
	if len(fn1) != 1 || len(body) != 1 || body[0] <= fn1[0] || body[0]-fn1[0] > 64 {
		t.Errorf("line 28 at %#x, line 30 at %#x: want the body a little after the entry", fn1, body)
	}
	if _, err := f.LineAddrs("prog.c", 2); !errors.Is(err, probe.ErrNotInDebugInfo) {
		t.Errorf("a line without code: %v, want ErrNotInDebugInfo", err)
	}
	if _, err := f.LineAddrs("other.c", 28); !errors.Is(err, probe.ErrNotInDebugInfo) {
		t.Errorf("another file: %v, want ErrNotInDebugInfo", err)
	}
}

func TestNoDebugInfo(t *testing.T) {
	_, err := dwarfinfo.Open(build(t, "-g0", "-s"), nil)
	if !errors.Is(err, probe.ErrNoDebugInfo) || !errors.Is(err, probe.ErrUnavailable) {
		t.Errorf("Open of a binary without -g: %v, want ErrNoDebugInfo", err)
	}
	if _, err := dwarfinfo.Open("testdata/prog.c", nil); err == nil {
		t.Error("Open of a C file: no error")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestSeparateDebugFile: a binary stripped of its debug info finds it in
// a debug directory by its build id, or by its .gnu_debuglink beside it,
// and has the same prototypes.
func TestSeparateDebugFile(t *testing.T) {
	objcopy := testenv.RequireCommand(t, "objcopy", "apt-get install binutils")
	for _, how := range []string{"build-id", "debuglink"} {
		t.Run(how, func(t *testing.T) {
			prog := build(t, "-g", "-Wl,--build-id")
			dbg := prog + ".debug"
			run := func(args ...string) {
				if b, err := exec.Command(objcopy, args...).CombinedOutput(); err != nil {
					t.Fatalf("objcopy %v: %v\n%s", args, err, b)
				}
			}
			run("--only-keep-debug", prog, dbg)
			run("--strip-debug", prog)
			if _, err := dwarfinfo.Open(prog, nil); !errors.Is(err, probe.ErrNoDebugInfo) {
				t.Fatalf("stripped, no debug directory: %v, want ErrNoDebugInfo", err)
			}
			var dirs []string
			if how == "build-id" {
				id, err := exec.Command("sh", "-c", "readelf -n "+prog+" | sed -n 's/.*Build ID: //p'").Output()
				if err != nil || len(strings.TrimSpace(string(id))) < 4 {
					t.Fatalf("readelf: %v %q", err, id)
				}
				h := strings.TrimSpace(string(id))
				dir := t.TempDir()
				link := filepath.Join(dir, ".build-id", h[:2], h[2:]+".debug")
				if b, err := exec.Command("sh", "-c", "mkdir -p "+filepath.Dir(link)+" && mv "+dbg+" "+link).CombinedOutput(); err != nil {
					t.Fatalf("%v: %s", err, b)
				}
				dirs = []string{"/nonexistent", dir}
			} else {
				run("--add-gnu-debuglink="+dbg, prog)
			}
			f, err := dwarfinfo.Open(prog, dirs)
			if err != nil {
				t.Fatal(err)
			}
			p, err := f.Proto("function1")
			if err != nil || len(p.Params) != 2 || p.Params[0].Name != "n" {
				t.Fatalf("function1: %+v, %v", p, err)
			}
		})
	}
}

// TestFrames: an address in code inlined twice gives the two inlined
// functions, innermost first, each at the line it was reached from, then
// the function they were inlined into; an address outside them gives the
// function alone.
func TestFrames(t *testing.T) {
	gcc := testenv.RequireCommand(t, "gcc", "apt-get install gcc")
	bin := filepath.Join(t.TempDir(), "inline")
	if b, err := exec.Command(gcc, "-O1", "-g", "-o", bin, "testdata/inline.c").CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, b)
	}
	ef, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	syms, err := ef.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	var outer elf.Symbol
	for _, s := range syms {
		if s.Name == "outer" {
			outer = s
		}
	}
	if outer.Size == 0 {
		t.Fatal("no symbol outer")
	}
	f, err := dwarfinfo.Open(bin, nil)
	if err != nil {
		t.Fatal(err)
	}
	var inlined, plain string
	for pc := outer.Value; pc < outer.Value+outer.Size; pc++ {
		frames, err := f.Frames(pc)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, fr := range frames {
			fmt.Fprintf(&b, "%s@%s:%d inlined=%v; ", fr.Func, filepath.Base(fr.File), fr.Line, fr.Inlined)
		}
		switch {
		case len(frames) == 3 && inlined == "":
			inlined = b.String()
		case len(frames) == 1 && frames[0].Line == 18:
			plain = b.String()
		}
	}
	if want := "inner@inline.c:7 inlined=true; middle@inline.c:12 inlined=true; outer@inline.c:17 inlined=false; "; inlined != want {
		t.Errorf("inlined frames: %q, want %q", inlined, want)
	}
	if want := "outer@inline.c:18 inlined=false; "; plain != want {
		t.Errorf("outer's own line: %q, want %q", plain, want)
	}
	if frames, err := f.Frames(0); err != nil || frames != nil {
		t.Errorf("Frames(0) = %v, %v; want none", frames, err)
	}
}
