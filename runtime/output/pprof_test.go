package output

import (
	"bytes"
	"slices"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/gbt-dev/gbt/lang/types"
)

// TestWritePprof writes folded stacks as a profile and reads it back with
// pprof's own parser.
func TestWritePprof(t *testing.T) {
	stacks := []FoldedStack{
		{Frames: []string{"gbtwork", "main.main", "main.burnHot"}, Count: 30},
		{Frames: []string{"gbtwork", "main.main", "main.burnWarm"}, Count: 10},
		{Frames: []string{"gbtwork", "main.main"}, Count: 0}, // left out
	}
	var buf bytes.Buffer
	if err := WritePprof(&buf, stacks, "samples"); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(&buf)
	if err != nil {
		t.Fatalf("pprof cannot read it: %v", err)
	}
	if len(p.SampleType) != 1 || p.SampleType[0].Type != "samples" || p.SampleType[0].Unit != "count" {
		t.Errorf("sample types %v", p.SampleType)
	}
	if len(p.Function) != 4 || len(p.Location) != 4 {
		t.Errorf("%d functions, %d locations; want one of each per frame name (4)", len(p.Function), len(p.Location))
	}
	var got []string
	for _, s := range p.Sample {
		var names []string
		for _, l := range s.Location {
			names = append(names, l.Line[0].Function.Name)
		}
		got = append(got, string(AppendFolded(nil, FoldedStack{Frames: names, Count: s.Value[0]})))
	}
	want := []string{"main.burnHot;main.main;gbtwork 30\n", "main.burnWarm;main.main;gbtwork 10\n"} // leaf first
	if !slices.Equal(got, want) {
		t.Errorf("samples %q, want %q", got, want)
	}
}

// TestPprofPrinter: a Pprof printer prints nothing for stack-keyed maps
// (the profile is written at exit) and the rest as text aside.
func TestPprofPrinter(t *testing.T) {
	var out, side bytes.Buffer
	p := NewPrinter(&out, Pprof)
	p.SetAside(&side)
	p.SetStacks(foldStacks)
	kst := MapLayout{Name: "@", Key: types.StackOf(false, false, 127), Value: types.AggOf(types.Count, false)}
	if err := p.PrintMap(kst, []Entry{{Key: i64(1), Values: [][]byte{i64(2)}}}, 0, 0); err != nil {
		t.Fatal(err)
	}
	p.Printf([]byte("hi\n"))
	if out.Len() != 0 || side.String() != "hi\n" {
		t.Errorf("stream %q, aside %q", out.String(), side.String())
	}
}
