package output

import (
	"bytes"
	"encoding/binary"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/google/go-cmp/cmp"
)

// The golden files under testdata/ were printed by bpftrace 0.17 running
// testdata/scripts/NAME.bt (regenerate them with testdata/gen.sh, as root,
// on a machine with bpftrace 0.17). Each test below builds the maps and
// printf records those scripts produce, as raw entries and records, and
// must print byte-identical text and JSON. Like bpftrace, the harness
// writes "\n\n" at exit before printing the maps in name order.

// Byte builders for keys, values and records.

func i64(v int64) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }

func cbytes(s string, n int) []byte {
	b := make([]byte, n)
	copy(b, s)
	return b
}

func cat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

var (
	str16 = types.StringOf(16)
	noKey = types.Type{Kind: types.Void}
)

func key(v int64) []byte    { return i64(v) }
func skey(s string) []byte  { return cbytes(s, 16) }
func noKeyBytes() []byte    { return nil }
func two(a, b []byte) Entry { return Entry{Values: [][]byte{a, b}} }

func withKey(k []byte, e Entry) Entry { e.Key = k; return e }

// counter splits n over two CPUs.
func counter(k []byte, n int64) Entry { return withKey(k, two(i64(n/2), i64(n-n/2))) }

// extreme is a min/max value set on CPU 0; CPU 1 holds a value whose
// "set" word is 0, which must be ignored.
func extreme(k []byte, v int64) Entry {
	return withKey(k, two(cat(i64(v), i64(1)), cat(i64(-1000), i64(0))))
}

// avgOf accumulates vs as avg()/stats() would, alternating CPUs.
func avgOf(k []byte, vs ...int64) Entry {
	var sum, count [2]int64
	for i, v := range vs {
		sum[i%2] += v
		count[i%2]++
	}
	return withKey(k, two(cat(i64(sum[0]), i64(count[0])), cat(i64(sum[1]), i64(count[1]))))
}

// histBucket017 is bpftrace 0.17's bucket: its in-kernel log2 stops at
// 2^31, so everything from 2^31 up lands in [2G, 4G).
func histBucket017(v int64) int { return types.HistBucket(v, 0) }

func buckets(n int, idx func(int64) int, vs []int64) Entry {
	var cpu [2][]uint64
	cpu[0], cpu[1] = make([]uint64, n), make([]uint64, n)
	for i, v := range vs {
		cpu[i%2][idx(v)]++
	}
	var e Entry
	for _, c := range cpu {
		var b []byte
		for _, x := range c {
			b = binary.LittleEndian.AppendUint64(b, x)
		}
		e.Values = append(e.Values, b)
	}
	return e
}

func histOf(k []byte, vs ...int64) Entry {
	return withKey(k, buckets(types.HistBuckets(0), histBucket017, vs))
}

func lhistOf(k []byte, l types.AggParams, vs ...int64) Entry {
	n := types.LhistBuckets(l.Min, l.Max, l.Step)
	return withKey(k, buckets(n, func(v int64) int { return types.LhistBucket(v, l.Min, l.Max, l.Step) }, vs))
}

func plain(k, v []byte) Entry { return Entry{Key: k, Values: [][]byte{v}} }

func agg(k types.AggKind, signed bool) types.Type { return types.AggOf(k, signed) }

// mapOut prints one map; printfOut prints one printf event.
type mapOut struct {
	l        MapLayout
	es       []Entry
	top, div int
}

type arg struct {
	t types.Type
	b []byte
}

type printfOut struct {
	format string
	args   []arg
}

func ia(v int64) arg               { return arg{types.I64, i64(v)} }
func ta(t types.Type, v int64) arg { return arg{t, i64(v)[:t.ByteSize()]} }
func sa(s string) arg              { return arg{types.StringOf(len(s) + 1), cbytes(s, len(s)+1)} }
func ba(s string) arg {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(s))) // the count of bytes read
	return arg{types.BufferOf(len(s)), append(b, s...)}
}

type goldenCase struct {
	name   string
	during []any // printfOut or mapOut (print(@m, top, div)) before exit
	exit   []mapOut
	// v017 prints as bpftrace 0.17 (--compat=0.17), for the cases
	// whose output the newest bpftrace changed.
	v017 bool
}

var lh0_10_2 = types.AggParams{Min: 0, Max: 10, Step: 2}

