package output

import (
	"bytes"
	"testing"

	"github.com/gbt-dev/gbt/lang/types"
)

// stackTable is a StackResolver whose stacks are looked up by id; user
// stacks' ids are offset by 1000, so one id can name one of each.
type stackTable map[uint64][]Frame

func (s stackTable) Stack(t types.Type, v uint64) ([]Frame, bool) {
	if t.UserStack() {
		v += 1000
	}
	f, ok := s[v]
	return f, ok
}
func (stackTable) KernelSymbol(addr uint64) string        { return "k" }
func (stackTable) UserSymbol(addr uint64, pid int) string { return "u" }

var foldStacks = stackTable{
	// Innermost first, as bpf_get_stackid gives them.
	1:    {{Sym: "vfs_read+12"}, {Sym: "ksys_read+40"}, {Sym: "do_syscall_64+99"}},
	2:    {{Sym: "vfs_read+70"}, {Sym: "ksys_read+40"}, {Sym: "do_syscall_64+99"}}, // 1 but for offsets
	3:    {{Sym: "schedule+1"}, {Addr: 0xffffffff81000000}},
	1001: {{Sym: "read+5"}, {Sym: "main+30"}},
}

// commKey is a (string[8], stack) tuple key's bytes.
func commKey(comm string, id int64) []byte {
	b := make([]byte, 8)
	copy(b, comm)
	return append(b, i64(id)...)
}

// histValue is a hist() value with counts n[i] in bucket i.
func histValue(n map[int]int64) []byte {
	b := make([]byte, types.AggValueSize(types.Hist, types.AggParams{}))
	for i, c := range n {
		copy(b[8*i:], i64(c))
	}
	return b
}

func TestFoldedMaps(t *testing.T) {
	kst := types.StackOf(false, false, 127)
	ust := types.StackOf(true, false, 127)
	comm := types.StringOf(8)
	count := types.AggOf(types.Count, false)
	for _, tt := range []struct {
		name      string
		l         MapLayout
		es        []Entry
		top, div  int
		out, side string
	}{
		{
			name: "kstack alone: outermost first, offsets dropped, equal stacks merged",
			l:    MapLayout{Name: "@", Key: kst, Value: count},
			es: []Entry{
				{Key: i64(1), Values: [][]byte{i64(2), i64(3)}}, // per-CPU values add up
				{Key: i64(2), Values: [][]byte{i64(4), i64(0)}},
				{Key: i64(3), Values: [][]byte{i64(1), i64(0)}},
			},
			out: "0xffffffff81000000;schedule 1\ndo_syscall_64;ksys_read;vfs_read 9\n",
		},
		{
			name: "comm leads, then the user stack, then the kernel stack",
			l:    MapLayout{Name: "@s", Key: types.TupleOf(kst, comm, ust), Value: types.AggOf(types.Sum, false)},
			es: []Entry{
				{Key: append(i64(1), commKey("cat", 1)...), Values: [][]byte{i64(7)}},
			},
			out: "cat;main;read;do_syscall_64;ksys_read;vfs_read 7\n",
		},
		{
			name: "a stack that was not taken",
			l:    MapLayout{Name: "@", Key: types.TupleOf(comm, kst), Value: count},
			es:   []Entry{{Key: commKey("sh;x", 42), Values: [][]byte{i64(5)}}},
			out:  "sh:x;[unknown] 5\n",
		},
		{
			name: "zero counts are left out; top and div as print(@m, top, div)",
			l:    MapLayout{Name: "@", Key: kst, Value: types.I64},
			es: []Entry{
				{Key: i64(1), Values: [][]byte{i64(50)}},
				{Key: i64(3), Values: [][]byte{i64(20)}},
				{Key: i64(2), Values: [][]byte{i64(0)}},
			},
			top: 1, div: 10,
			out: "do_syscall_64;ksys_read;vfs_read 5\n",
		},
		{
			name: "hist: the total count",
			l:    MapLayout{Name: "@h", Key: kst, Value: types.AggOf(types.Hist, false), Params: types.AggParams{Bits: 0}},
			es:   []Entry{{Key: i64(3), Values: [][]byte{histValue(map[int]int64{2: 3, 5: 4})}}},
			out:  "0xffffffff81000000;schedule 7\n",
		},
		{
			name: "a map without stacks goes aside as text",
			l:    MapLayout{Name: "@c", Key: comm, Value: count},
			es:   []Entry{{Key: commKey("cat", 0)[:8], Values: [][]byte{i64(3)}}},
			side: "@c[cat]: 3\n",
		},
		{
			name: "a stack-keyed map of strings goes aside",
			l:    MapLayout{Name: "@s", Key: kst, Value: comm},
			es:   []Entry{{Key: i64(3), Values: [][]byte{commKey("cat", 0)[:8]}}},
			side: "@s[\n        schedule+1\n        \n]: cat\n",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, side bytes.Buffer
			p := NewPrinter(&out, Folded)
			p.SetAside(&side)
			p.SetStacks(foldStacks)
			if err := p.PrintMap(tt.l, tt.es, tt.top, tt.div); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.out {
				t.Errorf("folded:\n%q\nwant\n%q", out.String(), tt.out)
			}
			if side.String() != tt.side {
				t.Errorf("aside:\n%q\nwant\n%q", side.String(), tt.side)
			}
		})
	}
}

