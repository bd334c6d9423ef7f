package flamegraph

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestParseFolded(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []Stack
		err      string
	}{
		{name: "frames and count", in: "a;b;c 3\n", want: []Stack{{Frames: []string{"a", "b", "c"}, Count: 3}}},
		{name: "spaces inside frames", in: "a b;c d 7\n\n", want: []Stack{{Frames: []string{"a b", "c d"}, Count: 7}}},
		{name: "empty stack", in: " 4\n", want: []Stack{{Count: 4}}},
		{name: "tab before count", in: "x\t2\r\n", want: []Stack{{Frames: []string{"x"}, Count: 2}}},
		{name: "no count", in: "a;b\n", err: "folded line 1: no count"},
		{name: "count not a number", in: "a 1\na;b x\n", err: `folded line 2: bad count "x"`},
		{name: "negative count", in: "a -1\n", err: "bad count"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseFolded(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestLayout(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stacks []Stack
		min    float64
		want   Graph
	}{
		{name: "nothing", want: Graph{}},
		{
			name:   "equal paths merge, siblings by name",
			stacks: []Stack{{[]string{"m", "b"}, 2}, {[]string{"m", "a"}, 3}, {[]string{"m", "b"}, 1}, {[]string{"z"}, 4}},
			want: Graph{Total: 10, MaxDepth: 2, Frames: []Frame{
				{"all", 0, 0, 10},
				{"m", 1, 0, 6},
				{"a", 2, 0, 3},
				{"b", 2, 3, 3},
				{"z", 1, 6, 4},
			}},
		},
		{
			name:   "a caller's own samples leave a gap after its callees",
			stacks: []Stack{{[]string{"m"}, 5}, {[]string{"m", "f"}, 2}},
			want: Graph{Total: 7, MaxDepth: 2, Frames: []Frame{
				{"all", 0, 0, 7}, {"m", 1, 0, 7}, {"f", 2, 0, 2},
			}},
		},
		{
			name:   "an empty stack counts at the root only",
			stacks: []Stack{{nil, 3}, {[]string{"f"}, 1}},
			want:   Graph{Total: 4, MaxDepth: 1, Frames: []Frame{{"all", 0, 0, 4}, {"f", 1, 0, 1}}},
		},
		{
			name:   "narrow frames are left out with their callees",
			stacks: []Stack{{[]string{"wide", "x"}, 98}, {[]string{"thin", "y"}, 1}, {[]string{"zero"}, 0}, {[]string{"neg"}, -5}},
			min:    2,
			want:   Graph{Total: 99, MaxDepth: 2, Frames: []Frame{{"all", 0, 0, 99}, {"wide", 1, 1, 98}, {"x", 2, 1, 98}}},
		},
		{
			name:   "deep stack",
			stacks: []Stack{{[]string{"a", "b", "c", "d"}, 1}},
			want:   Graph{Total: 1, MaxDepth: 4, Frames: []Frame{{"all", 0, 0, 1}, {"a", 1, 0, 1}, {"b", 2, 0, 1}, {"c", 3, 0, 1}, {"d", 4, 0, 1}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Layout(tc.stacks, tc.min)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestFit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		width float64
		want  string
	}{
		{"main", 100, "main"},
		{"main.burnInner", 70, "main.bu.."},
		{"main", 20, ""}, // two characters fit: no label
		{"ab", 30, "ab"},
		{"äöüäöü", 40, "äö.."},
	} {
		if got := Fit(tc.name, tc.width); got != tc.want {
			t.Errorf("Fit(%q, %v) = %q, want %q", tc.name, tc.width, got, tc.want)
		}
	}
}

func TestShare(t *testing.T) {
	for _, tc := range []struct {
		n, total int64
		unit     string
		want     string
	}{
		{42, 336, "samples", "42 samples, 12.50%"},
		{1, 3, "samples", "1 sample, 33.33%"},
		{5, 0, "bytes", "5 bytes, 0.00%"},
	} {
		if got := Share(tc.n, tc.total, tc.unit); got != tc.want {
			t.Errorf("Share(%d, %d) = %q, want %q", tc.n, tc.total, got, tc.want)
		}
	}
}

func TestFillIsWarmAndStable(t *testing.T) {
	for _, name := range []string{"all", "main", "main.burnInner", "do_syscall_64", ""} {
		f := Fill(name)
		if f != Fill(name) {
			t.Fatalf("Fill(%q) changes", name)
		}
		var r, g, b int
		if _, err := fmt.Sscanf(f, "rgb(%d,%d,%d)", &r, &g, &b); err != nil {
			t.Fatalf("Fill(%q) = %q: %v", name, f, err)
		}
		if r < 205 || r > 255 || g > 230 || b > 55 {
			t.Errorf("Fill(%q) = %q, not in the hot palette", name, f)
		}
	}
}

// TestWriteGolden draws each testdata/*.folded and compares it with the
// .svg beside it.
func TestWriteGolden(t *testing.T) {
	ins, _ := filepath.Glob("testdata/*.folded")
	if len(ins) == 0 {
		t.Fatal("no testdata/*.folded")
	}
	for _, in := range ins {
		t.Run(filepath.Base(in), func(t *testing.T) {
			f, err := os.Open(in)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			stacks, err := ParseFolded(f)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := Write(&buf, stacks, Options{Title: "Test & <graph>", Subtitle: "gbt -f folded", Width: 600}); err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(in, ".folded") + ".svg"
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", in, golden, buf.String())
			}
		})
	}
}

func TestWriteIsSelfContained(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, []Stack{{[]string{"a", "b"}, 1}}, Options{}); err != nil {
		t.Fatal(err)
	}
	// The namespace is a name, not a place the file loads from.
	s := strings.ReplaceAll(buf.String(), `xmlns="http://www.w3.org/2000/svg"`, "")
	for _, bad := range []string{"http://", "https://", "href", "src=", "@import", "url(http"} {
		if i := strings.Index(s, bad); i >= 0 {
			t.Errorf("the SVG refers elsewhere: %q at %d", bad, i)
		}
	}
	if !strings.Contains(s, "<script") || !strings.Contains(s, "<style") {
		t.Error("no inline script or style")
	}
}