// emptyMaps are maps of every shape with no elements, then one that has.
var emptyMaps = []mapOut{
	{l: MapLayout{Name: "@a", Key: types.I64, Value: types.I64}},
	{l: MapLayout{Name: "@b", Key: noKey, Value: agg(types.Sum, true)}},
	{l: MapLayout{Name: "@c", Key: noKey, Value: agg(types.Avg, true)}},
	{l: MapLayout{Name: "@d", Key: noKey, Value: agg(types.Hist, true)}},
	{l: MapLayout{Name: "@e", Key: types.I64, Value: agg(types.Stats, true)}},
	{l: MapLayout{Name: "@z", Key: noKey, Value: types.I64}, es: []Entry{plain(nil, i64(9))}},
}

func goldenCases() []goldenCase {
	i64t := types.I64
	return []goldenCase{
		{name: "count", exit: []mapOut{
			{l: MapLayout{Name: "@a", Key: noKey, Value: agg(types.Count, false)}, es: []Entry{counter(noKeyBytes(), 1)}},
			{l: MapLayout{Name: "@b", Key: i64t, Value: agg(types.Count, false)}, es: []Entry{counter(key(3), 3), counter(key(1), 1), counter(key(2), 2)}},
		}},
		{name: "sum", exit: []mapOut{
			{l: MapLayout{Name: "@s", Key: str16, Value: agg(types.Sum, true)}, es: []Entry{counter(skey("zzz"), 123), counter(skey("x"), 5), counter(skey("yy"), -3)}},
			{l: MapLayout{Name: "@t", Key: noKey, Value: agg(types.Sum, true)}, es: []Entry{counter(nil, -7)}},
		}},
		{name: "minmax", exit: []mapOut{
			{l: MapLayout{Name: "@m", Key: noKey, Value: agg(types.Min, true)}, es: []Entry{extreme(nil, 5)}},
			{l: MapLayout{Name: "@mn", Key: i64t, Value: agg(types.Min, true)}, es: []Entry{extreme(key(2), 7), extreme(key(1), -3)}},
			{l: MapLayout{Name: "@mx", Key: str16, Value: agg(types.Max, true)}, es: []Entry{extreme(skey("b"), 10), extreme(skey("a"), 3)}},
		}},
		{name: "ints", exit: []mapOut{
			{l: MapLayout{Name: "@i", Key: i64t, Value: i64t}, es: []Entry{plain(key(4), i64(123456789012)), plain(key(1), i64(10)), plain(key(2), i64(-5)), plain(key(3), i64(7))}},
			{l: MapLayout{Name: "@x", Key: noKey, Value: i64t}, es: []Entry{plain(nil, i64(-42))}},
		}},
		{name: "strvals", exit: []mapOut{
			{l: MapLayout{Name: "@str", Key: i64t, Value: str16}, es: []Entry{plain(key(-1), skey("neg")), plain(key(2), skey("abc")), plain(key(0), skey("")), plain(key(1), skey("hello"))}},
		}},
		{name: "strkeys", exit: []mapOut{
			{l: MapLayout{Name: "@sk", Key: str16, Value: types.StringOf(2)}, es: []Entry{plain(skey("ab"), cbytes("3", 2)), plain(skey("b"), cbytes("1", 2)), plain(skey(""), cbytes("4", 2)), plain(skey("a"), cbytes("2", 2))}},
		}},
		{name: "tuplekeys", exit: func() []mapOut {
			kt := types.TupleOf(i64t, str16)
			k := func(n int64, s string) []byte { return cat(i64(n), skey(s)) }
			return []mapOut{
				{l: MapLayout{Name: "@t", Key: kt, Value: i64t}, es: []Entry{plain(k(1, "a"), i64(7)), plain(k(2, "b"), i64(3)), plain(k(3, "c"), i64(5))}},
				{l: MapLayout{Name: "@u", Key: kt, Value: types.StringOf(2)}, es: []Entry{plain(k(2, "x"), cbytes("q", 2)), plain(k(1, "y"), cbytes("r", 2)), plain(k(1, "x"), cbytes("s", 2))}},
			}
		}()},
		{name: "tuplevals", exit: func() []mapOut {
			vt := types.TupleOf(i64t, types.StringOf(4), i64t)
			v := func(a int64, s string, b int64) []byte { return cat(i64(a), cbytes(s, 4), make([]byte, 4), i64(b)) }
			return []mapOut{{l: MapLayout{Name: "@tv", Key: str16, Value: vt}, es: []Entry{plain(skey("k"), v(1, "two", -3)), plain(skey("a"), v(5, "x", 6))}}}
		}()},
		{name: "hist", exit: []mapOut{
			{l: MapLayout{Name: "@h", Key: noKey, Value: agg(types.Hist, true)}, es: []Entry{histOf(nil, 0, 1, 2, 3, 4, 5, 100)}},
		}},
		{name: "histneg", exit: []mapOut{
			{l: MapLayout{Name: "@h", Key: noKey, Value: agg(types.Hist, true)}, es: []Entry{histOf(nil, -1, -100, 0, 5)}},
		}},
		{name: "histhuge", exit: []mapOut{
			{l: MapLayout{Name: "@g", Key: noKey, Value: agg(types.Hist, true)}, es: []Entry{histOf(nil, 1024, 1048575)}},
			{l: MapLayout{Name: "@h", Key: noKey, Value: agg(types.Hist, true)}, es: []Entry{histOf(nil, 1048576, 1073741824, 2147483648, 4398046511104)}},
		}},
		{name: "histkeys", exit: []mapOut{
			{l: MapLayout{Name: "@h", Key: i64t, Value: agg(types.Hist, true)}, es: []Entry{histOf(key(3), 1, 1, 1), histOf(key(2), 0, 100), histOf(key(1), 5)}},
		}},
		{name: "histbars", exit: []mapOut{
			{l: MapLayout{Name: "@h", Key: noKey, Value: agg(types.Hist, true)}, es: []Entry{histOf(nil, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 8, 16, 16, 16, 16, 16, 16)}},
		}},
		{name: "lhist", exit: []mapOut{
			{l: MapLayout{Name: "@l", Key: noKey, Value: agg(types.Lhist, true), Params: lh0_10_2}, es: []Entry{lhistOf(nil, lh0_10_2, 3, -1, 100, 3)}},
		}},
		{name: "lhistk", exit: func() []mapOut {
			l, m, n := types.AggParams{Min: 0, Max: 4096, Step: 1024}, types.AggParams{Min: 0, Max: 4194304, Step: 1048576}, types.AggParams{Min: 10, Max: 100, Step: 10}
			return []mapOut{
				{l: MapLayout{Name: "@l", Key: noKey, Value: agg(types.Lhist, true), Params: l}, es: []Entry{lhistOf(nil, l, 1500, 0, 5000)}},
				{l: MapLayout{Name: "@m", Key: noKey, Value: agg(types.Lhist, true), Params: m}, es: []Entry{lhistOf(nil, m, 2097152)}},
				{l: MapLayout{Name: "@n", Key: noKey, Value: agg(types.Lhist, true), Params: n}, es: []Entry{lhistOf(nil, n, 55, 57, 81)}},
			}
		}()},
		{name: "lhistkeys", exit: []mapOut{
			{l: MapLayout{Name: "@l", Key: str16, Value: agg(types.Lhist, true), Params: lh0_10_2}, es: []Entry{
				lhistOf(skey("c"), lh0_10_2, 0, 0, 0), lhistOf(skey("b"), lh0_10_2, 5, 9), lhistOf(skey("a"), lh0_10_2, 3)}},
		}},
		{name: "stats", exit: []mapOut{
			{l: MapLayout{Name: "@k", Key: i64t, Value: agg(types.Stats, true)}, es: []Entry{avgOf(key(1), 4), avgOf(key(2), 10, -3), avgOf(key(3), -10, -11)}},
			{l: MapLayout{Name: "@s", Key: noKey, Value: agg(types.Stats, true)}, es: []Entry{avgOf(nil, 4)}},
		}},
		// Of unsigned values (avg((uint64)$x)) the average and total are
		// unsigned, as in the newest bpftrace: 2^64-7 is not -7.
		{name: "avg_stats_unsigned", exit: []mapOut{
			{l: MapLayout{Name: "@a", Key: i64t, Value: agg(types.Avg, false)}, es: []Entry{avgOf(key(1), -7), avgOf(key(2), -7, -9), avgOf(key(3), 5)}},
			{l: MapLayout{Name: "@s", Key: noKey, Value: agg(types.Stats, false)}, es: []Entry{avgOf(nil, -7, 3)}},
		}},
		{name: "avg", exit: []mapOut{
			{l: MapLayout{Name: "@k", Key: i64t, Value: agg(types.Avg, true)}, es: []Entry{avgOf(key(3), 100), avgOf(key(1), 3), avgOf(key(2), -7, 2)}},
			{l: MapLayout{Name: "@v", Key: noKey, Value: agg(types.Avg, true)}, es: []Entry{avgOf(nil, 3, 4)}},
		}},
		{name: "printtop", during: func() []any {
			l := MapLayout{Name: "@a", Key: i64t, Value: i64t}
			es := []Entry{plain(key(3), i64(30)), plain(key(1), i64(10)), plain(key(2), i64(20))}
			return []any{mapOut{l: l, es: es, top: 2}, mapOut{l: l, es: es, div: 10}, mapOut{l: l, es: es, top: 1, div: 3}}
		}(), exit: []mapOut{
			{l: MapLayout{Name: "@a", Key: i64t, Value: i64t}, es: []Entry{plain(key(3), i64(30)), plain(key(1), i64(10)), plain(key(2), i64(20))}},
		}},
		{name: "printhist", during: func() []any {
			h, v, s := printhistMaps()
			return []any{mapOut{l: h.l, es: h.es, top: 1, div: 2}, mapOut{l: v.l, es: v.es, top: 2, div: 3}, mapOut{l: s.l, es: s.es, top: 1}}
		}(), exit: func() []mapOut {
			h, v, s := printhistMaps()
			return []mapOut{h, s, v}
		}()},
		// Empty maps: an empty line each in 0.17 (two for avg and
		// stats), nothing in the newest bpftrace.
		{name: "empty", v017: true, exit: emptyMaps},
		{name: "empty_newest", exit: emptyMaps},
		{name: "zeroed", exit: []mapOut{
			{l: MapLayout{Name: "@a", Key: i64t, Value: agg(types.Count, false)}, es: []Entry{counter(key(1), 0)}},
			{l: MapLayout{Name: "@b", Key: noKey, Value: agg(types.Count, false)}, es: []Entry{counter(nil, 0)}},
			{l: MapLayout{Name: "@f", Key: noKey, Value: agg(types.Stats, true)}, es: []Entry{avgOf(nil)}},
			{l: MapLayout{Name: "@g", Key: noKey, Value: agg(types.Hist, true)}, es: []Entry{histOf(nil)}},
			{l: MapLayout{Name: "@l", Key: noKey, Value: agg(types.Lhist, true), Params: types.AggParams{Min: 0, Max: 10, Step: 1}}, es: []Entry{lhistOf(nil, types.AggParams{Min: 0, Max: 10, Step: 1})}},
		}},
		{name: "anon", exit: []mapOut{
			{l: MapLayout{Name: "@", Key: noKey, Value: agg(types.Count, false)}, es: []Entry{counter(nil, 2)}},
		}},
		{name: "escape", exit: []mapOut{
			{l: MapLayout{Name: "@e", Key: str16, Value: str16}, es: []Entry{plain(skey("a\"b\n"), skey("x\ty\\"))}},
			{l: MapLayout{Name: "@f", Key: str16, Value: i64t}, es: []Entry{plain(skey("\x01z"), i64(1))}},
		}},
		{name: "printf_int", during: []any{
			printfOut{"[%d][%u][%x][%X][%o][%c][%p]\n", []arg{ia(-1), ia(-1), ia(-1), ia(3054), ia(8), ia(65), ia(255)}},
			printfOut{"[%ld][%lu][%lx][%lld][%llu][%hd][%hhd][%hu][%hhu][%zd][%jd][%td]\n", []arg{ia(-1), ia(-1), ia(-1), ia(-1), ia(-1), ia(65535), ia(255), ia(-1), ia(-1), ia(-1), ia(-1), ia(-1)}},
			printfOut{"[%d][%u][%x][%ld]\n", []arg{ia(12345678901), ia(12345678901), ia(12345678901), ia(12345678901)}},
		}},
		{name: "printf_width", during: []any{
			printfOut{"[%5d][%-5d][%05d][%05d][%.3d][%5.3d][%-5.3d][%.0d][%8x][%-8lx][%010lu]\n", []arg{ia(7), ia(7), ia(7), ia(-7), ia(5), ia(5), ia(5), ia(0), ia(255), ia(255), ia(99)}},
			printfOut{"[%p][%20p][%-20p][%p]\n", []arg{ia(0), ia(4096), ia(4096), ia(-1)}},
		}},
		{name: "printf_cast", during: []any{
			printfOut{"[%ld][%lx][%ld][%lx][%ld][%d][%c]\n", []arg{ta(types.I32, -1), ta(types.I32, -1), ta(types.U32, -1), ta(types.I16, -2), ta(types.U8, -1), ta(types.I8, -1), ia(321)}},
		}},
		{name: "printf_str", during: []any{
			printfOut{"[%s][%10s][%-10s][%.2s][%5.1s][%05s]\n", []arg{sa("abc"), sa("abc"), sa("abc"), sa("abc"), sa("abc"), sa("ab")}},
			printfOut{"[%c][%3c][%-3c]\n", []arg{ia(66), ia(67), ia(68)}},
			printfOut{"100%% done\t%d\n", []arg{ia(1)}},
		}},
		{name: "printf_buf", during: []any{
			printfOut{"[%r][%rx][%rh]\n", []arg{ba("ab\x01"), ba("ab"), ba("\xab\x0a")}},
			printfOut{"[%r]\n", []arg{ba("\xab\x7f ~\x1f")}},
		}},
		{name: "printf_json", during: []any{
			printfOut{"quote \" back \\ tab \t nl\n", nil},
			printfOut{"%s=%d\n", []arg{sa("k"), ia(5)}},
		}},
	}
}

