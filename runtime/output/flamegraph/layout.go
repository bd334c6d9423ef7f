// Package flamegraph draws folded stacks as a self-contained interactive
// flame graph in SVG: frames are rectangles whose width is their share of
// the samples, the root at the bottom and each caller below its callees;
// inline JavaScript zooms on click, searches by regular expression (also
// from the URL, file.svg?s=REGEX; file.svg?z=NAME zooms on load) and shows each frame's samples and
// percentage. The file loads nothing from elsewhere.
package flamegraph

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Stack is one line of the folded-stack format: its frames, the outermost
// (root) first, and how many samples it has.
type Stack struct {
	Frames []string
	Count  int64
}

// ParseFolded reads the folded-stack format that FlameGraph's
// stackcollapse scripts and gbt -f folded write: one "root;...;leaf count"
// per line. Blank lines are skipped; a line without a count is an error.
func ParseFolded(r io.Reader) ([]Stack, error) {
	var out []Stack
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if line == "" {
			continue
		}
		i := strings.LastIndexAny(line, " \t")
		if i < 0 {
			return nil, fmt.Errorf("folded line %d: no count after the stack: %q", n, line)
		}
		c, err := strconv.ParseInt(line[i+1:], 10, 64)
		if err != nil || c < 0 {
			return nil, fmt.Errorf("folded line %d: bad count %q", n, line[i+1:])
		}
		stack := strings.TrimRight(line[:i], " \t")
		var frames []string
		if stack != "" {
			frames = strings.Split(stack, ";")
		}
		out = append(out, Stack{Frames: frames, Count: c})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read folded stacks: %w", err)
	}
	return out, nil
}

// Frame is one rectangle of the graph, in samples: it starts Start samples
// from the left edge and is Samples wide, Depth frames above the root
// (the root, "all", is depth 0).
type Frame struct {
	Name    string
	Depth   int
	Start   int64
	Samples int64
}

// Graph is the laid-out flame graph: its frames, parents before their
// children and siblings in name order, and the total of samples.
type Graph struct {
	Frames   []Frame
	Total    int64
	MaxDepth int
}

// RootName is the name of the frame at the bottom, which holds every
// sample.
const RootName = "all"

// node is a frame of the merged call tree.
type node struct {
	name     string
	samples  int64
	children map[string]*node
}

func (n *node) child(name string) *node {
	if c, ok := n.children[name]; ok {
		return c
	}
	if n.children == nil {
		n.children = map[string]*node{}
	}
	c := &node{name: name}
	n.children[name] = c
	return c
}

// Layout merges the stacks into one call tree (equal paths add up) and
// places its frames: siblings side by side in name order, as FlameGraph
// does. Frames narrower than minSamples are left out, with what they
// call; stacks with no samples add nothing.
func Layout(stacks []Stack, minSamples float64) Graph {
	root := &node{name: RootName}
	for _, s := range stacks {
		if s.Count <= 0 {
			continue
		}
		root.samples += s.Count
		n := root
		for _, f := range s.Frames {
			n = n.child(f)
			n.samples += s.Count
		}
	}
	g := Graph{Total: root.samples}
	if g.Total == 0 {
		return g
	}
	var walk func(n *node, depth int, start int64)
	walk = func(n *node, depth int, start int64) {
		if float64(n.samples) < minSamples {
			return
		}
		g.Frames = append(g.Frames, Frame{Name: n.name, Depth: depth, Start: start, Samples: n.samples})
		g.MaxDepth = max(g.MaxDepth, depth)
		kids := make([]*node, 0, len(n.children))
		for _, c := range n.children {
			kids = append(kids, c)
		}
		slices.SortFunc(kids, func(a, b *node) int { return cmp.Compare(a.name, b.name) })
		for _, c := range kids {
			walk(c, depth+1, start)
			start += c.samples
		}
	}
	walk(root, 0, 0)
	return g
}