// TestFoldedAside: what is not a stack-keyed map is text on the aside
// writer, and nothing of it reaches the folded stream.
func TestFoldedAside(t *testing.T) {
	var out, side bytes.Buffer
	p := NewPrinter(&out, Folded)
	p.SetAside(&side)
	p.Printf([]byte("hello 1\n"))
	p.Line("time", []byte("12:00:00"))
	p.AttachedProbes(2)
	p.LostEvents(3)
	p.PrintValue(types.I64, i64(4))
	if out.Len() != 0 {
		t.Errorf("folded stream: %q, want nothing", out.String())
	}
	want := "hello 1\n12:00:00\nAttaching 2 probes...\nLost 3 events\n4\n"
	if side.String() != want {
		t.Errorf("aside: %q, want %q", side.String(), want)
	}
	// Without an aside writer it is dropped.
	p = NewPrinter(&out, Folded)
	if err := p.Printf([]byte("x\n")); err != nil || out.Len() != 0 {
		t.Errorf("no aside: err %v, out %q", err, out.String())
	}
}

func TestFrameName(t *testing.T) {
	for _, tt := range []struct {
		f    Frame
		want string
	}{
		{Frame{Sym: "vfs_read+12"}, "vfs_read"},
		{Frame{Sym: "vfs_read"}, "vfs_read"},
		{Frame{Sym: "operator+"}, "operator+"},
		{Frame{Sym: "a+b+7"}, "a+b"},
		{Frame{Sym: "main+3 (/usr/bin/x)"}, "main (/usr/bin/x)"},
		{Frame{Sym: "0x7f00 ([unknown])"}, "0x7f00 ([unknown])"},
		{Frame{Addr: 0x7fab}, "0x7fab"},
		{Frame{Sym: "a;b\nc+1"}, "a:b c"},
		{Frame{Sym: "outer+12@/src/a.c:17"}, "outer"},
		{Frame{Sym: "[inlined] inner@/src/a.c:7"}, "inner"},
		{Frame{Sym: "memcpy@GLIBC_2.2.5+4"}, "memcpy@GLIBC_2.2.5"},
	} {
		if got := frameName(tt.f); got != tt.want {
			t.Errorf("frameName(%+v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestFoldedAppend(t *testing.T) {
	got := string(AppendFolded(nil, FoldedStack{Frames: []string{"a", "b c"}, Count: 12}))
	if got != "a;b c 12\n" {
		t.Errorf("AppendFolded: %q", got)
	}
}