func printhistMaps() (h, v, s mapOut) {
	h = mapOut{l: MapLayout{Name: "@h", Key: types.I64, Value: agg(types.Hist, true)}, es: []Entry{histOf(key(2), 1, 2), histOf(key(1), 5, 5, 5)}}
	v = mapOut{l: MapLayout{Name: "@v", Key: types.I64, Value: agg(types.Avg, true)}, es: []Entry{avgOf(key(3), 30), avgOf(key(2), 20), avgOf(key(1), 10)}}
	s = mapOut{l: MapLayout{Name: "@s", Key: types.I64, Value: agg(types.Stats, true)}, es: []Entry{avgOf(key(2), 6), avgOf(key(1), 5)}}
	return h, v, s
}

// record lays the arguments out at naturally aligned offsets after an
// 8-byte event id, as codegen does.
func record(args []arg) (ts []types.Type, offs []int, rec []byte) {
	rec = make([]byte, 8)
	for _, a := range args {
		al := a.t.Align()
		for len(rec)%al != 0 {
			rec = append(rec, 0)
		}
		ts = append(ts, a.t)
		offs = append(offs, len(rec))
		rec = append(rec, a.b...)
	}
	return ts, offs, rec
}

func run(t *testing.T, c goldenCase, f Format) []byte {
	t.Helper()
	var out bytes.Buffer
	p := NewPrinter(&out, f)
	if c.v017 {
		p.SetCompat(compat.V017)
	}
	printMap := func(m mapOut) {
		if err := p.PrintMap(m.l, m.es, m.top, m.div); err != nil {
			t.Fatalf("PrintMap(%s): %v", m.l.Name, err)
		}
	}
	for _, d := range c.during {
		switch d := d.(type) {
		case printfOut:
			ts, offs, rec := record(d.args)
			pf, err := CompilePrintf(d.format, ts, offs)
			if err != nil {
				t.Fatalf("CompilePrintf(%q): %v", d.format, err)
			}
			if err := p.Printf(pf.Append(nil, rec)); err != nil {
				t.Fatal(err)
			}
		case mapOut:
			printMap(d)
		}
	}
	out.WriteString("\n\n")
	for _, m := range c.exit {
		printMap(m)
	}
	return out.Bytes()
}

// update rewrites the golden files with what the printer prints now
// (go test -update): review the diff, each golden is bpftrace's output.
var update = flag.Bool("update", false, "rewrite testdata/*.txt and *.json")

func TestGolden(t *testing.T) {
	cases := goldenCases()
	if len(cases) < 25 {
		t.Errorf("only %d golden cases", len(cases))
	}
	for _, c := range cases {
		for _, f := range []struct {
			format Format
			ext    string
		}{{Text, ".txt"}, {JSON, ".json"}} {
			t.Run(c.name+f.ext, func(t *testing.T) {
				path := filepath.Join("testdata", c.name+f.ext)
				got := run(t, c, f.format)
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("output differs from %s (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
				}
			})
		}
	}
}

// Every script under testdata/scripts has a case, and every case a script.
func TestGoldenScripts(t *testing.T) {
	scripts, err := filepath.Glob(filepath.Join("testdata", "scripts", "*.bt"))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, c := range goldenCases() {
		have[c.name] = true
	}
	for _, s := range scripts {
		name := filepath.Base(s[:len(s)-3])
		if !have[name] {
			t.Errorf("%s has no golden case", s)
		}
		delete(have, name)
	}
	for name := range have {
		t.Errorf("case %s has no script", name)
	}
}
